import {
  addApplicationNote,
  getApplication,
  listApplicantApplications,
  listApplicationNotes,
  reviewApplication,
} from "@briefings/auth";
import {
  type ApplicationStatus,
  REVIEW_NOTE_MAX_LENGTH,
  reviewNoteSchema,
  reviewSchema,
} from "@briefings/core";
import { listTiers } from "@briefings/db/queries";
import { getFormProps, type SubmissionResult, useForm } from "@conform-to/react";
import { getZodConstraint, parseWithZod } from "@conform-to/zod/v4";
import type { ReactNode } from "react";
import { data, Form, Link, redirect } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { EvidenceLists, WebsiteLink } from "#app/components/admin/evidence.tsx";
import { RadioGroupField } from "#app/components/admin/fields.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, Notice, SubmitButton, TextareaField } from "#app/components/forms.tsx";
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
  const [tiers, notes, history] = await Promise.all([
    listTiers(database),
    listApplicationNotes(database, id),
    listApplicantApplications(database, application.userId, { except: id }),
  ]);
  const tierName = (slug: string) => tiers.find((t) => t.slug === slug)?.name ?? slug;
  return data(
    {
      noted: new URL(request.url).searchParams.has("noted"),
      application: {
        id: application.id,
        status: application.status,
        tierName: tierName(application.tierSlug),
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
      notes: notes.map((note) => ({
        id: note.id,
        author: note.author,
        body: note.body,
        createdAt: note.createdAt.toISOString(),
      })),
      // No statements here: each application's own page shows its own.
      history: history.map((item) => ({
        id: item.id,
        organisation: item.organisation,
        tierName: tierName(item.tierSlug),
        status: item.status,
        submittedAt: item.submittedAt.toISOString(),
        decidedAt: item.decidedAt?.toISOString() ?? null,
      })),
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

type ActionAnswer = {
  intent: "decide" | "note" | null;
  result: SubmissionResult<string[]> | null;
  formError: string | null;
};

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const id = applicationId(params.id);
  const formData = await request.formData();
  const intent = formData.get("intent");
  const answer = (body: ActionAnswer, status: number) => data(body, { status, headers: NO_STORE });

  if (intent === "note") {
    const submission = parseWithZod(formData, { schema: reviewNoteSchema });
    if (submission.status !== "success") {
      return answer({ intent, result: submission.reply(), formError: null }, 400);
    }
    const result = await addApplicationNote(
      await db(),
      auditActor(context),
      id,
      submission.value.body,
    );
    if (!result.ok) {
      if (result.formError) notFound("There is no application at this address.");
      return answer(
        {
          intent,
          result: submission.reply({ fieldErrors: result.fieldErrors ?? {} }),
          formError: null,
        },
        result.status,
      );
    }
    throw redirect(`/admin/applications/${id}?noted=1#notes`, { status: 303, headers: NO_STORE });
  }

  if (intent === "decide") {
    const submission = parseWithZod(formData, { schema: reviewSchema });
    if (submission.status !== "success") {
      return answer({ intent, result: submission.reply(), formError: null }, 400);
    }
    const result = await reviewApplication(
      await accountDeps(),
      auditActor(context),
      id,
      submission.value,
    );
    if (!result.ok) {
      const message = result.formError ?? "The decision was not recorded.";
      return answer(
        { intent, result: submission.reply({ formErrors: [message] }), formError: message },
        result.status,
      );
    }
    throw redirect(`/admin/applications?decided=${result.status}`, {
      status: 303,
      headers: NO_STORE,
    });
  }

  return answer(
    { intent: null, result: null, formError: 'Invalid "intent": must be "decide" or "note"' },
    400,
  );
}

const STATUS_TEXT: Record<ApplicationStatus, string> = {
  pending: "Waiting for a decision",
  "needs-info": "Returned to the applicant for more information",
  approved: "Approved",
  rejected: "Rejected",
};

const STATUS_LABELS: Record<ApplicationStatus, string> = {
  pending: "Pending",
  "needs-info": "Needs info",
  approved: "Approved",
  rejected: "Rejected",
};

const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  dateStyle: "long",
  timeStyle: "short",
  timeZone: "UTC",
});

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="py-2 sm:grid sm:grid-cols-4 sm:gap-4">
      <dt className="text-sm font-medium text-muted">{label}</dt>
      <dd className="mt-1 min-w-0 break-words sm:col-span-3 sm:mt-0">{children}</dd>
    </div>
  );
}

function DecisionForm({ lastResult }: { lastResult: SubmissionResult<string[]> | null }) {
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
        <SubmitButton intent="decide" pendingLabel="Recording…">
          Record decision
        </SubmitButton>
      </Form>
    </section>
  );
}

type Note = Route.ComponentProps["loaderData"]["notes"][number];

