import { deleteAccount } from "@briefings/auth";
import { cancelSubscriptionsOfMember } from "@briefings/billing";
import { getFormProps } from "@conform-to/react";
import { parseWithZod } from "@conform-to/zod/v4";
import { data, Form, Link } from "react-router";
import { AccountPage, FormLinks, useAccountForm } from "#app/components/account/account-form.tsx";
import { DELETE_CONFIRMATION, deleteAccountSchema } from "#app/components/account/schemas.ts";
import { FormError, SubmitButton, TextField } from "#app/components/forms.tsx";
import {
  accountDeps,
  PRIVATE_NO_STORE,
  privateRouteHeaders,
  redirectSignedOut,
  rejectSubmission,
  requireUser,
} from "#app/lib/auth.server.ts";
import { stripe } from "#app/lib/billing.server.ts";
import { db } from "#app/lib/db.server.ts";
import { logger } from "#app/lib/logger.server.ts";
import type { Route } from "./+types/delete";

export const meta: Route.MetaFunction = () => [
  { title: "Delete your account — Briefings" },
  { name: "robots", content: "noindex" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  return data({ email: user.email }, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const submission = parseWithZod(await request.formData(), { schema: deleteAccountSchema });
  if (submission.status !== "success") return rejectSubmission(submission);
  const deps = await accountDeps();
  const result = await deleteAccount(
    deps,
    user.id,
    { password: submission.value.password },
    {
      // No card is charged for an account that no longer exists.
      beforeDelete: async (userId) => {
        const outcome = await cancelSubscriptionsOfMember(await db(), stripe(), userId);
        if (!outcome.ok) return outcome.message;
        if (outcome.canceled.length > 0)
          logger.info(
            { subscriptions: outcome.canceled },
            "subscriptions cancelled: account deleted",
          );
        return null;
      },
    },
  );
  if (!result.ok) return rejectSubmission(submission, result);
  return redirectSignedOut("/?account-deleted=1", context.secure);
}

export const headers: Route.HeadersFunction = privateRouteHeaders;

export default function DeleteAccount({ loaderData, actionData }: Route.ComponentProps) {
  const [form, fields] = useAccountForm("delete-account", deleteAccountSchema, actionData);
  return (
    <AccountPage title="Delete your account">
      <p>
        Deleting the account of <strong>{loaderData.email}</strong> removes, at once and for good:
      </p>
      <ul className="mt-2 list-disc pl-5">
        <li>your account: address, password and role;</li>
        <li>every session, on every device;</li>
        <li>your tier memberships, applications (with their evidence) and grants;</li>
        <li>
          any subscription: it is cancelled at once, with no further payment and no refund of the
          current period;
        </li>
        <li>any link we e-mailed you that you have not used.</li>
      </ul>
      <p className="mt-4">
        This cannot be undone. Want a copy first?{" "}
        <a href="/account/export" download>
          Download your data
        </a>
        .
      </p>
      <Form method="post" {...getFormProps(form)} className="mt-6">
        <FormError id={form.errorId} errors={form.errors} />
        <TextField
          meta={fields.password}
          label="Your password"
          type="password"
          autoComplete="current-password"
        />
        <TextField
          meta={fields.confirmation}
          label={`Type “${DELETE_CONFIRMATION}” to confirm`}
          autoComplete="off"
        />
        <SubmitButton variant="danger" pendingLabel="Deleting…">
          Delete my account
        </SubmitButton>
      </Form>
      <FormLinks>
        <li>
          <Link to="/account">Keep my account</Link>
        </li>
      </FormLinks>
    </AccountPage>
  );
}
