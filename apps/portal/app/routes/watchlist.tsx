import {
  followedArticles,
  followedProfileChanges,
  getDigestPreference,
  listFollows,
  unfollowProfile,
  unfollowTopic,
} from "@briefings/db/queries";
import { data, Form, Link } from "react-router";
import { z } from "zod";
import { ArticleCard } from "#app/components/cards.tsx";
import { DigestForm } from "#app/components/digest-form.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { PRIVATE_NO_STORE, requireUser } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { saveDigestChoice } from "#app/lib/digest.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { cacheHeaders, parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import type { Route } from "./+types/watchlist";

const CHANGES_PER_PAGE = 20;
const ARTICLES_PER_PAGE = 12;

/** Each list pages on its own cursor, so paging one keeps the other where it was. */
const watchlistPageSchema = z.object({
  changes: z.string().max(500).optional(),
  news: z.string().max(500).optional(),
});

export const meta: Route.MetaFunction = () => [
  { title: "Your watchlist — Briefings" },
  { name: "robots", content: "noindex" },
];

/** What changed in what the signed-in member follows: personal, never stored by anyone. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  const url = new URL(request.url);
  const { changes: changesAfter, news: newsAfter } = parseSearchParams(url, watchlistPageSchema);
  const database = await db();
  const [follows, changes, news, digest] = await Promise.all([
    listFollows(database, user.id),
    withCursor(() =>
      followedProfileChanges(database, user.id, { after: changesAfter, limit: CHANGES_PER_PAGE }),
    ),
    withCursor(() =>
      followedArticles(database, user.id, { after: newsAfter, limit: ARTICLES_PER_PAGE }),
    ),
    getDigestPreference(database, user.id),
  ]);
  return data(
    {
      follows,
      changes,
      news,
      cursors: { changes: changesAfter ?? null, news: newsAfter ?? null },
      digest: { frequency: digest.frequency, emailVerified: user.emailVerified },
    },
    { headers: cacheHeaders(context.viewer) },
  );
}

const watchlistActionSchema = z.discriminatedUnion(
  "intent",
  [
    z.object({ intent: z.literal("unfollow-profile"), id: z.uuid({ error: "Unknown profile" }) }),
    z.object({ intent: z.literal("unfollow-topic"), id: z.uuid({ error: "Unknown topic" }) }),
    z.object({ intent: z.literal("digest") }),
  ],
  { error: 'intent must be "unfollow-profile", "unfollow-topic" or "digest"' },
);

/** Unfollow something, or choose the digest; each answer says what happened. */
export async function action({ request, context }: Route.ActionArgs) {
  const { user } = requireUser(context, request);
  const form = await request.formData();
  const parsed = watchlistActionSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) {
    return data(
      { error: parsed.error.issues[0]?.message ?? "Invalid form" },
      { status: 400, headers: PRIVATE_NO_STORE },
    );
  }
  const database = await db();
  switch (parsed.data.intent) {
    case "digest":
      return saveDigestChoice(user.id, form);
    case "unfollow-profile":
      await unfollowProfile(database, user.id, parsed.data.id);
      return data({ message: "Unfollowed the profile." }, { headers: PRIVATE_NO_STORE });
    case "unfollow-topic":
      await unfollowTopic(database, user.id, parsed.data.id);
      return data({ message: "Unfollowed the topic." }, { headers: PRIVATE_NO_STORE });
  }
}

export const headers: Route.HeadersFunction = routeHeaders;

/** A link to this page with one list's cursor changed and the other's kept. */
function pageLink(cursors: { changes: string | null; news: string | null }, change: object) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...cursors, ...change })) {
    if (typeof value === "string") params.set(key, value);
  }
  const query = params.toString();
  return query ? `/watchlist?${query}` : "/watchlist";
}

function UnfollowButton({ intent, id, label }: { intent: string; id: string; label: string }) {
  return (
    <Form method="post" className="inline">
      <input type="hidden" name="id" value={id} />
      <button
        type="submit"
        name="intent"
        value={intent}
        className="rounded border border-slate-300 bg-white px-2 py-0.5 text-xs font-semibold hover:bg-slate-50"
      >
        Unfollow<span className="sr-only"> {label}</span>
      </button>
    </Form>
  );
}

const SECTION = "mt-10";

