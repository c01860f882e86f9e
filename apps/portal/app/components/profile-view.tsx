import { formatConfidence, gradeConfidence } from "@briefings/core";
import type { ProfilePage } from "@briefings/db/queries";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { BriefingList, type BriefingView } from "#app/components/briefing.tsx";
import { ArticleCard, DemoBadge } from "#app/components/cards.tsx";
import { ConfidenceBadge, ConfidenceTable } from "#app/components/confidence.tsx";
import { formatDate, isoDate } from "#app/lib/format.ts";

type ArticleCardData = Parameters<typeof ArticleCard>[0]["article"];

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="mt-8">
      <h2 id={id} className="text-xl font-semibold">
        {title}
      </h2>
      <div className="mt-3">{children}</div>
    </section>
  );
}

function Bullets({ items }: { items: string[] }) {
  return (
    <ul className="list-disc space-y-1 pl-5">
      {items.map((item, i) => (
        // Scraped text can repeat, so the position is the identity.
        // biome-ignore lint/suspicious/noArrayIndexKey: static list, never reordered
        <li key={i}>{item}</li>
      ))}
    </ul>
  );
}

const CRITICALITY_STYLE: Record<string, string> = {
  Low: "bg-emerald-100 text-emerald-900",
  Medium: "bg-amber-100 text-amber-900",
  High: "bg-orange-100 text-orange-900",
  Critical: "bg-red-100 text-red-900",
};

export type ProfileViewData = {
  profile: ProfilePage["profile"];
  briefings: BriefingView[];
  news: ArticleCardData[];
};

