import { type FormEvent, useEffect, useRef, useState } from "react";
import { data, Link, type ShouldRevalidateFunctionArgs } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable } from "#app/components/admin/data-table.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FieldErrors } from "#app/components/forms.tsx";
import {
  type FileReport,
  formatBytes,
  type ImportAnswer,
  UPLOAD_LIMITS,
  UploadError,
} from "#app/lib/article-upload.ts";
import { auditActor, PRIVATE_NO_STORE, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { getDatabase } from "#app/lib/db.server.ts";
import { routeHeaders } from "#app/lib/http.server.ts";
import {
  emptyReport,
  readChosenFiles,
  runImport,
  type UploadReport,
  useBatchSender,
} from "#app/lib/import-client.ts";
import { publicContentChanged } from "#app/lib/public-cache.server.ts";
import type { Route } from "./+types/import";
import { importUpload, SEAL_KEY } from "./import.server.ts";

export function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  return data({ sealKey: SEAL_KEY !== null }, { headers: PRIVATE_NO_STORE });
}

export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const handle = await getDatabase();
  const answer = await importUpload(request, {
    db: handle.db,
    // PGlite has one connection; Postgres overlaps the commits of a few files.
    concurrency: handle.driver === "postgres" ? 4 : 1,
    actor: auditActor(context),
    sealKey: SEAL_KEY,
  });
  // Whatever this batch wrote (nothing on a dry run or a refusal) shows in the lists now.
  if (answer.status === 200) publicContentChanged();
  return data(answer.body, { status: answer.status, headers: PRIVATE_NO_STORE });
}

export const headers: Route.HeadersFunction = routeHeaders;

/** Nothing this page loads changes with an import (the batches post here many times). */
export function shouldRevalidate({
  formMethod,
  defaultShouldRevalidate,
}: ShouldRevalidateFunctionArgs) {
  return formMethod === "POST" ? false : defaultShouldRevalidate;
}

export const meta: Route.MetaFunction = () => [{ title: "Import articles — Administration" }];

/** Rows listed besides the rejected ones (always all listed); the totals count every file. */
const ROW_LIMIT = 1_000;

type Phase =
  | { kind: "idle" }
  | { kind: "reading" }
  | { kind: "sending"; done: number; total: number };

function fromAnswer(answer: ImportAnswer | undefined): UploadReport | null {
  if (!answer?.ok) return null;
  return {
    ...emptyReport(answer.dryRun, answer.skipped),
    files: answer.files,
    totals: answer.totals,
    sealKey: answer.sealKey,
  };
}

