import { loadArticlePage } from "@briefings/db/queries";
import { data, Link } from "react-router";
import { BriefingList } from "#app/components/briefing.tsx";
import { DemoBadge } from "#app/components/cards.tsx";
import { GeneralErrorBoundary } from "#app/components/error-boundary.tsx";
import { toBriefingViews } from "#app/lib/briefings.server.ts";
import { db, tiers } from "#app/lib/db.server.ts";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { cacheHeaders, notFound, requireSlug, routeHeaders } from "#app/lib/http.server.ts";
import { renderMarkdown } from "#app/lib/markdown.ts";
import { articleMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/article";

export async function loader({ params, context }: Route.LoaderArgs) {
  const { viewer } = context;
  const slug = requireSlug(params.slug, "article");
  const page = await loadArticlePage(await db(), slug, viewer, await tiers());
  if (!page) notFound("There is no article at this address.");
  const { body, ...article } = page.article;
  return data(
    {
      article,
      bodyHtml: body ? renderMarkdown(body) : null,
      topics: page.topics,
      mentions: page.mentions,
      briefings: toBriefingViews(page.briefings),
    },
    { headers: cacheHeaders(viewer) },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

/**
 * Tags from the article's public fields and its briefings' gates only: the loader data of
 * an admitted reader holds the premium text, which no tag may carry.
 */
export const meta: Route.MetaFunction = ({ loaderData, matches }) => {
  if (!loaderData) return [{ title: "Article not found — Briefings" }];
  const { article, topics, mentions, briefings } = loaderData;
  return articleMeta(originFromMatches(matches), {
    article,
    topics,
    mentions,
    gates: briefings.map((briefing) => briefing.gate),
  });
};

function Meter({ label, value }: { label: string; value: number }) {
  return (
    <div className="flex items-center gap-2 text-sm">
      <span className="w-14 text-muted">{label}</span>
      <meter
        min={0}
        max={100}
        value={value}
        className="h-2 w-28"
        aria-label={`${label} ${value} of 100`}
      />
      <span className="tabular-nums">{value}</span>
    </div>
  );
}

export default function ArticleRoute({ loaderData }: Route.ComponentProps) {
  const { article, bodyHtml, topics, mentions, briefings } = loaderData;
  const image = article.images[0];
  return (
    <article className="mx-auto max-w-3xl">
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link to="/news">News</Link> <span aria-hidden="true">/</span>{" "}
        <span>{article.category}</span>
      </nav>
      <header className="mt-3">
        <p className="flex flex-wrap items-center gap-2 text-sm text-muted">
          <Link to={`/providers/${article.providerDomain}`}>{article.providerName}</Link>
          <span aria-hidden="true">·</span>
          <span>{article.providerDomain}</span>
          <span aria-hidden="true">·</span>
          <time dateTime={isoDate(article.publishedDateTime)}>
            {formatDate(article.publishedDateTime)}
          </time>
          {article.isDemo ? <DemoBadge /> : null}
        </p>
        <h1 className="mt-2 text-3xl font-semibold leading-tight tracking-tight">
          {article.title}
        </h1>
        {article.excerpt ? (
          <p className="mt-4 text-lg leading-relaxed text-muted">{article.excerpt}</p>
        ) : null}
      </header>

      {image ? (
        <figure className="mt-6">
          <img
            src={image.url}
            width={image.width}
            height={image.height}
            alt=""
            loading="lazy"
            decoding="async"
            referrerPolicy="no-referrer"
            className="h-auto w-full rounded-lg bg-slate-200"
          />
        </figure>
      ) : null}

      <div className="mt-6 flex flex-wrap items-center justify-between gap-4 rounded-lg border border-slate-200 bg-white p-4">
        <div className="grid gap-1">
          <Meter label="Quality" value={article.quality} />
          <Meter label="Heat" value={article.heat} />
        </div>
        <a
          href={article.webUrl}
          rel="noopener noreferrer"
          target="_blank"
          className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white no-underline hover:bg-accent-dark hover:text-white"
        >
          Read at {article.providerName} <span className="sr-only">(opens in a new tab)</span>↗
        </a>
      </div>

      {topics.length > 0 || mentions.length > 0 ? (
        <dl className="mt-6 grid gap-2 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-4">
          {topics.length > 0 ? (
            <>
              <dt className="font-medium">Topics</dt>
              <dd className="flex flex-wrap gap-2">
                {topics.map((topic) => (
                  <Link
                    key={topic.slug}
                    to={`/news?topic=${topic.slug}`}
                    className="rounded-full bg-slate-200 px-3 py-0.5 text-xs text-ink no-underline"
                  >
                    {topic.name}
                  </Link>
                ))}
              </dd>
            </>
          ) : null}
          {mentions.length > 0 ? (
            <>
              <dt className="font-medium">Profiles</dt>
              <dd className="flex flex-wrap gap-3">
                {mentions.map((profile) => (
                  <Link key={profile.slug} to={`/profiles/${profile.slug}`}>
                    {profile.name}
                  </Link>
                ))}
              </dd>
            </>
          ) : null}
        </dl>
      ) : null}

      {bodyHtml ? (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: rendered on the server by markdown-it with raw HTML disabled (decision 006)
        <div className="prose-briefing mt-8" dangerouslySetInnerHTML={{ __html: bodyHtml }} />
      ) : null}

      <BriefingList briefings={briefings} heading="Premium analysis" />

      {article.related.length > 0 ? (
        <section aria-labelledby="related" className="mt-10">
          <h2 id="related" className="text-xl font-semibold">
            Related articles
          </h2>
          <ul className="mt-4 grid gap-4">
            {article.related.map((related) => (
              <li key={related.webUrl} className="rounded-lg border border-slate-200 bg-white p-4">
                <p className="text-xs text-muted">
                  {related.provider.name} ·{" "}
                  <time dateTime={isoDate(related.publishedDateTime)}>
                    {formatDate(related.publishedDateTime)}
                  </time>
                </p>
                <h3 className="mt-1 font-semibold">
                  <a href={related.webUrl} rel="noopener noreferrer" target="_blank">
                    {related.title}
                  </a>
                </h3>
                {related.excerpt ? (
                  <p className="mt-2 line-clamp-3 text-sm text-muted">{related.excerpt}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