export default function Watchlist({ loaderData, actionData }: Route.ComponentProps) {
  const { follows, changes, news, cursors, digest } = loaderData;
  const followsNothing = follows.profiles.length === 0 && follows.topics.length === 0;
  const status = actionData && !("digest" in actionData) ? actionData : null;
  return (
    <div className="mx-auto w-full max-w-4xl">
      <h1 className="text-3xl font-semibold tracking-tight">Your watchlist</h1>
      <p className="mt-2 text-muted">
        What changed in the profiles and topics you follow, newest first.
      </p>
      <p
        role="status"
        aria-live="polite"
        className={`mt-3 text-sm ${status && "error" in status ? "text-red-700" : "text-emerald-900"}`}
      >
        {status ? ("error" in status ? status.error : status.message) : ""}
      </p>

      {followsNothing ? (
        <p className="mt-6 rounded-lg border border-slate-200 bg-white p-5">
          You follow nothing yet: follow a profile or topic from its page. Start with the{" "}
          <Link to="/profiles">profile directory</Link> or <Link to="/search">search</Link>.
        </p>
      ) : null}

      <section aria-labelledby="changes-heading" className={SECTION}>
        <h2 id="changes-heading" className="text-xl font-semibold">
          What changed
        </h2>
        {changes.items.length === 0 ? (
          <p className="mt-3 text-muted">
            {cursors.changes
              ? "No older changes."
              : "No public changes to the profiles you follow yet."}
          </p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-200 rounded-md border border-slate-200 bg-white">
            {changes.items.map((change) => (
              <li key={change.id} className="px-4 py-3">
                <Link to={`/profiles/${change.slug}`} className="font-medium">
                  {change.name}
                </Link>
                <p className="text-sm text-muted">
                  <time dateTime={isoDate(change.changedAt)}>{formatDate(change.changedAt)}</time>:{" "}
                  {change.sections.join(", ")}
                </p>
              </li>
            ))}
          </ul>
        )}
        <nav aria-label="Pages of changes" className="mt-3 flex justify-between text-sm">
          {cursors.changes ? (
            <Link to={pageLink(cursors, { changes: null })}>← Newest changes</Link>
          ) : (
            <span />
          )}
          {changes.nextCursor ? (
            <Link to={pageLink(cursors, { changes: changes.nextCursor })} rel="next">
              Older changes →
            </Link>
          ) : null}
        </nav>
      </section>

      <section aria-labelledby="news-heading" className={SECTION}>
        <h2 id="news-heading" className="text-xl font-semibold">
          News on what you follow
        </h2>
        {news.items.length === 0 ? (
          <p className="mt-3 text-muted">
            {cursors.news
              ? "No older news."
              : "No news yet on your topics or mentioning your profiles."}
          </p>
        ) : (
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {news.items.map((article) => (
              <li key={article.id}>
                <ArticleCard article={article} />
              </li>
            ))}
          </ul>
        )}
        <nav aria-label="Pages of news" className="mt-3 flex justify-between text-sm">
          {cursors.news ? (
            <Link to={pageLink(cursors, { news: null })}>← Newest news</Link>
          ) : (
            <span />
          )}
          {news.nextCursor ? (
            <Link to={pageLink(cursors, { news: news.nextCursor })} rel="next">
              Older news →
            </Link>
          ) : null}
        </nav>
      </section>

      <section aria-labelledby="follows-heading" className={SECTION}>
        <h2 id="follows-heading" className="text-xl font-semibold">
          You follow
        </h2>
        <div className="mt-3 grid gap-6 sm:grid-cols-2">
          <div>
            <h3 className="font-medium">Profiles</h3>
            {follows.profiles.length === 0 ? (
              <p className="mt-1 text-sm text-muted">No profiles.</p>
            ) : (
              <ul className="mt-1 space-y-2 text-sm">
                {follows.profiles.map((profile) => (
                  <li key={profile.id} className="flex flex-wrap items-center gap-2">
                    {profile.slug && profile.name ? (
                      <Link to={`/profiles/${profile.slug}`}>{profile.name}</Link>
                    ) : (
                      <span className="text-muted">A profile that is no longer published</span>
                    )}
                    {profile.lastChangedAt ? (
                      <span className="text-muted">
                        changed {formatDate(profile.lastChangedAt)}
                      </span>
                    ) : null}
                    <UnfollowButton
                      intent="unfollow-profile"
                      id={profile.id}
                      label={profile.name ?? "this profile"}
                    />
                  </li>
                ))}
              </ul>
            )}
          </div>
          <div>
            <h3 className="font-medium">Topics</h3>
            {follows.topics.length === 0 ? (
              <p className="mt-1 text-sm text-muted">No topics.</p>
            ) : (
              <ul className="mt-1 space-y-2 text-sm">
                {follows.topics.map((topic) => (
                  <li key={topic.id} className="flex flex-wrap items-center gap-2">
                    {topic.slug && topic.name ? (
                      <Link to={`/topics/${topic.slug}`}>{topic.name}</Link>
                    ) : (
                      <span className="text-muted">A topic with nothing published now</span>
                    )}
                    <UnfollowButton
                      intent="unfollow-topic"
                      id={topic.id}
                      label={topic.name ?? "this topic"}
                    />
                  </li>
                ))}
              </ul>
            )}
          </div>
        </div>
      </section>

      <section aria-labelledby="digest-heading" className={SECTION}>
        <h2 id="digest-heading" className="text-xl font-semibold">
          E-mail digest
        </h2>
        <div className="mt-3">
          <DigestForm
            frequency={digest.frequency}
            emailVerified={digest.emailVerified}
            result={actionData && "digest" in actionData ? actionData.digest : null}
          />
        </div>
      </section>
    </div>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