/** A profile page as a reader sees it; the editors' preview shows the same component. */
export function ProfileView({ profile, briefings, news }: ProfileViewData) {
  const band = gradeConfidence(profile.confidence);
  return (
    <article>
      <nav aria-label="Breadcrumb" className="text-sm text-muted">
        <Link to="/profiles">Profiles</Link> <span aria-hidden="true">/</span>{" "}
        <span>{profile.name}</span>
      </nav>
      <header className="mt-3">
        <p className="flex flex-wrap items-center gap-2 text-sm text-muted">
          <span>{profile.type}</span>
          <span aria-hidden="true">·</span>
          <span>{profile.base}</span>
          {profile.isDemo ? <DemoBadge /> : null}
        </p>
        <h1 className="mt-1 text-3xl font-semibold tracking-tight sm:text-4xl">{profile.name}</h1>
        <p className="mt-4 max-w-3xl text-lg leading-relaxed">{profile.summary}</p>
        {profile.topicSlugs.length > 0 ? (
          <ul className="mt-4 flex flex-wrap gap-2" aria-label="Topics">
            {profile.topicSlugs.map((topic) => (
              <li key={topic.slug}>
                <Link
                  to={`/profiles?topic=${topic.slug}`}
                  className="rounded-full bg-slate-200 px-3 py-0.5 text-xs font-medium text-ink no-underline"
                >
                  {topic.name}
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </header>

      <div className="mt-8 grid gap-8 lg:grid-cols-[1fr_18rem]">
        <div className="min-w-0">
          <Section id="what-it-does" title="What it does">
            <Bullets items={profile.whatItDoes} />
          </Section>

          <Section id="why-it-matters" title="Why it matters">
            <p className="mb-3 flex flex-wrap gap-2 text-sm">
              <span
                className={`rounded px-2 py-0.5 font-semibold ${CRITICALITY_STYLE[profile.criticality] ?? ""}`}
              >
                Operational criticality: {profile.criticality}
              </span>
              <span className="rounded bg-slate-100 px-2 py-0.5 font-semibold">
                Time horizon: {profile.timeHorizon}
              </span>
            </p>
            <Bullets items={profile.whyItMatters} />
          </Section>

          <Section id="what-to-watch" title="What to watch">
            <Bullets items={profile.whatToWatch} />
          </Section>

          {profile.keyPoints.length > 0 ? (
            <Section id="key-points" title="Key points">
              <Bullets items={profile.keyPoints} />
            </Section>
          ) : null}

          {profile.sections.map((section, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: static list, headings may repeat
            <Section key={i} id={`section-${i}`} title={section.heading}>
              {section.paragraphs.map((paragraph, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: static list, paragraphs may repeat
                <p key={j} className="mb-3 leading-relaxed">
                  {paragraph}
                </p>
              ))}
            </Section>
          ))}

          <Section id="sources" title="Public sources">
            {profile.sources.length > 0 ? (
              <ol className="list-decimal space-y-2 pl-5 text-sm">
                {profile.sources.map((source, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: static list, URLs may repeat
                  <li key={i}>
                    <a href={source.url} rel="noopener noreferrer nofollow">
                      {source.title}
                    </a>
                    <span className="text-muted">
                      {" "}
                      — {source.publisher}
                      {source.publishedAt ? `, ${formatDate(source.publishedAt)}` : ""}
                    </span>
                    {source.reliability ? (
                      <span className="ml-2 rounded bg-slate-100 px-1.5 py-0.5 text-xs">
                        Reliability: {source.reliability}
                      </span>
                    ) : null}
                  </li>
                ))}
              </ol>
            ) : null}
            {profile.sourcesNote ? (
              <p className="mt-2 text-sm text-muted">{profile.sourcesNote}</p>
            ) : null}
            {profile.sources.length === 0 && !profile.sourcesNote ? (
              <p className="text-sm text-muted">No public sources are listed yet.</p>
            ) : null}
          </Section>

          <Section id="confidence" title="Confidence">
            <p>
              Score <strong className="tabular-nums">{formatConfidence(profile.confidence)}</strong>
              , grade <strong>{band.grade}</strong>: {band.meaning}.
            </p>
            <ConfidenceTable score={profile.confidence} />
          </Section>

          {profile.alsoRead.length > 0 ? (
            <Section id="also-read" title="Also read">
              <ul className="space-y-1">
                {profile.alsoRead.map((item, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: static list, titles may repeat
                  <li key={i}>
                    {item.href ? (
                      <a
                        href={item.href}
                        rel={item.href.startsWith("/") ? undefined : "noopener noreferrer"}
                      >
                        {item.title}
                      </a>
                    ) : (
                      item.title
                    )}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}

          <BriefingList briefings={briefings} heading="Member briefings" />
        </div>

        <aside
          aria-labelledby="at-a-glance"
          className="h-fit rounded-lg border border-slate-200 bg-white p-5 text-sm lg:sticky lg:top-4"
        >
          <h2 id="at-a-glance" className="text-base font-semibold">
            At a glance
          </h2>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-2">
            <dt className="text-muted">Name</dt>
            <dd>{profile.name}</dd>
            <dt className="text-muted">Type</dt>
            <dd>{profile.type}</dd>
            <dt className="text-muted">Ecosystem</dt>
            <dd>{profile.ecosystem}</dd>
            <dt className="text-muted">Base</dt>
            <dd>{profile.base}</dd>
            <dt className="text-muted">Profile focus</dt>
            <dd>{profile.focus}</dd>
            <dt className="text-muted">Criticality</dt>
            <dd>{profile.criticality}</dd>
            <dt className="text-muted">Time horizon</dt>
            <dd>{profile.timeHorizon}</dd>
            <dt className="text-muted">Confidence</dt>
            <dd>
              <ConfidenceBadge score={profile.confidence} />
            </dd>
            <dt className="text-muted">Published</dt>
            <dd>
              <time dateTime={isoDate(profile.publishedAt)}>{formatDate(profile.publishedAt)}</time>
            </dd>
            {profile.lastReviewedAt ? (
              <>
                <dt className="text-muted">Last reviewed</dt>
                <dd>
                  <time dateTime={isoDate(profile.lastReviewedAt)}>
                    {formatDate(profile.lastReviewedAt)}
                  </time>
                </dd>
              </>
            ) : null}
            <dt className="text-muted">Updated</dt>
            <dd>
              <time dateTime={isoDate(profile.updatedAt)}>{formatDate(profile.updatedAt)}</time>
            </dd>
          </dl>
        </aside>
      </div>

      {news.length > 0 ? (
        <section aria-labelledby="related-news" className="mt-12">
          <h2 id="related-news" className="text-xl font-semibold">
            Related news
          </h2>
          <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {news.map((article) => (
              <li key={article.id}>
                <ArticleCard article={article} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </article>
  );
}
