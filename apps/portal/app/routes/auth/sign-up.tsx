import { signUp } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { PASSWORD_HINT, signUpSchema } from "#app/components/account/schemas.ts";
import { FormError, Notice, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  rejectSubmission,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/sign-up";

export const meta: Route.MetaFunction = () => [
  { title: "Create an account — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader({ context }: Route.LoaderArgs) {
  if (context.user) throw redirect("/account", { headers: PRIVATE_NO_STORE });
  return data(null, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  if (context.user) throw redirect("/account", { headers: PRIVATE_NO_STORE });
  const submission = parseWithZod(await request.formData(), { schema: signUpSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const result = await signUp(await accountDeps(), submission.value, {
    ipAddress: context.clientIp,
  });
  if (!result.ok) return rejectSubmission(submission, result);
  // The same answer whether or not the address already had an account: the mail differs.
  return data(
    { sent: true as const, email: submission.value.email },
    { headers: PRIVATE_NO_STORE },
  );
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function SignUp({ actionData }: Route.ComponentProps) {
  const sent = actionData && "sent" in actionData ? actionData : null;
  const lastResult = actionData && !("sent" in actionData) ? actionData : undefined;
  const [form, fields] = useAccountForm("sign-up", signUpSchema, lastResult);
  if (sent) {
    return (
      <AccountPage title="Check your inbox">
        <Notice>
          We sent a message to <strong>{sent.email}</strong>. Open the link in it to confirm your
          address; it works for 48 hours.
        </Notice>
        <p className="text-sm text-muted">
          Nothing after a few minutes? Look in your spam folder, or{" "}
          <Link to="/sign-up">try again</Link>.
        </p>
      </AccountPage>
    );
  }
  return (
    <AccountPage
      title="Create an account"
      lead="A free account unlocks member briefings and lets you join or apply to a tier."
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
        <TextField
          meta={fields.password}
          label="Password"
          type="password"
          autoComplete="new-password"
          hint={PASSWORD_HINT}
        />
        <SubmitButton pendingLabel="Creating your account…">Create account</SubmitButton>
      </Form>
      <FormLinks>
        <li>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
