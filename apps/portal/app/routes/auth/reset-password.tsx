import { isResetTokenValid, resetPassword } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link } from "react-router";
import { AccountPage, useAccountForm } from "#app/components/account/account-form.tsx";
import { PASSWORD_HINT, resetPasswordSchema } from "#app/components/account/schemas.ts";
import { FormError, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  redirectSignedIn,
  rejectSubmission,
  sessionMeta,
} from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import type { Route } from "./+types/reset-password";

export const meta: Route.MetaFunction = () => [
  { title: "Choose a new password — Briefings" },
  { name: "robots", content: "noindex" },
  // The token is in this page's address: it must not travel on in a Referer header.
  { name: "referrer", content: "no-referrer" },
];

// Showing the form only looks the token up; it is used when the new password is sent.
export async function loader({ request }: Route.LoaderArgs) {
  const token = new URL(request.url).searchParams.get("token");
  const valid = token ? await isResetTokenValid(await db(), token) : false;
  return data(
    { token: valid ? token : null },
    { headers: { ...PRIVATE_NO_STORE, "Referrer-Policy": "no-referrer" } },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: resetPasswordSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const { token, password } = submission.value;
  const result = await resetPassword(
    await accountDeps(),
    { token, password },
    sessionMeta(request, context),
  );
  if (!result.ok) return rejectSubmission(submission, result);
  return redirectSignedIn("/account?reset=1", result, context.secure);
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function ResetPassword({ loaderData, actionData }: Route.ComponentProps) {
  const { token } = loaderData;
  const [form, fields] = useAccountForm("reset-password", resetPasswordSchema, actionData);
  if (!token) {
    return (
      <AccountPage title="This link has expired">
        <FormError errors={["This reset link has expired or was already used."]} />
        <p>
          Reset links work once, for one hour. <Link to="/forgot-password">Ask for a new one</Link>.
        </p>
      </AccountPage>
    );
  }
  return (
    <AccountPage
      title="Choose a new password"
      lead="Every session of your account ends, and this browser is signed in with the new password."
    >
      <Form method="post" {...getFormProps(form)}>
        <FormError id={form.errorId} errors={form.errors} />
        <input type="hidden" name={fields.token.name} value={token} />
        <TextField
          meta={fields.password}
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
        />
        <SubmitButton pendingLabel="Saving…">Set new password</SubmitButton>
      </Form>
    </AccountPage>
  );
}
