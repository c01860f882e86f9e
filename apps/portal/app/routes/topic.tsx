import {
  findReadableTopic,
  followTopic,
  isFollowingTopicSlug,
  listArticles,
  listProfiles,
  loadTopic,
  unfollowTopic,
} from "@briefings/db/queries";
import { data, Link } from "react-router";
import { z } from "zod";
import { PagedNews, ProfileCard } from "#app/components/cards.tsx";
import { FollowButton } from "#app/components/follow-button.tsx";
import { requireUser } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { followAnswer, followIntent, unfollowAnswer } from "#app/lib/follows.server.ts";
import { plural } from "#app/lib/format.ts";
import {
  cacheHeaders,
  notFound,
  parseSearchParams,
  requireSlug,
  routeHeaders,
  withCursor,
} from "#app/lib/http.server.ts";
import { basicPageMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/topic";

const PROFILES_SHOWN = 6;
const ARTICLES_PER_PAGE = 12;

const topicPageSchema = z.object({ after: z.string().max(500).optional() });

export const meta: Route.MetaFunction = ({ loaderData, matches }) => {
  if (!loaderData) return [{ title: "Topic not found — Briefings" }];
  const { topic } = loaderData;
  return basicPageMeta(originFromMatches(matches), {
    path: `/topics/${topic.slug}`,
    title: `${topic.name} — Briefings`,
    socialTitle: topic.name,
    description: `${plural(topic.profileCount, "profile")} and ${plural(topic.articleCount, "news item")} on ${topic.name}, from Briefings.`,
  });
};

export async function loader({ params, request, context }: Route.LoaderArgs) {
  const slug = requireSlug(params.slug, "topic");
  const { after } = parseSearchParams(new URL(request.url), topicPageSchema);
  const database = await db();
  const topic = await loadTopic(database, slug);
  if (!topic) notFound("There is no topic at this address.");
  const { user } = context;
  const [profiles, articles, following] = await Promise.all([
    listProfiles(database, { topic: slug, sort: "newest" }, PROFILES_SHOWN),
    withCursor(() => listArticles(database, { topic: slug, after }, ARTICLES_PER_PAGE)),
    // Only signed-in readers have a follow state, and their page is never stored publicly.
    user ? isFollowingTopicSlug(database, user.id, slug) : null,
  ]);
  return data(
    { topic, profiles: profiles.items, articles, after: after ?? null, following },
    { headers: cacheHeaders(context.viewer) },
  );
}

/** Follow or unfollow this topic (signed-in members; anonymous ones go to sign in). */
export async function action({ params, request, context }: Route.ActionArgs) {
  const slug = requireSlug(params.slug, "topic");
  const { user } = requireUser(context, request);
  const intent = await followIntent(request);
  const database = await db();
  const topic = await findReadableTopic(database, slug);
  if (!topic) notFound("There is no topic to follow at this address.");
  if (intent === "follow")
    return followAnswer(await followTopic(database, user.id, slug), "topic", topic.name);
  await unfollowTopic(database, user.id, topic.id);
  return unfollowAnswer(topic.name);
}

export const headers: Route.HeadersFunction = routeHeaders;

export default function Topic({ loaderData, actionData }: Route.ComponentProps) {
  const { topic, profiles, articles, after, following } = loaderData;
  const base = `/topics/${topic.slug}`;
  return (
    <>
      <p className="text-sm text-muted">
        <Link to="/search">Search</Link> <span aria-hidden="true">›</span> Topic
      </p>
      <h1 className="mt-1 text-3xl font-semibold tracking-tight">{topic.name}</h1>
      <p className="mt-2 text-muted">
        {plural(topic.profileCount, "profile")} and {plural(topic.articleCount, "news item")} on
        this topic. Follow it by feed:{" "}
        <a href={`${base}/feed.rss`} type="application/rss+xml">
          RSS
        </a>{" "}
        or{" "}
        <a href={`${base}/feed.atom`} type="application/atom+xml">
          Atom
        </a>
        .
      </p>
      <div className="mt-4">
        <FollowButton
          following={following}
          signInHref={`/sign-in?next=${encodeURIComponent(base)}`}
          what="this topic"
          actionData={actionData}
        />
      </div>

      {after ? null : (
        <section aria-labelledby="topic-profiles" className="mt-8">
          <div className="flex flex-wrap items-baseline justify-between gap-2">
            <h2 id="topic-profiles" className="text-xl font-semibold">
              Profiles
            </h2>
            {topic.profileCount > profiles.length ? (
              <Link to={`/profiles?topic=${topic.slug}`}>
                All {topic.profileCount} profiles on {topic.name} →
              </Link>
            ) : null}
          </div>
          {profiles.length === 0 ? (
            <p className="mt-3 text-muted">No profile carries this topic yet.</p>
          ) : (
            <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
              {profiles.map((profile) => (
                <li key={profile.id}>
                  <ProfileCard profile={profile} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}

      <PagedNews
        id="topic-news"
        articles={articles}
        base={base}
        after={after}
        empty="No news on this topic yet."
      />
    </>
  );
}
