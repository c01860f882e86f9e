import { requestEmailChange } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { changeEmailSchema } from "#app/components/account/schemas.ts";
import { FormError, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  rejectSubmission,
  requireUser,
} from "#app/lib/auth.server.ts";
import type { Route } from "./+types/email";

export const meta: Route.MetaFunction = () => [
  { title: "Change your e-mail address — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  return data({ email: user.email }, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const submission = parseWithZod(await request.formData(), { schema: changeEmailSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const result = await requestEmailChange(await accountDeps(), user.id, submission.value);
  if (!result.ok) return rejectSubmission(submission, result);
  // The same answer when the new address belongs to another account (nothing is sent then).
  return redirect("/account?email-sent=1", { headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function ChangeEmail({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useAccountForm("change-email", changeEmailSchema, actionData);
  return (
    <AccountPage
      title="Change your e-mail address"
      lead={
        <>
          Your address is <strong>{loaderData.email}</strong>. We send a confirmation link to the
          new address; the change happens when you open it, and every session then ends.
        </>
      }
    >
      <Form method="post" {...getFormProps(form)}>
        <FormError id={form.errorId} errors={form.errors} />
        <TextField
          meta={fields.newEmail}
          label="New e-mail address"
          type="email"
          autoComplete="email"
          inputMode="email"
        />
        <TextField
          meta={fields.password}
          label="Your password"
          type="password"
          autoComplete="current-password"
        />
        <SubmitButton pendingLabel="Sending…">Send confirmation link</SubmitButton>
      </Form>
      <FormLinks>
        <li>
          <Link to="/account">Back to your account</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
