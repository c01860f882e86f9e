import { invalidateSession, invalidateUserSessions } from "@briefings/auth";
import { data, Form, Link } from "react-router";
import { AccountPage } from "#app/components/account/account-form.tsx";
import { SubmitButton } from "#app/components/forms.tsx";
import { PRIVATE_NO_STORE, privateRouteHeaders, redirectSignedOut } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import type { Route } from "./+types/sign-out";

export const meta: Route.MetaFunction = () => [
  { title: "Sign out — Briefings" },
  { name: "robots", content: "noindex" },
];

// Signing out changes state, so it is a POST (behind the origin check): a GET, which any
// page could trigger with an image, only shows the button.
export async function loader({ context }: Route.LoaderArgs) {
  return data({ email: context.user?.email ?? null }, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const intent = form.get("intent") === "everywhere" ? "everywhere" : "this";
  if (context.user && context.sessionId) {
    const database = await db();
    if (intent === "everywhere") await invalidateUserSessions(database, context.user.id);
    else await invalidateSession(database, context.sessionId);
  }
  // Without a live session there is nothing to end, but a stale cookie still goes.
  return redirectSignedOut("/sign-in?signed-out=1", context.secure);
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function SignOut({ loaderData }: Route.ComponentProps) {
  const { email } = loaderData;
  if (!email) {
    return (
      <AccountPage title="Sign out">
        <p>
          You are not signed in. <Link to="/sign-in">Sign in</Link>
        </p>
      </AccountPage>
    );
  }
  return (
    <AccountPage title="Sign out" lead={<>You are signed in as {email}.</>}>
      <Form method="post" className="flex flex-wrap gap-3">
        <SubmitButton intent="this" pendingLabel="Signing out…">
          Sign out
        </SubmitButton>
        <SubmitButton intent="everywhere" variant="secondary" pendingLabel="Signing out…">
          Sign out everywhere
        </SubmitButton>
      </Form>
      <p className="mt-4 text-sm text-muted">
        “Sign out everywhere” also ends your sessions on every other device and browser.
      </p>
    </AccountPage>
  );
}
