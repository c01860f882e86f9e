import {
  articlesForProfile,
  findProfileRedirect,
  findPublishedProfile,
  followProfile,
  isFollowingProfile,
  loadProfilePage,
  type ProfileChange,
  recentProfileChanges,
  unfollowProfile,
} from "@briefings/db/queries";
import { data, redirect } from "react-router";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { FollowButton } from "#app/components/follow-button.tsx";
import { ProfileView } from "#app/components/profile-view.tsx";
import { RecentChanges } from "#app/components/recent-changes.tsx";
import { requireUser } from "#app/lib/auth.server.ts";
import { toBriefingViews } from "#app/lib/briefings.server.ts";
import { db, tiers } from "#app/lib/db.server.ts";
import { followAnswer, followIntent, unfollowAnswer } from "#app/lib/follows.server.ts";
import { cacheHeaders, notFound, requireSlug, routeHeaders } from "#app/lib/http.server.ts";
import { originFromMatches, profileMeta } from "#app/lib/seo.ts";
import type { Route } from "./+types/profile";

/**
 * What the page shows around the profile: its recent public changes and the reader's
 * follow button. Optional in the loader data, which `meta` and the profile view (shared
 * with the editors' preview) read without them.
 */
type AroundTheProfile = {
  changes?: ProfileChange[];
  lastUpdatedAt?: Date;
  /** Null for anonymous readers. */
  following?: boolean | null;
};

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
  const { user } = context;
  const [news, changes, following] = await Promise.all([
    articlesForProfile(database, page.profile.id, 5),
    // Public: which sections changed and when, the same for every reader.
    recentProfileChanges(database, page.profile.id, 5),
    // Only signed-in readers have a follow state, and their page is never stored publicly.
    user ? isFollowingProfile(database, user.id, page.profile.id) : null,
  ]);
  const around: AroundTheProfile = {
    changes,
    lastUpdatedAt: changes[0]?.changedAt ?? page.profile.updatedAt,
    following,
  };
  return data(
    { profile: page.profile, briefings: toBriefingViews(page.briefings), news, ...around },
    { headers: cacheHeaders(viewer) },
  );
}

/** Follow or unfollow this profile (signed-in members; anonymous ones go to sign in). */
export async function action({ params, request, context }: Route.ActionArgs) {
  const slug = requireSlug(params.slug, "profile");
  const { user } = requireUser(context, request);
  const intent = await followIntent(request);
  const database = await db();
  const profile = await findPublishedProfile(database, slug);
  if (!profile) notFound("There is no published profile to follow at this address.");
  if (intent === "follow")
    return followAnswer(await followProfile(database, user.id, slug), "profile", profile.name);
  await unfollowProfile(database, user.id, profile.id);
  return unfollowAnswer(profile.name);
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

export default function ProfileRoute({ loaderData, actionData }: Route.ComponentProps) {
  const { profile, briefings, news } = loaderData;
  const { changes = [], lastUpdatedAt = profile.updatedAt, following = null } = loaderData;
  return (
    <>
      <div className="mb-4 flex justify-end">
        <FollowButton
          following={following}
          signInHref={`/sign-in?next=${encodeURIComponent(`/profiles/${profile.slug}`)}`}
          what="this profile"
          actionData={actionData}
        />
      </div>
      <ProfileView profile={profile} briefings={briefings} news={news} />
      <RecentChanges lastUpdatedAt={lastUpdatedAt} changes={changes} />
    </>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
