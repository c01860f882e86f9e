import { newProfileDocument, profileFormValues } from "@briefings/core";
import { createProfile } from "@briefings/db/queries";
import { data, Link, redirect } from "react-router";
import { AdminPage } from "#app/components/admin/admin-nav.tsx";
import { ProfileEditorForm } from "#app/components/admin/profile-editor.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { routeHeaders } from "#app/lib/http.server.ts";
import {
  gateChoices,
  KIND_CHOICES,
  PRIVATE,
  parseProfileSubmission,
  readEditorForm,
  replyRefused,
  replyUnsaved,
} from "#app/lib/profile-editor.server.ts";
import { publicContentChanged } from "#app/lib/public-cache.server.ts";
import type { Route } from "./+types/profile-new";

export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  return data(
    {
      defaults: profileFormValues(newProfileDocument()),
      gates: await gateChoices(),
      kinds: KIND_CHOICES,
    },
    { headers: PRIVATE },
  );
}

export async function action({ request, context }: Route.ActionArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const submission = parseProfileSubmission(await readEditorForm(request));
  if (submission.status !== "success") return replyUnsaved(submission);
  const result = await createProfile(await db(), auditActor(context), submission.value);
  if (!result.ok) return replyRefused(submission, result);
  publicContentChanged();
  throw redirect(`/admin/profiles/${result.id}?saved=${result.version}`, { headers: PRIVATE });
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = () => [{ title: "New profile — Briefings" }];

export default function NewProfile({ loaderData, actionData }: Route.ComponentProps) {
  return (
    <AdminPage title="New profile">
      <p className="mt-2 text-sm text-muted">
        <Link to="/admin/profiles">All profiles</Link>. A new profile starts as a draft: save it,
        preview it as each kind of reader, then publish.
      </p>
      <ProfileEditorForm
        defaultValue={loaderData.defaults}
        lastResult={actionData?.result}
        gateChoices={loaderData.gates}
        kindChoices={loaderData.kinds}
        submitLabel="Create profile"
      />
    </AdminPage>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
