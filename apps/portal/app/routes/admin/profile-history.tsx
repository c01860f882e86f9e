import { profileDocumentText } from "@briefings/core";
import {
  listProfileRevisions,
  loadEditableProfile,
  loadProfileRevision,
  updateProfile,
} from "@briefings/db/queries";
import { data, Form, Link, redirect } from "react-router";
import { z } from "zod";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { CELL, DataTable } from "#app/components/admin/data-table.tsx";
import { DiffView } from "#app/components/admin/diff-view.tsx";
import { StatusBadge } from "#app/components/admin/profile-status.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FormError, SubmitButton } from "#app/components/forms.tsx";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate } from "#app/lib/format.ts";
import { badRequest, notFound, routeHeaders } from "#app/lib/http.server.ts";
import { PRIVATE, profileId } from "#app/lib/profile-editor.server.ts";
import { publicContentChanged } from "#app/lib/public-cache.server.ts";
import { lineDiff } from "#app/lib/text-diff.server.ts";
import type { Route } from "./+types/profile-history";

const versionSchema = z.coerce.number().int().min(1).max(1_000_000);

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const id = profileId(params.id);
  const database = await db();
  const profile = await loadEditableProfile(database, id);
  if (!profile) notFound("There is no profile at this address.");
  const revisions = await listProfileRevisions(database, id);
  const asked = new URL(request.url).searchParams.get("version");
  let selected = profile.version;
  if (asked !== null) {
    const parsed = versionSchema.safeParse(asked);
    if (!parsed.success) badRequest("?version= must be a version number");
    selected = parsed.data;
  }
  const revision = await loadProfileRevision(database, id, selected);
  // The selected version against the one before it (or against nothing, for the first).
  const previous = revision ? await loadProfileRevision(database, id, selected - 1) : null;
  const diff = revision
    ? lineDiff(previous ? profileDocumentText(previous) : "", profileDocumentText(revision))
    : null;
  return data(
    {
      profile: { id, name: profile.document.profile.name, version: profile.version },
      revisions,
      selected,
      hasPrevious: previous !== null,
      kept: revision !== null,
      diff,
    },
    { headers: PRIVATE },
  );
}

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const id = profileId(params.id);
  const form = await request.formData();
  const version = versionSchema.safeParse(form.get("version"));
  const baseVersion = versionSchema.safeParse(form.get("baseVersion"));
  if (!version.success || !baseVersion.success)
    badRequest("Restoring needs the version to restore and the current version (baseVersion)");
  const database = await db();
  const [revision, current] = await Promise.all([
    loadProfileRevision(database, id, version.data),
    loadEditableProfile(database, id),
  ]);
  if (!revision || !current) notFound(`There is no version ${version.data} of this profile.`);
  // A restore brings back the content; whether and when readers see it stays as it is now.
  const document = { ...revision, status: current.status, publishAt: current.document.publishAt };
  const result = await updateProfile(
    database,
    auditActor(context),
    id,
    baseVersion.data,
    document,
    {
      restoredFrom: version.data,
    },
  );
  if (!result.ok) {
    if (result.reason === "not-found") notFound("There is no profile at this address.");
    const message =
      result.reason === "conflict"
        ? `Not restored: ${result.current.author} saved version ${result.current.version} meanwhile. Look at it first, then restore again.`
        : result.reason === "slug-taken"
          ? `Not restored: another profile now has the address "${result.slug}". Edit the profile instead.`
          : `Not restored: the tier "${result.tier}" no longer exists. Edit the profile instead.`;
    return data({ error: message }, { status: 409, headers: PRIVATE });
  }
  publicContentChanged();
  throw redirect(`/admin/profiles/${id}?saved=${result.version}`, { headers: PRIVATE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `History of ${loaderData?.profile.name ?? "profile"} — Briefings` },
];

export default function ProfileHistory({ loaderData, actionData }: Route.ComponentProps) {
  const { profile, revisions, selected, hasPrevious, kept, diff } = loaderData;
  return (
    <AdminPage title={`History of ${profile.name}`}>
      <p className="mt-2 text-sm text-muted">
        <Link to={`/admin/profiles/${profile.id}`}>Back to the editor</Link>. Every save is kept
        whole; restoring one saves its content again as a new version (the profile stays draft,
        scheduled or published as it is now), so nothing is ever lost.
      </p>
      <FormError errors={actionData?.error ? [actionData.error] : null} />
      <div className="mt-6 grid gap-6 lg:grid-cols-[22rem_1fr]">
        <DataTable caption="Versions, newest first" head={["Version", "Saved by", "Status"]}>
          {revisions.map((revision) => (
            <tr
              key={revision.version}
              aria-current={revision.version === selected ? "true" : undefined}
              className="aria-[current=true]:bg-slate-100"
            >
              <td className={CELL}>
                <Link to={`?version=${revision.version}`}>
                  Version {revision.version}
                  {revision.version === profile.version ? " (current)" : ""}
                </Link>
                <div className="text-xs text-muted">{formatDate(revision.createdAt)}</div>
              </td>
              <td className={`${CELL} break-all`}>{revision.author}</td>
              <td className={CELL}>
                <StatusBadge status={revision.status} />
              </td>
            </tr>
          ))}
        </DataTable>
        <div className="min-w-0">
          {kept ? (
            <>
              {diff ? (
                <DiffView
                  blocks={diff}
                  label={
                    hasPrevious
                      ? `Changes in version ${selected}, compared with version ${selected - 1}`
                      : `Version ${selected}, as first saved`
                  }
                />
              ) : (
                <p className="text-sm text-muted">
                  Version {selected} differs too much from the one before to be compared here.
                </p>
              )}
              {selected !== profile.version ? (
                <Form method="post" className="mt-4">
                  <input type="hidden" name="version" value={selected} />
                  <input type="hidden" name="baseVersion" value={profile.version} />
                  <SubmitButton variant="secondary">Restore version {selected}</SubmitButton>
                </Form>
              ) : null}
            </>
          ) : (
            <p className="text-sm text-muted">
              Version {selected} was not kept: history starts at the first save in the editor.
            </p>
          )}
        </div>
      </div>
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
