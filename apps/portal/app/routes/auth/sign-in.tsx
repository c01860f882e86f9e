import { invalidateSession, signIn } from "@briefings/auth";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link, redirect } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { noticesFor, SIGN_IN_NOTICES } from "#app/components/account/notices.ts";
import { signInSchema } from "#app/components/account/schemas.ts";
import { FormError, Notice, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  redirectSignedIn,
  rejectSubmission,
  safeNextPath,
  sessionMeta,
} from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import type { Route } from "./+types/sign-in";

/** Where a sign-in without a `next` lands. */
const DEFAULT_NEXT = "/account";
/** Pages that are downloads, not documents: after signing in, the browser loads them itself. */
const RESOURCE_ROUTES = ["/account/export"];

export const meta: Route.MetaFunction = () => [
  { title: "Sign in — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const url = new URL(request.url);
  const next = safeNextPath(url.searchParams.get("next"), DEFAULT_NEXT);
  if (context.user) throw redirect(next, { headers: PRIVATE_NO_STORE });
  return data(
    { next, notices: noticesFor(SIGN_IN_NOTICES, url.searchParams) },
    { headers: PRIVATE_NO_STORE },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  const submission = parseWithZod(await request.formData(), { schema: signInSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const { email, password, next } = submission.value;
  const result = await signIn(
    await accountDeps(),
    { email, password },
    sessionMeta(request, context),
  );
  if (!result.ok) return rejectSubmission(submission, result);
  // Signing in as someone (else) while signed in: the old session ends rather than linger.
  if (context.sessionId) await invalidateSession(await db(), context.sessionId);
  const target = safeNextPath(next, DEFAULT_NEXT);
  return redirectSignedIn(target, result, context.secure, {
    document: RESOURCE_ROUTES.some((path) => target.split(/[?#]/)[0] === path),
  });
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function SignIn({ loaderData, actionData }: Route.ComponentProps) {
  const { next, notices } = loaderData;
  const [form, fields] = useAccountForm("sign-in", signInSchema, actionData);
  return (
    <AccountPage title="Sign in">
      {notices.map((notice) => (
        <Notice key={notice}>{notice}</Notice>
      ))}
      <Form method="post" {...getFormProps(form)}>
        <FormError id={form.errorId} errors={form.errors} />
        <input type="hidden" name={fields.next.name} value={next} />
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
          autoComplete="current-password"
        />
        <SubmitButton pendingLabel="Signing in…">Sign in</SubmitButton>
      </Form>
      <FormLinks>
        <li>
          <Link to="/forgot-password">Forgot your password?</Link>
        </li>
        <li>
          New here? <Link to="/sign-up">Create an account</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
