import type {
  ArticleCard as ArticleCardData,
  ProfileCard as ProfileCardData,
} from "@briefings/db/queries";
import { Link } from "react-router";
import { formatDate, isoDate } from "#app/lib/format.ts";
import { ConfidenceBadge } from "./confidence.tsx";

export function DemoBadge() {
  return (
    <span className="rounded bg-violet-100 px-1.5 py-0.5 text-xs font-semibold text-violet-800">
      Demo
    </span>
  );
}

export function ProfileCard({ profile }: { profile: ProfileCardData }) {
  return (
    <article className="flex h-full flex-col rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
        <span>{profile.type}</span>
        <span aria-hidden="true">·</span>
        <span>{profile.base}</span>
        {profile.isDemo ? <DemoBadge /> : null}
      </div>
      <h3 className="mt-1 text-base font-semibold leading-snug">
        <Link to={`/profiles/${profile.slug}`}>{profile.name}</Link>
      </h3>
      <p className="mt-2 line-clamp-3 flex-1 text-sm text-muted">{profile.summary}</p>
      <div className="mt-3 flex flex-wrap items-center gap-2 text-xs">
        <ConfidenceBadge score={profile.confidence} />
        <span className="rounded bg-slate-100 px-2 py-0.5">Criticality: {profile.criticality}</span>
        <span className="rounded bg-slate-100 px-2 py-0.5">{profile.focus}</span>
      </div>
    </article>
  );
}

export function ArticleCard({ article }: { article: ArticleCardData }) {
  return (
    <article className="flex h-full flex-col rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
        <Link to={`/providers/${article.providerDomain}`} className="text-muted">
          {article.providerName}
        </Link>
        <span aria-hidden="true">·</span>
        <time dateTime={isoDate(article.publishedDateTime)}>
          {formatDate(article.publishedDateTime)}
        </time>
        {article.isDemo ? <DemoBadge /> : null}
      </div>
      <h3 className="mt-1 text-base font-semibold leading-snug">
        <Link to={`/news/${article.slug}`}>{article.title}</Link>
      </h3>
      {article.excerpt ? (
        <p className="mt-2 line-clamp-3 text-sm text-muted">{article.excerpt}</p>
      ) : null}
      {article.topics.length > 0 ? (
        <p className="mt-3 text-xs text-muted">{article.topics.join(" · ")}</p>
      ) : null}
    </article>
  );
}

/**
 * A "News" section of article cards paged by keyset at `base?after=…`, as topic and source
 * pages show it.
 */
export function PagedNews({
  id,
  articles,
  base,
  after,
  empty,
}: {
  id: string;
  articles: { items: ArticleCardData[]; nextCursor: string | null };
  base: string;
  after: string | null;
  empty: string;
}) {
  return (
    <section aria-labelledby={id} className="mt-10">
      <h2 id={id} className="text-xl font-semibold">
        News
      </h2>
      {articles.items.length === 0 ? (
        <p className="mt-3 text-muted">{empty}</p>
      ) : (
        <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {articles.items.map((article) => (
            <li key={article.id}>
              <ArticleCard article={article} />
            </li>
          ))}
        </ul>
      )}
      {after || articles.nextCursor ? (
        <nav aria-label="Pagination" className="mt-8 flex justify-between text-sm">
          {after ? <Link to={base}>← Newest</Link> : <span />}
          {articles.nextCursor ? (
            <Link to={`${base}?after=${encodeURIComponent(articles.nextCursor)}`} rel="next">
              Older news →
            </Link>
          ) : null}
        </nav>
      ) : null}
    </section>
  );
}