function NotesSection({
  notes,
  noted,
  lastResult,
}: {
  notes: readonly Note[];
  noted: boolean;
  lastResult: SubmissionResult<string[]> | null;
}) {
  const [form, fields] = useForm({
    // A new id after each note added: the form starts empty again.
    id: `note-${notes.length}`,
    lastResult,
    constraint: getZodConstraint(reviewNoteSchema),
    shouldValidate: "onBlur",
    shouldRevalidate: "onInput",
    onValidate: ({ formData }) => parseWithZod(formData, { schema: reviewNoteSchema }),
  });
  return (
    <section id="notes" aria-labelledby="notes-heading" className="mt-8 max-w-3xl">
      <h2 id="notes-heading" className="text-xl font-semibold">
        Notes between reviewers
      </h2>
      <p className="mt-1 text-sm text-muted">
        Only admins and owners see these notes. The applicant never does: they are not on the
        applicant's pages, in their data export or in any e-mail.
      </p>
      {notes.length === 0 ? (
        <p className="mt-3 rounded-lg border border-dashed border-slate-300 bg-white p-4 text-sm text-muted">
          No notes yet.
        </p>
      ) : (
        <ol className="mt-3 space-y-3" aria-label="Notes, oldest first">
          {notes.map((note) => (
            <li
              key={note.id}
              className="rounded-lg border border-slate-200 bg-white p-4"
              data-application-note
            >
              <p className="text-sm text-muted">
                <span className="font-medium text-ink break-all">{note.author}</span>,{" "}
                <time dateTime={note.createdAt}>
                  {dateTimeFormat.format(new Date(note.createdAt))} UTC
                </time>
              </p>
              <p className="mt-1 whitespace-pre-wrap break-words">{note.body}</p>
            </li>
          ))}
        </ol>
      )}
      <div className="mt-4">{noted ? <Notice>Your note was added.</Notice> : null}</div>
      <Form method="post" {...getFormProps(form)} className="mt-2">
        <FormError id={form.errorId} errors={form.errors} />
        <TextareaField
          meta={fields.body}
          label="Add a note"
          hint={`For the other reviewers, up to ${REVIEW_NOTE_MAX_LENGTH} characters. Notes cannot be edited or removed.`}
          rows={3}
        />
        <SubmitButton intent="note" pendingLabel="Adding…" variant="secondary">
          Add note
        </SubmitButton>
      </Form>
    </section>
  );
}

type HistoryItem = Route.ComponentProps["loaderData"]["history"][number];

function HistorySection({ history }: { history: readonly HistoryItem[] }) {
  return (
    <section aria-labelledby="history-heading" className="mt-8">
      <h2 id="history-heading" className="text-xl font-semibold">
        The applicant's other applications
      </h2>
      {history.length === 0 ? (
        <p className="mt-3 text-sm text-muted">This is the applicant's only application.</p>
      ) : (
        <DataTable
          caption="The applicant's other applications, newest first"
          head={["Organisation", "Tier", "Status", "Submitted", "Decided"]}
        >
          {history.map((item) => (
            <tr key={item.id}>
              <th scope="row" className={`${CELL} font-medium`}>
                <Link to={`/admin/applications/${item.id}`}>{item.organisation}</Link>
              </th>
              <td className={NOWRAP_CELL}>{item.tierName}</td>
              <td className={NOWRAP_CELL}>{STATUS_LABELS[item.status]}</td>
              <td className={NOWRAP_CELL}>
                <time dateTime={isoDate(item.submittedAt)}>{formatDate(item.submittedAt)}</time>
              </td>
              <td className={NOWRAP_CELL}>
                {item.decidedAt ? (
                  <time dateTime={isoDate(item.decidedAt)}>{formatDate(item.decidedAt)}</time>
                ) : (
                  "—"
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export default function AdminApplication({ loaderData, actionData }: Route.ComponentProps) {
  const { application, notes, history, noted } = loaderData;
  const decision = actionData?.intent === "decide" ? actionData : null;
  const note = actionData?.intent === "note" ? actionData : null;
  return (
    <AdminPage title={application.organisation}>
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/applications">← Back to the queue</Link>
      </p>
      <p className="mt-4 flex flex-wrap items-center gap-3">
        <span className="rounded-full bg-slate-100 px-3 py-1 text-sm font-medium">
          {STATUS_TEXT[application.status]}
        </span>
        <a href="#notes" className="text-sm">
          {notes.length === 0
            ? "No notes between reviewers"
            : `${notes.length} ${notes.length === 1 ? "note" : "notes"} between reviewers`}
        </a>
      </p>
      {actionData && actionData.intent === null ? (
        <div className="mt-4 max-w-2xl">
          <FormError errors={[actionData.formError ?? "Nothing was done."]} />
        </div>
      ) : null}
      <dl className="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white px-4">
        <Field label="Tier">{application.tierName}</Field>
        <Field label="Applicant">
          <Link to={`/admin/members/${application.applicantId}`}>{application.applicantEmail}</Link>
        </Field>
        <Field label="Organisation">{application.organisation}</Field>
        <Field label="Website">
          <WebsiteLink website={application.website} />
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
        <p className="mt-1 text-sm text-muted">
          Each item links to its registry record (RDAP) and, for AS numbers, to what the AS
          announces (bgp.tools). Check that the records name the applicant's organisation.
        </p>
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
        <DecisionForm lastResult={decision?.result ?? null} />
      ) : decision ? (
        // The application was decided by someone else between load and submit.
        <div className="mt-8 max-w-2xl">
          <FormError errors={[decision.formError ?? "The decision was not recorded."]} />
        </div>
      ) : null}
      <NotesSection notes={notes} noted={noted} lastResult={note?.result ?? null} />
      <HistorySection history={history} />
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
