import { articlesForProfile, findProfileRedirect, loadProfilePage } from "@briefings/db/queries";
import { data, redirect } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { ProfileView } from "#app/components/profile-view.tsx";
import { toBriefingViews } from "#app/lib/briefings.server.ts";
import { db, tiers } from "#app/lib/db.server.ts";
import { cacheHeaders, notFound, requireSlug, routeHeaders } from "#app/lib/http.server.ts";
import { originFromMatches, profileMeta } from "#app/lib/seo.ts";
import type { Route } from "./+types/profile";

export async function loader({ params, context }: Route.LoaderArgs) {
  const { viewer } = context;
  const database = await db();
  const slug = requireSlug(params.slug, "profile");
  const page = await loadProfilePage(database, slug, viewer, await tiers());
  if (!page) {
    // A profile whose slug changed keeps its old address, moved permanently.
    const moved = await findProfileRedirect(database, slug);
    if (moved) throw redirect(`/profiles/${moved}`, { status: 301, headers: cacheHeaders(viewer) });
    notFound("There is no profile at this address.");
  }
  const news = await articlesForProfile(database, page.profile.id, 5);
  return data(
    { profile: page.profile, briefings: toBriefingViews(page.briefings), news },
    { headers: cacheHeaders(viewer) },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

/**
 * Tags from the profile's public fields and its briefings' gates only: the loader data of
 * an admitted reader holds the briefings' full text, which no tag may carry.
 */
export const meta: Route.MetaFunction = ({ loaderData, matches }) => {
  if (!loaderData) return [{ title: "Profile not found — Briefings" }];
  const { profile, briefings } = loaderData;
  return profileMeta(originFromMatches(matches), {
    profile,
    gates: briefings.map((briefing) => briefing.gate),
  });
};

export default function ProfileRoute({ loaderData }: Route.ComponentProps) {
  return <ProfileView {...loaderData} />;
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
