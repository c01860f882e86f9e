import { gateToString, profileFormValues } from "@briefings/core";
import { loadEditableProfile, updateProfile } from "@briefings/db/queries";
import { data, Link, redirect } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { ProfileEditorForm } from "#app/components/admin/profile-editor.tsx";
import { StatusBadge } from "#app/components/admin/profile-status.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { Notice } from "#app/components/forms.tsx";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { formatDate } from "#app/lib/format.ts";
import { badRequest, notFound, routeHeaders } from "#app/lib/http.server.ts";
import {
  baseVersionOf,
  gateChoices,
  KIND_CHOICES,
  PRIVATE,
  parseProfileSubmission,
  previewPersonas,
  profileId,
  readEditorForm,
  replyRefused,
  replyUnsaved,
} from "#app/lib/profile-editor.server.ts";
import { publicContentChanged } from "#app/lib/public-cache.server.ts";
import type { Route } from "./+types/profile-edit";

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const id = profileId(params.id);
  const profile = await loadEditableProfile(await db(), id);
  if (!profile) notFound("There is no profile at this address.");
  const saved = new URL(request.url).searchParams.get("saved");
  return data(
    {
      profile: {
        id: profile.id,
        name: profile.document.profile.name,
        slug: profile.document.profile.slug,
        status: profile.status,
        version: profile.version,
        publishedAt: profile.publishedAt,
        updatedAt: profile.updatedAt,
      },
      saved: saved !== null && saved === String(profile.version),
      defaults: profileFormValues(profile.document),
      gates: await gateChoices(profile.document.briefings.map((b) => gateToString(b.gate))),
      kinds: KIND_CHOICES,
      personas: await previewPersonas(),
    },
    { headers: PRIVATE },
  );
}

export async function action({ request, params, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const id = profileId(params.id);
  const formData = await readEditorForm(request);
  const submission = parseProfileSubmission(formData);
  if (submission.status !== "success") return replyUnsaved(submission);
  const baseVersion = baseVersionOf(formData);
  if (baseVersion === null)
    badRequest("The form does not say which version it edits (baseVersion)");
  const result = await updateProfile(
    await db(),
    auditActor(context),
    id,
    baseVersion,
    submission.value,
  );
  if (!result.ok) {
    return replyRefused(submission, result, {
      profileId: id,
      baseVersion: Number(formData.get("baseVersion")),
    });
  }
  publicContentChanged();
  throw redirect(`/admin/profiles/${id}?saved=${result.version}`, { headers: PRIVATE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `Edit ${loaderData?.profile.name ?? "profile"} — Briefings` },
];

export default function EditProfile({ loaderData, actionData }: Route.ComponentProps) {
  const { profile, saved } = loaderData;
  return (
    <AdminPage title={`Edit ${profile.name}`}>
      <p className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-sm text-muted">
        <Link to="/admin/profiles">All profiles</Link>
        <StatusBadge status={profile.status} />
        <span>Version {profile.version}</span>
        <span>Updated {formatDate(profile.updatedAt)}</span>
        {profile.status === "published" ? (
          <Link to={`/profiles/${profile.slug}`}>Open the public page</Link>
        ) : null}
        <Link to={`/admin/profiles/${profile.id}/history`}>History</Link>
      </p>
      <nav aria-label="Preview" className="mt-3 flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">Preview the saved version as:</span>
        {loaderData.personas.map((persona) => (
          <Link
            key={persona.value}
            to={`/admin/profiles/${profile.id}/preview?as=${persona.value}`}
            className="rounded border border-slate-300 bg-white px-2 py-0.5 no-underline hover:bg-slate-50"
          >
            {persona.label}
          </Link>
        ))}
      </nav>
      {saved && !actionData ? (
        <div className="mt-4">
          <Notice>Saved as version {profile.version}.</Notice>
        </div>
      ) : null}
      <ProfileEditorForm
        // A new version resets the form to what was saved.
        key={profile.version}
        defaultValue={loaderData.defaults}
        lastResult={actionData?.result}
        gateChoices={loaderData.gates}
        kindChoices={loaderData.kinds}
        baseVersion={profile.version}
        conflict={actionData?.conflict ?? null}
        submitLabel="Save"
      />
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
