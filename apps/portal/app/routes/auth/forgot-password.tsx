import { requestPasswordReset } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { forgotPasswordSchema } from "#app/components/account/schemas.ts";
import { FormError, Notice, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  rejectSubmission,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/forgot-password";

export const meta: Route.MetaFunction = () => [
  { title: "Forgot your password? — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader() {
  return data(null, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: forgotPasswordSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const result = await requestPasswordReset(await accountDeps(), submission.value, {
    ipAddress: context.clientIp,
  });
  if (!result.ok) return rejectSubmission(submission, result);
  // The same answer for every address, registered or not.
  return data({ sent: true as const }, { headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function ForgotPassword({ actionData }: Route.ComponentProps) {
  const sent = Boolean(actionData && "sent" in actionData);
  const lastResult = actionData && !("sent" in actionData) ? actionData : undefined;
  const [form, fields] = useAccountForm("forgot-password", forgotPasswordSchema, lastResult);
  if (sent) {
    return (
      <AccountPage title="Check your inbox">
        <Notice>
          If an account exists for that address, we have sent a link to choose a new password. It
          works once, for one hour.
        </Notice>
        <p className="text-sm text-muted">
          Nothing after a few minutes? Look in your spam folder, or check the address and{" "}
          <Link to="/forgot-password">try again</Link>.
        </p>
      </AccountPage>
    );
  }
  return (
    <AccountPage
      title="Forgot your password?"
      lead="Enter the address of your account and we will send you a link to choose a new password."
    >
      <Form method="post" {...getFormProps(form)}>
        <FormError id={form.errorId} errors={form.errors} />
        <TextField
          meta={fields.email}
          label="E-mail"
          type="email"
          autoComplete="email"
          inputMode="email"
        />
        <SubmitButton pendingLabel="Sending…">Send me a link</SubmitButton>
      </Form>
      <FormLinks>
        <li>
          Remembered it? <Link to="/sign-in">Sign in</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
