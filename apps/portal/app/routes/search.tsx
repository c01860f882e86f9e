import { SEARCH_FACETS, type SearchFacet, snippetSegments } from "@briefings/core";
import {
  type FacetValue,
  type SearchHit,
  searchContent,
  searchParamsSchema,
} from "@briefings/db/queries";
import { data, Form, Link, useNavigation } from "react-router";
import { db } from "#app/lib/db.server.ts";
import { formatDate, isoDate, plural } from "#app/lib/format.ts";
import { cacheHeaders, parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import type { Route } from "./+types/search";

// Result pages are an endless crawl space and say nothing a profile or article page does
// not: they are not indexed (robots.txt keeps crawlers out as well).
export const meta: Route.MetaFunction = ({ loaderData }) => [
  {
    title: loaderData?.results.words.length
      ? `“${loaderData.params.q}” — Search — Briefings`
      : "Search — Briefings",
  },
  { name: "robots", content: "noindex, follow" },
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const params = parseSearchParams(new URL(request.url), searchParamsSchema);
  const results = await withCursor(async () => searchContent(await db(), params));
  return data({ params, results }, { headers: cacheHeaders(context.viewer) });
}

export const headers: Route.HeadersFunction = routeHeaders;

type Params = Route.ComponentProps["loaderData"]["params"];

const FACET_TITLES: Record<SearchFacet, string> = {
  kind: "Content",
  type: "Type",
  base: "Base",
  topic: "Topic",
  criticality: "Operational criticality",
  grade: "Confidence grade",
  provider: "Source",
  date: "Published",
};

const VALUE_LABELS: Partial<Record<SearchFacet, Record<string, string>>> = {
  kind: { profile: "Profiles", article: "News" },
  date: { week: "In the past week", month: "In the past month", year: "In the past year" },
};

function label(facet: SearchFacet, value: FacetValue): string {
  return VALUE_LABELS[facet]?.[value.value] ?? value.label;
}

/** The address of these results with some parameters changed; paging starts again. */
function searchHref(
  params: Record<string, string | undefined>,
  changes: Record<string, string | undefined>,
): string {
  const next = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, after: undefined, ...changes })) {
    if (value) next.set(key, String(value));
  }
  return `/search${next.size ? `?${next}` : ""}`;
}

/** The snippet with its matched words marked, as elements: the text is never parsed as HTML. */
function Snippet({ text }: { text: string }) {
  return (
    <p className="mt-2 text-sm text-muted">
      {snippetSegments(text).map((segment) =>
        segment.marked ? (
          <mark key={segment.key} className="rounded-sm bg-amber-100 px-0.5 text-ink">
            {segment.text}
          </mark>
        ) : (
          <span key={segment.key}>{segment.text}</span>
        ),
      )}
    </p>
  );
}

