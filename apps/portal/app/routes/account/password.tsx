import { changePassword } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { changePasswordSchema, PASSWORD_HINT } from "#app/components/account/schemas.ts";
import { FormError, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  redirectSignedIn,
  rejectSubmission,
  requireUser,
  sessionMeta,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/password";

export const meta: Route.MetaFunction = () => [
  { title: "Change your password — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  return data({ email: user.email }, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const submission = parseWithZod(await request.formData(), { schema: changePasswordSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const result = await changePassword(
    await accountDeps(),
    user.id,
    submission.value,
    sessionMeta(request, context),
  );
  if (!result.ok) return rejectSubmission(submission, result);
  // Every session ended, this one too: the browser carries on with the new one.
  return redirectSignedIn("/account?password-changed=1", result, context.secure);
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function ChangePassword({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useAccountForm("change-password", changePasswordSchema, actionData);
  return (
    <AccountPage
      title="Change your password"
      lead="You stay signed in here; every other device and browser is signed out."
    >
      <Form method="post" {...getFormProps(form)}>
        <FormError id={form.errorId} errors={form.errors} />
        {/* Lets password managers file the new password under the right account. */}
        <input
          type="email"
          name="username"
          autoComplete="username"
          value={loaderData.email}
          readOnly
          hidden
        />
        <TextField
          meta={fields.currentPassword}
          label="Current password"
          type="password"
          autoComplete="current-password"
        />
        <TextField
          meta={fields.newPassword}
          label="New password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
        />
        <SubmitButton pendingLabel="Saving…">Change password</SubmitButton>
      </Form>
      <FormLinks>
        <li>
          <Link to="/account">Back to your account</Link>
        </li>
        <li>
          Forgotten the current one? <Link to="/forgot-password">Reset it by e-mail</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
