import { ANONYMOUS, type Viewer } from "@briefings/core";
import { articlesForProfile, loadEditableProfile, loadProfilePage } from "@briefings/db/queries";
import { data, Link, useSearchParams } from "react-router";
import { StatusBadge } from "#app/components/admin/profile-status.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ProfileView } from "#app/components/profile-view.tsx";
import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { toBriefingViews } from "#app/lib/briefings.server.ts";
import { db, tiers } from "#app/lib/db.server.ts";
import { badRequest, notFound, routeHeaders } from "#app/lib/http.server.ts";
import { PRIVATE, previewPersonas, profileId } from "#app/lib/profile-editor.server.ts";
import type { Route } from "./+types/profile-preview";

/** A reader who is not signed in as anyone real: no account id, no applications. */
function personaViewer(persona: string): Viewer {
  if (persona === "anonymous") return ANONYMOUS;
  return {
    kind: "member",
    userId: "00000000-0000-0000-0000-000000000000",
    role: "member",
    tiers: persona === "member" ? [] : [persona],
    applications: {},
  };
}

export async function loader({ request, params, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.editor);
  const id = profileId(params.id);
  const personas = await previewPersonas();
  const as = new URL(request.url).searchParams.get("as") ?? "anonymous";
  const persona = personas.find((p) => p.value === as);
  if (!persona)
    badRequest(
      `Unknown reader "${as.slice(0, 40)}" in ?as=: use ${personas.map((p) => p.value).join(", ")}`,
    );
  const database = await db();
  const editable = await loadEditableProfile(database, id);
  if (!editable) notFound("There is no profile at this address.");
  // The same query and the same redaction step as the public page, for a pretend reader.
  const page = await loadProfilePage(
    database,
    editable.document.profile.slug,
    personaViewer(persona.value),
    await tiers(),
    { includeUnpublished: true },
  );
  if (!page) notFound("There is no profile at this address.");
  const news = await articlesForProfile(database, page.profile.id, 5);
  return data(
    {
      persona,
      personas,
      status: editable.status,
      version: editable.version,
      id,
      page: { profile: page.profile, briefings: toBriefingViews(page.briefings), news },
    },
    { headers: PRIVATE },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export const meta: Route.MetaFunction = ({ loaderData }) => [
  { title: `Preview: ${loaderData?.page.profile.name ?? "profile"} — Briefings` },
  { name: "robots", content: "noindex" },
];

export default function ProfilePreview({ loaderData }: Route.ComponentProps) {
  const { persona, personas, status, version, id, page } = loaderData;
  const [params] = useSearchParams();
  const current = params.get("as") ?? "anonymous";
  return (
    <>
      <aside
        aria-label="Preview"
        className="mb-6 rounded-lg border-2 border-dashed border-accent bg-white p-4 text-sm"
      >
        <p className="flex flex-wrap items-center gap-2">
          <strong>Preview of version {version}</strong> <StatusBadge status={status} />
          <span>
            as <strong data-testid="preview-persona">{persona.label}</strong>: exactly what this
            reader would be sent.
          </span>
          <Link to={`/admin/profiles/${id}`}>Back to the editor</Link>
        </p>
        <nav aria-label="Preview as" className="mt-2">
          <ul className="flex flex-wrap gap-2">
            {personas.map((p) => (
              <li key={p.value}>
                <Link
                  to={`?as=${p.value}`}
                  aria-current={p.value === current ? "page" : undefined}
                  className="rounded border border-slate-300 px-2 py-0.5 no-underline aria-[current=page]:bg-accent aria-[current=page]:text-white"
                >
                  {p.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <ProfileView {...page} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
