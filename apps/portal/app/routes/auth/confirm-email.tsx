import { confirmEmailChange } from "@briefings/auth";
import { data, Form, Link } from "react-router";
import { AccountPage } from "#app/components/account/account-form.tsx";
import { FormError, SubmitButton } from "#app/components/forms.tsx";
import {
  accountDeps,
  failureHeaders,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  redirectSignedOut,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/confirm-email";

export const meta: Route.MetaFunction = () => [
  { title: "Confirm your new e-mail address — Briefings" },
  { name: "robots", content: "noindex" },
  // The token is in this page's address: it must not travel on in a Referer header.
  { name: "referrer", content: "no-referrer" },
];

// As for verification: opening the link (a mail scanner may) does not use it; one click does.
export async function loader({ request, context }: Route.LoaderArgs) {
  const token = new URL(request.url).searchParams.get("token");
  return data(
    { token: token || null, signedIn: context.user !== null },
    { headers: { ...PRIVATE_NO_STORE, "Referrer-Policy": "no-referrer" } },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const result = await confirmEmailChange(await accountDeps(), form.get("token"));
  if (!result.ok) {
    return data(
      { formError: result.formError ?? "This link cannot be used." },
      { status: result.status, headers: failureHeaders(result) },
    );
  }
  // Every session of the account has ended, this browser's too: sign in with the new address.
  return redirectSignedOut("/sign-in?email-changed=1", context.secure);
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function ConfirmEmail({ loaderData, actionData }: Route.ComponentProps) {
  const { token, signedIn } = loaderData;
  const error = actionData?.formError ?? (token ? null : "This confirmation link is incomplete.");
  return (
    <AccountPage title="Confirm your new e-mail address">
      <FormError errors={error ? [error] : null} />
      {error ? (
        <p>
          Confirmation links work once, for one hour.{" "}
          {signedIn ? (
            <Link to="/account/email">Ask for a new one</Link>
          ) : (
            <>
              <Link to="/sign-in?next=%2Faccount%2Femail">Sign in</Link> to ask for a new one
            </>
          )}
          .
        </p>
      ) : (
        <Form method="post">
          <p className="mb-4">
            Your account will use this address from now on. Every session ends, so you will sign in
            again with the new address.
          </p>
          <input type="hidden" name="token" value={token ?? ""} />
          <SubmitButton pendingLabel="Confirming…">Confirm my new address</SubmitButton>
        </Form>
      )}
    </AccountPage>
  );
}
