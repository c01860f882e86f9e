import { resendVerification, verifyEmail } from "@briefings/auth";
import { data, Form, Link, redirect } from "react-router";
import { AccountPage } from "#app/components/account/account-form.tsx";
import { FormError, Notice, SubmitButton } from "#app/components/forms.tsx";
import {
  accountDeps,
  failureHeaders,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  requireUser,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/verify-email";

export const meta: Route.MetaFunction = () => [
  { title: "Verify your e-mail address — Briefings" },
  { name: "robots", content: "noindex" },
  // The token is in this page's address: it must not travel on in a Referer header.
  { name: "referrer", content: "no-referrer" },
];

// Opening the link does not use it: mail scanners fetch links to check them, and would
// spend the token before its owner clicks. The page asks for one click, which POSTs it.
export async function loader({ request, context }: Route.LoaderArgs) {
  const token = new URL(request.url).searchParams.get("token");
  return data(
    {
      token: token || null,
      canResend: Boolean(context.user && !context.user.emailVerified),
    },
    { headers: { ...PRIVATE_NO_STORE, "Referrer-Policy": "no-referrer" } },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  if (form.get("intent") === "resend") {
    const { user } = requireUser(context, request);
    const result = await resendVerification(await accountDeps(), user.id, {
      ipAddress: context.clientIp,
    });
    if (!result.ok) {
      return data(
        { formError: result.formError ?? "The link could not be sent.", resent: false },
        { status: result.status, headers: failureHeaders(result) },
      );
    }
    return data({ formError: null, resent: true }, { headers: PRIVATE_NO_STORE });
  }
  const result = await verifyEmail(await accountDeps(), form.get("token"));
  if (!result.ok) {
    return data(
      { formError: result.formError ?? "This link cannot be used.", resent: false },
      { status: result.status, headers: failureHeaders(result) },
    );
  }
  // Signed in as the account just verified: on to what verification unlocks.
  const to = context.user?.id === result.userId ? "/membership?verified=1" : "/sign-in?verified=1";
  return redirect(to, { headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function VerifyEmail({ loaderData, actionData }: Route.ComponentProps) {
  const { token, canResend } = loaderData;
  if (actionData?.resent) {
    return (
      <AccountPage title="Check your inbox">
        <Notice>We sent a new verification link to your address. It works for 48 hours.</Notice>
        <p>
          <Link to="/account">Back to your account</Link>
        </p>
      </AccountPage>
    );
  }
  const error = actionData?.formError ?? (token ? null : "This verification link is incomplete.");
  return (
    <AccountPage title="Verify your e-mail address">
      <FormError errors={error ? [error] : null} />
      {token && !actionData?.formError ? (
        <Form method="post">
          <p className="mb-4">
            Confirm that this address is yours to finish setting up your account.
          </p>
          <input type="hidden" name="token" value={token} />
          <SubmitButton intent="verify" pendingLabel="Verifying…">
            Verify my e-mail
          </SubmitButton>
        </Form>
      ) : null}
      {error && canResend ? (
        <Form method="post" className="mt-4">
          <p className="mb-4">You can ask for a new link, sent to the address of your account.</p>
          <SubmitButton intent="resend" variant="secondary" pendingLabel="Sending…">
            Send a new link
          </SubmitButton>
        </Form>
      ) : null}
      {error && !canResend ? (
        <p className="mt-4 text-sm">
          Signed in already? Your <Link to="/account">account page</Link> says whether your address
          is verified and can send a new link. Otherwise <Link to="/sign-in">sign in</Link> first.
        </p>
      ) : null}
    </AccountPage>
  );
}
