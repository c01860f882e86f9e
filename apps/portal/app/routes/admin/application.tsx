import { getApplication, reviewApplication } from "@briefings/auth";
import { type ApplicationStatus, reviewSchema } from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { getFormProps, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { EvidenceLists } from "#app/components/admin/evidence.tsx";
import { RadioGroupField } from "#app/components/admin/fields.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, SubmitButton, TextareaField } from "#app/components/forms.tsx";
import { accountDeps, auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { notFound, routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/application";

const NO_STORE = { "Cache-Control": "private, no-store" };

/** The id in the address; anything that is not a UUID is a 404 without a query. */
function applicationId(value: string | undefined): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) notFound("There is no application at this address.");
  return parsed.data;
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const id = applicationId(params.id);
  const database = await db();
  const application = await getApplication(database, id);
  if (!application) notFound("There is no application at this address.");
  const tier = (await listTiers(database)).find((t) => t.slug === application.tierSlug);
  return data(
    {
      application: {
        id: application.id,
        status: application.status,
        tierName: tier?.name ?? application.tierSlug,
        applicantEmail: application.applicantEmail,
        applicantId: application.userId,
        organisation: application.organisation,
        website: application.website,
        roleTitle: application.roleTitle,
        evidence: application.evidence,
        statement: application.statement,
        reviewerMessage: application.reviewerMessage,
        submittedAt: application.submittedAt.toISOString(),
        decidedAt: application.decidedAt?.toISOString() ?? null,
      },
    },
    { headers: NO_STORE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData
      ? `${loaderData.application.organisation} — Applications — Administration`
      : "Application — Administration",
  },
];

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const id = applicationId(params.id);
  const formData = await request.formData();
  const submission = parseWithZod(formData, { schema: reviewSchema });
  if (submission.status !== "success") {
    return data(submission.reply(), { status: 400, headers: NO_STORE });
  }
  const result = await reviewApplication(
    await accountDeps(),
    auditActor(context),
    id,
    submission.value,
  );
  if (!result.ok) {
    return data(
      submission.reply({ formErrors: [result.formError ?? "The decision was not recorded."] }),
      { status: result.status, headers: NO_STORE },
    );
  }
  throw redirect(`/admin/applications?decided=${result.status}`, {
    status: 303,
    headers: NO_STORE,
  });
}

const STATUS_TEXT: Record<ApplicationStatus, string> = {
  pending: "Waiting for a decision",
  "needs-info": "Returned to the applicant for more information",
  approved: "Approved",
  rejected: "Rejected",
};

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-2 sm:grid sm:grid-cols-4 sm:gap-4">
      <dt className="text-sm font-medium text-muted">{label}</dt>
      <dd className="mt-1 min-w-0 break-words sm:col-span-3 sm:mt-0">{children}</dd>
    </div>
  );
}

function DecisionForm({ lastResult }: { lastResult: Route.ComponentProps["actionData"] }) {
  const [form, fields] = useForm({
    id: "review",
    lastResult,
    constraint: getZodConstraint(reviewSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: reviewSchema }),
  });
  return (
    <section aria-labelledby="decision-heading" className="mt-8 max-w-2xl">
      <h2 id="decision-heading" className="text-xl font-semibold">
        Decision
      </h2>
      <Form method="post" {...getFormProps(form)} className="mt-3">
        <FormError id={form.errorId} errors={form.errors} />
        <RadioGroupField
          meta={fields.decision}
          legend="Your decision"
          choices={[
            { value: "approve", label: "Approve", hint: "The applicant gets access to the tier." },
            {
              value: "reject",
              label: "Reject",
              hint: "Give the reason below; the applicant may apply again.",
            },
            {
              value: "needs-info",
              label: "Ask for more information",
              hint: "Say below what to add; the application returns here when updated.",
            },
          ]}
        />
        <TextareaField
          meta={fields.message}
          label="Message to the applicant"
          hint="Required to reject or to ask for more. It is e-mailed to the applicant and shown on their membership page."
          rows={4}
        />
        <SubmitButton pendingLabel="Recording…">Record decision</SubmitButton>
      </Form>
    </section>
  );
}

export default function AdminApplication({ loaderData, actionData }: Route.ComponentProps) {
  const { application } = loaderData;
  return (
    <AdminPage title={application.organisation}>
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/applications">← Back to the queue</Link>
      </p>
      <p className="mt-4">
        <span className="rounded-full bg-slate-100 px-3 py-1 text-sm font-medium">
          {STATUS_TEXT[application.status]}
        </span>
      </p>
      <dl className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white px-4">
        <Field label="Tier">{application.tierName}</Field>
        <Field label="Applicant">
          <Link to={`/admin/members/${application.applicantId}`}>{application.applicantEmail}</Link>
        </Field>
        <Field label="Organisation">{application.organisation}</Field>
        <Field label="Website">
          {/^https?:\/\//i.test(application.website) ? (
            <a href={application.website} target="_blank" rel="noopener noreferrer">
              {application.website}
              <span className="sr-only"> (opens in a new tab)</span>
            </a>
          ) : (
            application.website
          )}
        </Field>
        <Field label="Role">{application.roleTitle}</Field>
        <Field label="Submitted">
          <time dateTime={isoDate(application.submittedAt)}>
            {formatDate(application.submittedAt)}
          </time>
        </Field>
        {application.decidedAt ? (
          <Field label="Decided">
            <time dateTime={isoDate(application.decidedAt)}>
              {formatDate(application.decidedAt)}
            </time>
          </Field>
        ) : null}
        {application.reviewerMessage ? (
          <Field label="Reviewer's message">
            <p className="whitespace-pre-wrap">{application.reviewerMessage}</p>
          </Field>
        ) : null}
      </dl>
      <section aria-labelledby="evidence-heading" className="mt-8">
        <h2 id="evidence-heading" className="text-xl font-semibold">
          Evidence of IP holdings
        </h2>
        <div className="mt-3 rounded-lg border border-slate-200 bg-white p-4">
          <EvidenceLists evidence={application.evidence} />
        </div>
      </section>
      <section aria-labelledby="statement-heading" className="mt-8">
        <h2 id="statement-heading" className="text-xl font-semibold">
          Statement
        </h2>
        <p className="mt-3 whitespace-pre-wrap break-words rounded-lg border border-slate-200 bg-white p-4">
          {application.statement}
        </p>
      </section>
      {application.status === "pending" ? (
        <DecisionForm lastResult={actionData} />
      ) : actionData ? (
        // The application was decided by someone else between load and submit.
        <div className="mt-8 max-w-2xl">
          <FormError errors={actionData.error?.[""] ?? ["The decision was not recorded."]} />
        </div>
      ) : null}
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