function Hit({ hit }: { hit: SearchHit }) {
  const href = hit.kind === "profile" ? `/profiles/${hit.slug}` : `/news/${hit.slug}`;
  const details =
    hit.kind === "profile"
      ? [
          hit.type,
          hit.base,
          hit.criticality && `Criticality: ${hit.criticality}`,
          hit.grade && `Grade ${hit.grade}`,
        ]
      : [hit.providerName];
  return (
    <article className="rounded-lg border border-slate-200 bg-white p-4">
      <div className="flex flex-wrap items-center gap-2 text-xs text-muted">
        <span className="rounded bg-slate-100 px-1.5 py-0.5 font-semibold uppercase tracking-wide">
          {hit.kind === "profile" ? "Profile" : "News"}
        </span>
        {details.filter(Boolean).map((detail) => (
          <span key={detail as string}>{detail}</span>
        ))}
        <time dateTime={isoDate(hit.publishedAt)}>{formatDate(hit.publishedAt)}</time>
      </div>
      <h2 className="mt-1 text-lg font-semibold leading-snug">
        <Link to={href}>{hit.title}</Link>
      </h2>
      <Snippet text={hit.snippet} />
      {hit.topics.length > 0 ? (
        <ul className="mt-2 flex flex-wrap gap-2 text-xs" aria-label="Topics">
          {hit.topics.map((topic) => (
            <li key={topic.slug}>
              <Link to={`/topics/${topic.slug}`} className="rounded bg-slate-100 px-2 py-0.5">
                {topic.name}
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </article>
  );
}

function FacetList({
  facet,
  values,
  params,
}: {
  facet: SearchFacet;
  values: FacetValue[];
  params: Params;
}) {
  const chosen = params[facet];
  // A value that would empty the results is not offered (the date ranges can be 0).
  values = values.filter((value) => value.count > 0 || value.value === chosen);
  if (values.length === 0 && !chosen) return null;
  const headingId = `facet-${facet}`;
  return (
    <section aria-labelledby={headingId} className="border-t border-slate-200 py-3">
      <h2 id={headingId} className="text-sm font-semibold">
        {FACET_TITLES[facet]}
      </h2>
      <ul className="mt-2 space-y-1 text-sm">
        {values.map((value) => {
          const active = chosen === value.value;
          return (
            <li key={value.value}>
              <Link
                to={searchHref(params, { [facet]: active ? undefined : value.value })}
                aria-current={active ? "true" : undefined}
                className={`flex justify-between gap-2 rounded px-1 no-underline hover:bg-slate-100 ${active ? "font-semibold text-ink" : "text-muted"}`}
              >
                <span>
                  {active ? <span aria-hidden="true">✓ </span> : null}
                  {label(facet, value)}
                  {active ? <span className="sr-only"> (selected; choose to remove)</span> : null}
                </span>
                <span className="tabular-nums">{value.count}</span>
              </Link>
            </li>
          );
        })}
        {chosen && !values.some((value) => value.value === chosen) ? (
          <li>
            <Link to={searchHref(params, { [facet]: undefined })} className="text-sm">
              Remove “{chosen}”
            </Link>
          </li>
        ) : null}
      </ul>
    </section>
  );
}

export default function Search({ loaderData }: Route.ComponentProps) {
  const { params, results } = loaderData;
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/search";
  const filtered = SEARCH_FACETS.some((facet) => params[facet]);
  const searched = results.words.length > 0 || filtered;
  const nextPage = results.nextCursor ? searchHref(params, { after: results.nextCursor }) : null;
  const count = loading
    ? "Searching…"
    : `${plural(results.total, "result")}${results.words.length ? ` for “${params.q}”` : ""}`;
  return (
    <>
      <h1 className="text-3xl font-semibold tracking-tight">Search</h1>
      <search>
        <Form method="get" className="mt-4 flex max-w-2xl gap-2">
          <label htmlFor="search-q" className="sr-only">
            Search for
          </label>
          <input
            id="search-q"
            type="search"
            name="q"
            defaultValue={params.q}
            maxLength={200}
            placeholder="Organisations, topics, news…"
            className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2"
          />
          {SEARCH_FACETS.map((facet) =>
            params[facet] ? (
              <input key={facet} type="hidden" name={facet} value={params[facet]} />
            ) : null,
          )}
          <button
            type="submit"
            className="rounded-md bg-accent px-4 py-2 text-sm font-semibold text-white hover:bg-accent-dark"
          >
            Search
          </button>
        </Form>
      </search>
      {/* Always in the page, so that screen readers announce each new count. */}
      <p aria-live="polite" className="mt-4 text-sm text-muted">
        {searched ? count : ""}
      </p>

      {searched ? (
        <div className="mt-6 grid gap-6 lg:grid-cols-[16rem_1fr]">
          <div className="lg:col-start-2 lg:row-start-1">
            <div className="flex flex-wrap items-baseline justify-between gap-3">
              {results.words.length > 0 ? (
                <p className="text-sm">
                  Sort:{" "}
                  {results.sort === "relevance" ? (
                    <strong aria-current="true">Relevance</strong>
                  ) : (
                    <Link to={searchHref(params, { sort: undefined })}>Relevance</Link>
                  )}
                  {" · "}
                  {results.sort === "newest" ? (
                    <strong aria-current="true">Newest</strong>
                  ) : (
                    <Link to={searchHref(params, { sort: "newest" })}>Newest</Link>
                  )}
                </p>
              ) : null}
            </div>
            {results.corrections.length > 0 ? (
              <p className="mt-2 text-sm">
                Also matching{" "}
                {results.corrections.map((c, i) => (
                  <span key={c.from}>
                    {i > 0 ? ", " : null}
                    <strong>{c.to}</strong> for “{c.from}”
                  </span>
                ))}
                .
              </p>
            ) : null}
            {results.hits.length === 0 ? (
              <div className="mt-6 rounded-lg border border-slate-200 bg-white p-8 text-center">
                <p className="font-medium">
                  Nothing matches{results.words.length ? ` “${params.q}”` : ""}.
                </p>
                <p className="mt-2 text-sm text-muted">
                  Check the spelling, use fewer words
                  {filtered ? ", or clear the filters" : ""}. Browse the{" "}
                  <Link to="/profiles">profiles</Link> or the <Link to="/news">news</Link>.
                </p>
              </div>
            ) : (
              <ol
                aria-label="Search results"
                className={`mt-4 space-y-3 ${loading ? "opacity-60" : ""}`}
              >
                {results.hits.map((hit) => (
                  <li key={hit.id}>
                    <Hit hit={hit} />
                  </li>
                ))}
              </ol>
            )}
            {params.after || nextPage ? (
              <nav aria-label="Pagination" className="mt-8 flex justify-between text-sm">
                {params.after ? <Link to={searchHref(params, {})}>← First page</Link> : <span />}
                {nextPage ? (
                  <Link to={nextPage} rel="next">
                    More results →
                  </Link>
                ) : null}
              </nav>
            ) : null}
          </div>
          <aside aria-label="Refine results" className="lg:col-start-1 lg:row-start-1">
            {SEARCH_FACETS.map((facet) => (
              <FacetList key={facet} facet={facet} values={results.facets[facet]} params={params} />
            ))}
            {filtered ? (
              <p className="border-t border-slate-200 pt-3 text-sm">
                <Link to={searchHref({ q: params.q, sort: params.sort }, {})}>
                  Clear all filters
                </Link>
              </p>
            ) : null}
          </aside>
        </div>
      ) : (
        <p className="mt-6 text-muted">
          Search every public profile and news item by name, topic, place or subject. Spelling
          mistakes are forgiven.
        </p>
      )}
    </>
  );
}