export default function AdminImport({ loaderData, actionData }: Route.ComponentProps) {
  const send = useBatchSender();
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  // Set once the browser has run an import; until then the server's answer (no JavaScript) shows.
  const [clientRun, setClientRun] = useState<{
    report: UploadReport | null;
    error: string | null;
  } | null>(null);
  const [stopping, setStopping] = useState(false);
  const stop = useRef(false);
  const running = phase.kind !== "idle";
  // Until the page is hydrated the form posts itself, whole, to the action.
  const [enhanced, setEnhanced] = useState(false);
  useEffect(() => setEnhanced(true), []);

  useEffect(() => {
    if (!running) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [running]);

  const report = clientRun ? clientRun.report : fromAnswer(actionData);
  const error = clientRun ? clientRun.error : actionData?.ok === false ? actionData.error : null;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (running) return;
    const form = event.currentTarget;
    const input = form.elements.namedItem("files") as HTMLInputElement;
    const dryRun = (form.elements.namedItem("dryRun") as HTMLInputElement).checked;
    const chosen = Array.from(input.files ?? []);
    stop.current = false;
    setStopping(false);
    if (chosen.length === 0) {
      setClientRun({ report: null, error: "Choose at least one article file or .zip." });
      input.focus();
      return;
    }
    setClientRun({ report: null, error: null });
    setPhase({ kind: "reading" });
    try {
      const { files, skipped } = await readChosenFiles(chosen);
      if (files.length === 0) {
        setClientRun({
          report: { ...emptyReport(dryRun, skipped) },
          error: "There is no article file (.md or .txt) among the chosen files.",
        });
        return;
      }
      if (stop.current) {
        setClientRun({
          report: { ...emptyReport(dryRun, skipped), cancelled: true, notSent: files.length },
          error: null,
        });
        return;
      }
      setPhase({ kind: "sending", done: 0, total: files.length });
      const finished = await runImport({
        files,
        skipped,
        dryRun,
        send,
        shouldStop: () => stop.current,
        onProgress: (partial, done) => {
          setClientRun({ report: partial, error: null });
          setPhase({ kind: "sending", done, total: files.length });
        },
      });
      setClientRun({ report: finished, error: null });
    } catch (caught) {
      setClientRun({
        report: null,
        error:
          caught instanceof UploadError
            ? caught.message
            : `The chosen files could not be read: ${caught instanceof Error ? caught.message : String(caught)}`,
      });
      // Once the fieldset is enabled again, back to the field the error is about.
      setTimeout(() => input.focus());
    } finally {
      setPhase({ kind: "idle" });
    }
  }

  const progress =
    phase.kind === "sending"
      ? { done: phase.done, total: phase.total }
      : report && clientRun
        ? { done: report.totals.files, total: report.totals.files + report.notSent }
        : null;

  return (
    <AdminPage title="Import articles">
      <div className="mt-2 max-w-3xl space-y-2 text-muted">
        <p>
          Article files in the front-matter format (<code>.md</code> or <code>.txt</code>), or{" "}
          <code>.zip</code> archives of them. Each file is checked and written on its own and
          matched by its <code>webUrl</code>: it is <strong>imported</strong>,{" "}
          <strong>updated</strong> (with what changed), <strong>unchanged</strong> (nothing is
          written), or <strong>rejected</strong> with the line and field of each problem, and the
          other files carry on. Every write is recorded in the audit log under your name.
        </p>
        <p>
          {loaderData.sealKey
            ? "Premium text (secured) is decrypted with the configured ARTICLE_SEAL_KEY."
            : "ARTICLE_SEAL_KEY is not set: premium text (secured) is kept sealed."}
        </p>
      </div>

      <form
        method="post"
        encType="multipart/form-data"
        onSubmit={onSubmit}
        data-enhanced={enhanced || undefined}
        className="mt-6 max-w-3xl rounded-lg border border-slate-200 bg-white p-5"
      >
        <fieldset disabled={running}>
          <legend className="sr-only">Files to import</legend>
          <div className="mb-4">
            <label htmlFor="import-files" className="block text-sm font-medium">
              Article files or .zip archives
            </label>
            <p id="import-files-hint" className="mt-0.5 text-sm text-muted">
              At most {formatBytes(UPLOAD_LIMITS.maxFileBytes)} per article file and{" "}
              {UPLOAD_LIMITS.maxZipEntries.toLocaleString("en")} entries (
              {formatBytes(UPLOAD_LIMITS.maxUncompressedBytes)} unpacked) per archive. Folders,
              __MACOSX and hidden files inside an archive are skipped and listed.
            </p>
            <input
              id="import-files"
              name="files"
              type="file"
              multiple
              required
              accept=".md,.txt,.zip,text/markdown,text/plain,application/zip"
              aria-invalid={error ? true : undefined}
              aria-describedby={
                error ? "import-files-hint import-files-error" : "import-files-hint"
              }
              className="mt-2 block w-full text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-2 file:text-sm file:font-semibold"
            />
            <FieldErrors id="import-files-error" errors={error ? [error] : undefined} />
          </div>
          <div className="mb-4 flex items-start gap-2">
            <input
              id="import-dry-run"
              name="dryRun"
              type="checkbox"
              value="on"
              aria-describedby="import-dry-run-hint"
              className="mt-1"
            />
            <div className="text-sm">
              <label htmlFor="import-dry-run" className="font-medium">
                Dry run
              </label>
              <p id="import-dry-run-hint" className="text-muted">
                Check every file and report what would happen; nothing is written.
              </p>
            </div>
          </div>
        </fieldset>
        <div className="flex flex-wrap items-center gap-3">
          <button
            type="submit"
            disabled={running}
            className="inline-flex items-center rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark disabled:opacity-60"
          >
            {running ? "Importing…" : "Import"}
          </button>
          {running ? (
            <button
              type="button"
              disabled={stopping}
              onClick={() => {
                stop.current = true;
                setStopping(true);
              }}
              className="inline-flex items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-semibold text-ink hover:bg-slate-50 disabled:opacity-60"
            >
              {stopping ? "Stopping after this batch…" : "Cancel"}
            </button>
          ) : null}
        </div>
        <div aria-live="polite" className="mt-4 text-sm">
          {phase.kind === "reading" ? <p>Reading the chosen files…</p> : null}
          {progress ? (
            <div className="flex flex-wrap items-center gap-3">
              <progress
                aria-label="Files processed"
                max={Math.max(progress.total, 1)}
                value={progress.done}
                className="h-2 w-full max-w-xs"
              />
              <span data-import-progress>
                {progress.done.toLocaleString("en")} of {progress.total.toLocaleString("en")} files
              </span>
            </div>
          ) : null}
        </div>
      </form>

      {report ? <ImportReportView report={report} /> : null}
    </AdminPage>
  );
}

