import { data, Form, Link, useNavigation } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable, EmptyState, NOWRAP_CELL } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, Notice, SubmitButton } from "#app/components/forms.tsx";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { plural } from "#app/lib/format.ts";
import { routeHeaders } from "#app/lib/http.server.ts";
import type { Route } from "./+types/members-import";
import {
  importPreviewed,
  previewUpload,
  readLimitedFormData,
  refusal,
  UploadError,
} from "./members-import.server.ts";

const NO_STORE = { "Cache-Control": "private, no-store" };
// The limits, as the page states them (the service enforces them: member-import.ts).
const MAX_MEGABYTES = 1;
const MAX_ROWS = 5000;

export function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  return data(null, { headers: NO_STORE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [
  { title: "Import members — Members — Administration" },
];

export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  try {
    const form = await readLimitedFormData(request);
    const intent = form.get("intent");
    if (intent === "preview") {
      return data(
        { step: "preview" as const, preview: await previewUpload(form) },
        { headers: NO_STORE },
      );
    }
    if (intent === "import") {
      const { fileName, report } = await importPreviewed(form, auditActor(context));
      return data({ step: "report" as const, fileName, report }, { headers: NO_STORE });
    }
    throw new UploadError('Invalid "intent": must be "preview" or "import"', 400);
  } catch (error) {
    const refused = refusal(error);
    if (!refused) throw error;
    return data(
      {
        step: "refused" as const,
        message: refused.message,
        field: error instanceof UploadError ? error.field : "file",
      },
      { status: refused.status, headers: NO_STORE },
    );
  }
}

const ACTION_LABELS = {
  create: "Create account",
  grant: "Add grant",
  skip: "Skip",
  error: "Error",
} as const;

const OUTCOME_LABELS = {
  created: "Created",
  granted: "Granted",
  skipped: "Skipped",
  failed: "Failed",
} as const;

const BADGE: Record<string, string> = {
  create: "bg-emerald-50 text-emerald-900",
  created: "bg-emerald-50 text-emerald-900",
  grant: "bg-sky-50 text-sky-900",
  granted: "bg-sky-50 text-sky-900",
  skip: "bg-slate-100 text-slate-700",
  skipped: "bg-slate-100 text-slate-700",
  error: "bg-red-50 text-red-800",
  failed: "bg-red-50 text-red-800",
};

function Badge({ kind, children }: { kind: string; children: string }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-semibold ${BADGE[kind] ?? ""}`}>
      {children}
    </span>
  );
}

function UploadForm({ error }: { error: string | null }) {
  return (
    <Form method="post" encType="multipart/form-data" className="mt-4 max-w-xl">
      <div className="mb-4">
        <label htmlFor="import-file" className="block text-sm font-medium">
          CSV file
        </label>
        <p id="import-file-hint" className="mt-0.5 text-sm text-muted">
          UTF-8, comma-separated, at most {MAX_MEGABYTES} MB and {plural(MAX_ROWS, "row")}.
        </p>
        <input
          id="import-file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          required
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? "import-file-hint import-file-error" : "import-file-hint"}
          className="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-2"
        />
        {error ? (
          <p id="import-file-error" className="mt-1 text-sm text-red-700" data-field-errors>
            {error}
          </p>
        ) : null}
      </div>
      <SubmitButton intent="preview" pendingLabel="Checking the file…">
        Preview the import
      </SubmitButton>
    </Form>
  );
}

function Instructions() {
  return (
    <div className="mt-4 max-w-3xl space-y-2 text-sm">
      <p>
        The first row names the columns, in any order: <code>email</code> (required),{" "}
        <code>tier</code> (a tier's slug, e.g. <code>strategic-circle</code>),{" "}
        <code>grant_ends</code> (the day complimentary access ends, as <code>YYYY-MM-DD</code>,
        needed with a tier) and <code>note</code> (added to the grant's reason).
      </p>
      <p>
        New accounts are made without a password and with their address unverified. When you import,
        you choose whether each new member is e-mailed an invitation: a link to choose a password
        (valid 7 days), which also confirms the address; without it, or after it expires, “Forgot
        your password?” on the sign-in page does the same. A tier becomes complimentary access,
        recorded as “Imported from CSV”. An address that already has an account only gets the grant;
        a row that would change nothing is skipped, so importing the same file again adds nothing.
      </p>
      <p>
        You see what will happen to each row before anything is written. Row numbers count the
        header as row 1.
      </p>
      <pre className="overflow-x-auto rounded-md bg-slate-100 p-3 text-xs">
        {
          "email,tier,grant_ends,note\nada@example.org,leadership-alliance,2027-06-30,Speaker at the summit\ngrace@example.org,,,\n"
        }
      </pre>
    </div>
  );
}

function Problems({ problems }: { problems: { column: string | null; message: string }[] }) {
  return (
    <ul className="space-y-0.5">
      {problems.map((problem) => (
        <li key={`${problem.column}-${problem.message}`}>
          {problem.column ? <code className="font-semibold">{problem.column}</code> : null}
          {problem.column ? ": " : null}
          {problem.message}
        </li>
      ))}
    </ul>
  );
}

function Progress() {
  const navigation = useNavigation();
  const intent = navigation.state === "submitting" ? navigation.formData?.get("intent") : null;
  return (
    <p aria-live="polite" className="mt-2 text-sm text-muted">
      {intent === "import"
        ? "Importing, one row at a time; a large file can take a minute. Keep this page open."
        : intent === "preview"
          ? "Checking every row of the file…"
          : ""}
    </p>
  );
}

export default function AdminMembersImport({ actionData }: Route.ComponentProps) {
  const step = actionData?.step ?? "upload";
  return (
    <AdminPage title="Import members">
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/members">← Back to members</Link>
      </p>
      <Progress />

      {actionData?.step === "preview" ? (
        <PreviewStep preview={actionData.preview} />
      ) : actionData?.step === "report" ? (
        <ReportStep fileName={actionData.fileName} report={actionData.report} />
      ) : (
        <>
          <Instructions />
          {actionData?.step === "refused" && actionData.field === null ? (
            <div className="mt-4 max-w-xl">
              <FormError errors={[actionData.message]} />
            </div>
          ) : null}
          <UploadForm
            error={
              actionData?.step === "refused" && actionData.field !== null
                ? actionData.message
                : null
            }
          />
        </>
      )}
      {step !== "upload" && step !== "refused" ? (
        <section aria-labelledby="another-heading" className="mt-10">
          <h2 id="another-heading" className="text-xl font-semibold">
            {step === "preview" ? "Or choose another file" : "Import another file"}
          </h2>
          <UploadForm error={null} />
        </section>
      ) : null}
    </AdminPage>
  );
}

type PreviewData = Extract<NonNullable<Route.ComponentProps["actionData"]>, { step: "preview" }>;
type ReportData = Extract<NonNullable<Route.ComponentProps["actionData"]>, { step: "report" }>;

function PreviewStep({ preview }: { preview: PreviewData["preview"] }) {
  const { counts, rows } = preview;
  const toWrite = counts.create + counts.grant;
  return (
    <section aria-labelledby="preview-heading" className="mt-4">
      <h2 id="preview-heading" className="text-xl font-semibold">
        Preview{preview.fileName ? ` of ${preview.fileName}` : ""}
      </h2>
      <p className="mt-1 text-sm text-muted">Nothing has been written yet.</p>
      <ul className="mt-3 space-y-1 text-sm" data-import-summary>
        <li>{plural(counts.create, "new account")} will be created</li>
        <li>{plural(counts.grant, "existing account")} will get a grant</li>
        <li>{plural(counts.skip, "row")} will be skipped (nothing to change)</li>
        <li className={counts.error > 0 ? "font-medium text-red-800" : ""}>
          {plural(counts.error, "row")} with errors will not be imported
        </li>
      </ul>
      {toWrite > 0 ? (
        <Form method="post" encType="multipart/form-data" className="mt-4">
          <input type="hidden" name="content" value={preview.content} />
          <input type="hidden" name="sha256" value={preview.sha256} />
          <input type="hidden" name="fileName" value={preview.fileName} />
          {counts.create > 0 ? (
            <div className="mb-3 flex items-start gap-2 text-sm">
              <input
                id="import-invite"
                type="checkbox"
                name="invite"
                defaultChecked
                className="mt-1"
              />
              <label htmlFor="import-invite">
                E-mail each new member an invitation to choose a password (the link works for 7
                days)
              </label>
            </div>
          ) : null}
          <SubmitButton intent="import" pendingLabel="Importing…">
            {`Import ${plural(toWrite, "row")}`}
          </SubmitButton>
          {counts.error > 0 ? (
            <p className="mt-2 text-sm text-muted">
              Rows with errors are left out; fix them and import the file again later (rows already
              imported are then skipped).
            </p>
          ) : null}
        </Form>
      ) : (
        <Notice>Nothing in this file would change anything: there is nothing to import.</Notice>
      )}
      <DataTable
        caption="What importing each row will do"
        head={["Row", "E-mail", "Will", "Details"]}
      >
        {rows.map((row) => (
          <tr key={row.row} data-import-row={row.row} data-import-action={row.action}>
            <td className={NOWRAP_CELL}>{row.row}</td>
            <th scope="row" className={`${CELL} break-all font-medium`}>
              {row.email || <span className="text-muted">(empty)</span>}
            </th>
            <td className={NOWRAP_CELL}>
              <Badge kind={row.action}>{ACTION_LABELS[row.action]}</Badge>
            </td>
            <td className={CELL}>
              {row.action === "error" ? (
                <Problems problems={row.problems} />
              ) : row.action === "skip" ? (
                row.reason
              ) : (
                <>
                  {row.tier && row.grantEnds
                    ? `${row.action === "create" ? "With complimentary" : "Complimentary"} ${row.tier} until ${row.grantEnds}`
                    : "No tier"}
                  {row.note ? <span className="block text-muted">Note: {row.note}</span> : null}
                </>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
    </section>
  );
}

function ReportStep({ fileName, report }: { fileName: string; report: ReportData["report"] }) {
  const { counts, rows } = report;
  return (
    <section aria-labelledby="report-heading" className="mt-4">
      <h2 id="report-heading" className="text-xl font-semibold">
        Imported{fileName ? ` ${fileName}` : ""}
      </h2>
      <div role="status" className="mt-3 text-sm" data-import-summary>
        <p>
          {plural(counts.created, "account")} created, {plural(counts.granted, "grant")} added to
          existing accounts, {plural(counts.skipped, "row")} skipped, {plural(counts.failed, "row")}{" "}
          failed.
        </p>
      </div>
      {rows.length === 0 ? (
        <EmptyState>The file had no rows.</EmptyState>
      ) : (
        <DataTable
          caption="What happened to each row"
          head={["Row", "E-mail", "Outcome", "Details"]}
        >
          {rows.map((row) => (
            <tr key={row.row} data-import-row={row.row} data-import-outcome={row.outcome}>
              <td className={NOWRAP_CELL}>{row.row}</td>
              <th scope="row" className={`${CELL} break-all font-medium`}>
                {row.userId && row.outcome !== "failed" ? (
                  <Link to={`/admin/members/${row.userId}`}>{row.email}</Link>
                ) : (
                  row.email || <span className="text-muted">(empty)</span>
                )}
              </th>
              <td className={NOWRAP_CELL}>
                <Badge kind={row.outcome}>{OUTCOME_LABELS[row.outcome]}</Badge>
              </td>
              <td className={CELL}>{row.detail}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