/** Items with React keys made from `keyOf`, numbered where it repeats (names can, across archives). */
function keyed<T>(items: readonly T[], keyOf: (item: T) => string): { item: T; key: string }[] {
  const seen = new Map<string, number>();
  return items.map((item) => {
    const base = keyOf(item);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return { item, key: n === 1 ? base : `${base}#${n}` };
  });
}

const OUTCOME_STYLE: Record<FileReport["outcome"], string> = {
  imported: "bg-emerald-50 text-emerald-900 border-emerald-300",
  updated: "bg-sky-50 text-sky-900 border-sky-300",
  unchanged: "bg-slate-50 text-slate-700 border-slate-300",
  rejected: "bg-red-50 text-red-800 border-red-300",
};

function ImportReportView({ report }: { report: UploadReport }) {
  const { totals } = report;
  const rejected = report.files.filter((file) => file.outcome === "rejected");
  const others = report.files.filter((file) => file.outcome !== "rejected");
  const listed = [...rejected, ...others.slice(0, ROW_LIMIT)];
  const sealed = report.files.filter((file) => file.premiumText === "sealed").length;
  const written = !report.dryRun && totals.imported + totals.updated > 0;
  return (
    <section aria-labelledby="import-report" className="mt-8">
      <h2 id="import-report" className="text-xl font-semibold">
        {report.dryRun ? "Dry run report" : "Import report"}
      </h2>
      {report.dryRun ? (
        <p className="mt-1 text-sm text-muted">
          Dry run: nothing was written. Each outcome says what an import would do.
        </p>
      ) : null}
      {report.cancelled ? (
        <p className="mt-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          Cancelled: {totals.files.toLocaleString("en")} files were processed (below); the other{" "}
          {report.notSent.toLocaleString("en")} were not sent.
        </p>
      ) : null}
      {report.error ? (
        <p
          role="alert"
          className="mt-2 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800"
        >
          {report.error} {totals.files.toLocaleString("en")} files were processed (below); the other{" "}
          {report.notSent.toLocaleString("en")} were not sent.
        </p>
      ) : null}
      <dl className="mt-3 flex flex-wrap gap-x-6 gap-y-2 text-sm" data-import-totals>
        {(
          [
            ["Files", totals.files],
            ["Imported", totals.imported],
            ["Updated", totals.updated],
            ["Unchanged", totals.unchanged],
            ["Rejected", totals.rejected],
          ] as const
        ).map(([label, value]) => (
          <div key={label} className="flex gap-1">
            <dt className="text-muted">{label}:</dt>
            <dd className="font-semibold" data-total={label.toLowerCase()}>
              {value.toLocaleString("en")}
            </dd>
          </div>
        ))}
      </dl>
      {sealed > 0 && report.sealKey === false ? (
        <p className="mt-2 text-sm text-muted">
          {sealed === 1
            ? "1 of these files carries premium text that stays sealed"
            : `${sealed.toLocaleString("en")} of these files carry premium text that stays sealed`}
          : ARTICLE_SEAL_KEY is not set.
        </p>
      ) : null}
      {written ? (
        <p className="mt-2 text-sm text-muted">
          Readers who are not signed in may see the previous news lists for a few more seconds (the
          page cache).
        </p>
      ) : null}
      {report.files.length > 0 ? (
        <DataTable caption="Every file and its outcome" head={["File", "Outcome", "Details"]}>
          {keyed(listed, (file) => file.file).map(({ item: file, key }) => (
            <tr key={key} data-file={file.file} data-outcome={file.outcome}>
              <th scope="row" className={`${CELL} min-w-40 break-all font-medium`}>
                {file.file}
              </th>
              <td className={CELL}>
                <span
                  className={`inline-block rounded border px-2 py-0.5 text-xs font-semibold ${OUTCOME_STYLE[file.outcome]}`}
                >
                  {file.outcome}
                </span>
              </td>
              <td className={`${CELL} min-w-64`}>
                <FileDetails file={file} dryRun={report.dryRun} />
              </td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {others.length > ROW_LIMIT ? (
        <p className="mt-2 text-sm text-muted">
          Every rejected file is listed, and the first {ROW_LIMIT.toLocaleString("en")} others; the
          totals above count all {totals.files.toLocaleString("en")}.
        </p>
      ) : null}
      {report.skipped.length > 0 ? (
        <details className="mt-4" open={report.skipped.length <= 20}>
          <summary className="cursor-pointer text-sm font-medium">
            Skipped: {report.skipped.length.toLocaleString("en")} not imported
          </summary>
          <ul className="mt-2 space-y-1 text-sm" data-import-skipped>
            {keyed(report.skipped, (entry) => `${entry.archive ?? ""}/${entry.name}`).map(
              ({ item: entry, key }) => (
                <li key={key} data-skipped={entry.name}>
                  <span className="break-all font-medium">{entry.name}</span>
                  {entry.archive ? <span className="text-muted"> in {entry.archive}</span> : null}:{" "}
                  {entry.reason}
                </li>
              ),
            )}
          </ul>
        </details>
      ) : null}
    </section>
  );
}

function FileDetails({ file, dryRun }: { file: FileReport; dryRun: boolean }) {
  if (file.outcome === "rejected") {
    const problems =
      file.problems ??
      (file.issues ?? []).map((issue) => ({ field: null, line: null, message: issue }));
    return (
      <ul className="space-y-1 text-red-800">
        {keyed(problems, (p) => `${p.line}:${p.field}:${p.message}`).map(
          ({ item: problem, key }) => (
            <li
              key={key}
              data-problem
              data-line={problem.line ?? ""}
              data-field={problem.field ?? ""}
            >
              <span className="font-medium">
                {problem.line === null ? "File" : `Line ${problem.line}`}
                {problem.field === null ? null : (
                  <>
                    , <code>{problem.field}</code>
                  </>
                )}
                :
              </span>{" "}
              {problem.message}
            </li>
          ),
        )}
      </ul>
    );
  }
  return (
    <div className="space-y-1">
      {file.slug ? (
        dryRun || !file.slug ? (
          <p className="break-all text-muted">/news/{file.slug}</p>
        ) : (
          <p>
            <Link to={`/news/${file.slug}`} className="break-all">
              /news/{file.slug}
            </Link>
          </p>
        )
      ) : null}
      {file.changes?.length ? <p>Changed: {file.changes.join(", ")}</p> : null}
      {file.premiumText ? (
        <p className="text-muted">
          Premium text {file.premiumText === "sealed" ? "kept sealed" : "decrypted"}
        </p>
      ) : null}
      {file.warnings?.length ? (
        <ul className="text-amber-900">
          {file.warnings.map((warning) => (
            <li key={warning}>Warning: {withoutFileName(warning, file.file)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** "a.md:4: excerpt: …" → "line 4: excerpt: …": the row already names the file. */
function withoutFileName(issue: string, file: string): string {
  if (!issue.startsWith(`${file}:`)) return issue;
  return issue.slice(file.length + 1).replace(/^(\d+): /, "line $1: ");
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
