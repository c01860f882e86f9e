import {
  CONFIDENCE_GRADES,
  CRITICALITIES,
  SEARCH_DATE_RANGES,
  SEARCH_FACETS,
  SEARCH_KINDS,
  SEARCH_SORTS,
  type SearchDateRange,
  type SearchFacet,
  type SearchKind,
  type SearchSort,
  SNIPPET_START,
  SNIPPET_STOP,
} from "@briefings/core";
import { type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import { decodeDateCursor, decodeNumberCursor, encodeCursor } from "./cursor.ts";

// Search over the `search_documents` table (decision 024). That table holds public fields
// of published content only, written by database triggers: nothing here can reach a
// briefing, a draft or a scheduled profile, because none of them is ever in it.

/** At most this many words of a query are used; the rest are ignored. */
export const MAX_QUERY_WORDS = 8;

const facetText = z
  .string()
  .trim()
  .max(200, { error: "must be at most 200 characters" })
  .optional()
  .transform((value) => value || undefined);

export const searchParamsSchema = z.object({
  q: z
    .string()
    .trim()
    .max(200, { error: "must be at most 200 characters" })
    .optional()
    .transform((value) => value ?? ""),
  kind: z.enum(SEARCH_KINDS, { error: "must be profile or article" }).optional(),
  type: facetText,
  base: facetText,
  topic: facetText,
  criticality: z.enum(CRITICALITIES, { error: "must be Low, Medium, High or Critical" }).optional(),
  grade: z.enum(CONFIDENCE_GRADES, { error: "must be A, A/B, B/C, C/D or D" }).optional(),
  provider: facetText,
  date: z
    .enum(Object.keys(SEARCH_DATE_RANGES) as [SearchDateRange, ...SearchDateRange[]], {
      error: "must be week, month or year",
    })
    .optional(),
  sort: z.enum(SEARCH_SORTS, { error: "must be relevance or newest" }).optional(),
  after: z.string().max(500, { error: "is not a valid page cursor" }).optional(),
});
export type SearchParams = z.infer<typeof searchParamsSchema>;

export type FacetValue = { value: string; label: string; count: number };

export type SearchHit = {
  id: string;
  kind: SearchKind;
  slug: string;
  title: string;
  /** Public text around the matched words, marked as core's `snippetSegments` reads. */
  snippet: string;
  type: string;
  base: string | null;
  criticality: string | null;
  grade: string | null;
  providerName: string | null;
  providerDomain: string | null;
  topics: { slug: string; name: string }[];
  publishedAt: Date;
};

export type SearchCorrection = { from: string; to: string };

export type SearchResults = {
  /** The words searched for, after normalisation; empty when browsing by filters. */
  words: string[];
  /** Misspelt words and the indexed words they were also matched as. */
  corrections: SearchCorrection[];
  sort: SearchSort;
  total: number;
  hits: SearchHit[];
  nextCursor: string | null;
  facets: Record<SearchFacet, FacetValue[]>;
};

/** Values shown per facet; the rest are reachable by searching. */
const FACET_LIMIT = 12;

/**
 * Lower-cased runs of letters, marks and digits: everything else (operators, quotes) is
 * dropped. Marks belong to their letters ("İstanbul", Devanagari); splitting at them would
 * cut words apart.
 */
export function queryWords(q: string): string[] {
  const words =
    q
      .normalize("NFKC")
      .toLowerCase()
      .match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
  return [...new Set(words)].filter((word) => word.length <= 60).slice(0, MAX_QUERY_WORDS);
}

/**
 * Which words the index knows, and for each it does not, the closest indexed word by
 * trigram similarity (pg_trgm's `%`, threshold 0.3) that published text still holds:
 * "recogniton" → "recognition". Words under three letters and numbers are not looked up
 * (their trigrams say too little), nor corrected under four.
 */
async function checkWords(
  db: Db,
  words: string[],
): Promise<{ corrections: SearchCorrection[]; known: Set<string> }> {
  const candidates = words.filter((word) => word.length >= 3 && !/\d/.test(word));
  if (candidates.length === 0) return { corrections: [], known: new Set() };
  const list = sql.join(
    candidates.map((word) => sql`${word}`),
    sql`, `,
  );
  const rows = await queryRows<{ word: string; known: boolean; suggestion: string | null }>(
    db,
    sql`SELECT x.w AS word, k.known, CASE WHEN NOT k.known AND length(x.w) >= 4 THEN (
          SELECT s.word FROM search_words s
          WHERE s.word % unaccent(x.w)
            -- The vocabulary only grows, so it can hold words of text since unpublished
            -- or edited away: a word is offered only while published text still has it.
            AND EXISTS (
              SELECT 1 FROM search_documents d
              WHERE d.document @@ to_tsquery('briefings_search', s.word)
                AND unaccent(lower(concat_ws(' ', d.title, d.summary, d.body, d.type, d.base,
                  d.provider_name, array_to_string(d.topic_slugs, ' ')))) LIKE '%' || s.word || '%'
            )
          ORDER BY similarity(s.word, unaccent(x.w)) DESC, s.word
          LIMIT 1
        ) END AS suggestion
        FROM unnest(ARRAY[${list}]::text[]) AS x(w)
        CROSS JOIN LATERAL (SELECT EXISTS (
          SELECT 1 FROM search_words sw WHERE sw.word = unaccent(x.w)) AS known) AS k`,
  );
  return {
    corrections: rows.flatMap((row) =>
      row.suggestion && row.suggestion !== row.word ? [{ from: row.word, to: row.suggestion }] : [],
    ),
    known: new Set(rows.filter((row) => row.known).map((row) => row.word)),
  };
}

/**
 * The tsquery text: every word must match (or its correction), and the last one, unless it
 * is a whole word the index knows, also as a prefix (a word still being typed). Known words
 * need no prefix: stemming already meets their other forms, and a prefix of a common word
 * would only widen the search. Words are letters, marks and digits only, so they cannot
 * form tsquery syntax.
 */
export function tsqueryText(
  words: string[],
  corrections: SearchCorrection[],
  known: ReadonlySet<string> = new Set(),
): string {
  return words
    .map((word, i) => {
      const last = i === words.length - 1 && word.length >= 3 && !known.has(word);
      const own = `'${word}'${last ? ":*" : ""}`;
      const correction = corrections.find((c) => c.from === word);
      return correction ? `(${own} | '${correction.to}')` : own;
    })
    .join(" & ");
}

/** The conditions of every filter but `except`, over the columns of alias `d`. */
function filterConditions(params: SearchParams, now: Date, except?: SearchFacet): SQL[] {
  const conditions: SQL[] = [];
  const add = (facet: SearchFacet, condition: SQL | null) => {
    if (facet !== except && condition) conditions.push(condition);
  };
  add("kind", params.kind ? sql`d.kind = ${params.kind}` : null);
  add("type", params.type ? sql`d.type = ${params.type}` : null);
  add("base", params.base ? sql`d.base = ${params.base}` : null);
  add("topic", params.topic ? sql`d.topic_slugs @> ARRAY[${params.topic}]::text[]` : null);
  add("criticality", params.criticality ? sql`d.criticality = ${params.criticality}` : null);
  add("grade", params.grade ? sql`d.grade = ${params.grade}` : null);
  add("provider", params.provider ? sql`d.provider_domain = ${params.provider}` : null);
  add(
    "date",
    params.date
      ? sql`d.published_at BETWEEN ${since(now, params.date)}::timestamptz AND ${now.toISOString()}::timestamptz`
      : null,
  );
  return conditions;
}

function since(now: Date, range: SearchDateRange): string {
  return new Date(now.getTime() - SEARCH_DATE_RANGES[range] * 86_400_000).toISOString();
}

const and = (conditions: SQL[]): SQL =>
  conditions.length === 0 ? sql`TRUE` : sql.join(conditions, sql` AND `);

/**
 * Searches published profiles and articles. With words: ranked by relevance (title
 * above summary above the rest) or by date; without: every document the filters admit,
 * newest first. One page of hits, keyset-paginated, and the counts of every facet.
 */
export async function searchContent(
  db: Db,
  params: SearchParams,
  options: { limit?: number; now?: Date } = {},
): Promise<SearchResults> {
  const limit = options.limit ?? 20;
  const now = options.now ?? new Date();
  const words = queryWords(params.q);
  const { corrections, known } =
    words.length > 0 ? await checkWords(db, words) : { corrections: [], known: new Set<string>() };
  const sort: SearchSort = words.length === 0 ? "newest" : (params.sort ?? "relevance");
  const query =
    words.length > 0
      ? sql`to_tsquery('briefings_search', ${tsqueryText(words, corrections, known)})`
      : sql`NULL::tsquery`;
  const matches = words.length > 0 ? sql`d.document @@ q.query` : sql`TRUE`;

  const { hits, facetRows } = await runSearch(db, { params, now, limit, sort, query, matches });
  const facets = Object.fromEntries(SEARCH_FACETS.map((f) => [f, [] as FacetValue[]])) as Record<
    SearchFacet,
    FacetValue[]
  >;
  let total = 0;
  for (const row of facetRows) {
    if (row.facet === "total") total = row.count;
    else facets[row.facet].push({ value: row.value, label: row.label, count: row.count });
  }
  const last = hits[limit - 1];
  const nextCursor =
    hits.length > limit && last
      ? encodeCursor(
          sort === "relevance"
            ? [Number(last.rank), last.id]
            : [new Date(last.publishedAt).toISOString(), last.id],
        )
      : null;
  return {
    words,
    corrections,
    sort,
    total,
    hits: hits.slice(0, limit).map(
      ({ rank: _rank, publishedAt, ...hit }): SearchHit => ({
        ...hit,
        publishedAt: new Date(publishedAt),
      }),
    ),
    nextCursor,
    facets,
  };
}

type HitRow = Omit<SearchHit, "publishedAt"> & { publishedAt: string; rank: number };
type FacetRow = { facet: SearchFacet | "total"; value: string; label: string; count: number };

/**
 * The page of hits and every facet's counts, in one statement: the matching documents are
 * found (and ranked) once, then cut to the page — snippets, the costly part, for its rows
 * only — and counted per facet, each facet with the other facets' filters applied but not
 * its own, so a chosen value's siblings keep their counts and remain choosable.
 */
async function runSearch(
  db: Db,
  args: {
    params: SearchParams;
    now: Date;
    limit: number;
    sort: SearchSort;
    query: SQL;
    matches: SQL;
  },
): Promise<{ hits: HitRow[]; facetRows: FacetRow[] }> {
  const { params, now, limit, sort, query, matches } = args;
  const where = (except?: SearchFacet) => and(filterConditions(params, now, except));
  const pageConditions = filterConditions(params, now);
  let order: SQL;
  if (sort === "relevance") {
    order = sql`d.rank DESC, d.id DESC`;
    if (params.after) {
      const [rank, id] = decodeNumberCursor(params.after);
      pageConditions.push(sql`(d.rank, d.id) < (${rank}::real, ${id}::uuid)`);
    }
  } else {
    order = sql`d.published_at DESC, d.id DESC`;
    if (params.after) {
      const [at, id] = decodeDateCursor(params.after);
      pageConditions.push(
        sql`(d.published_at, d.id) < (${at.toISOString()}::timestamptz, ${id}::uuid)`,
      );
    }
  }
  const rank = sort === "relevance" ? sql`ts_rank(d.document, q.query)` : sql`0::real`;
  const simple = (facet: SearchFacet, column: string) =>
    sql`(SELECT ${facet}::text AS facet, d.${sql.raw(column)} AS value, d.${sql.raw(column)} AS label,
          count(*)::int AS count
        FROM m d WHERE d.${sql.raw(column)} IS NOT NULL AND ${where(facet)}
        GROUP BY d.${sql.raw(column)}
        ORDER BY count DESC, value LIMIT ${FACET_LIMIT})`;
  const ranges = sql.join(
    (Object.keys(SEARCH_DATE_RANGES) as SearchDateRange[]).map(
      (range) => sql`(${range}::text, ${since(now, range)}::timestamptz)`,
    ),
    sql`, `,
  );
  const [row] = await queryRows<{ hits: HitRow[] | string; facets: FacetRow[] | string }>(
    db,
    sql`WITH q AS (SELECT ${query} AS query),
        m AS MATERIALIZED (
          SELECT d.id, d.kind, d.type, d.base, d.criticality, d.grade, d.provider_domain,
            d.provider_name, d.topic_slugs, d.published_at, ${rank} AS rank
          FROM search_documents d, q WHERE ${matches}
        ),
        page AS (
          SELECT d.id, d.rank, d.published_at FROM m d
          WHERE ${and(pageConditions)}
          ORDER BY ${order}
          LIMIT ${limit + 1}
        ),
        hits AS (
          SELECT d.id, d.kind, d.slug, d.title, d.type, d.base, d.criticality, d.grade,
            d.provider_name AS "providerName", d.provider_domain AS "providerDomain",
            d.published_at AS "publishedAt", page.rank,
            CASE WHEN q.query IS NULL THEN d.summary ELSE ts_headline('briefings_search',
              d.summary || ' ' || d.body, q.query,
              'StartSel=${sql.raw(SNIPPET_START)}, StopSel=${sql.raw(SNIPPET_STOP)}, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "')
            END AS snippet,
            coalesce((SELECT json_agg(json_build_object('slug', t.slug, 'name', t.name) ORDER BY t.name)
              FROM topics t WHERE t.slug = ANY (d.topic_slugs)), '[]'::json) AS topics
          FROM page JOIN search_documents d ON d.id = page.id, q
        ),
        facets AS (
          (SELECT 'total'::text AS facet, '' AS value, '' AS label, count(*)::int AS count
            FROM m d WHERE ${where()})
          UNION ALL ${simple("kind", "kind")}
          UNION ALL ${simple("type", "type")}
          UNION ALL ${simple("base", "base")}
          UNION ALL ${simple("criticality", "criticality")}
          UNION ALL ${simple("grade", "grade")}
          UNION ALL (SELECT 'provider', d.provider_domain,
              (array_agg(d.provider_name ORDER BY d.published_at DESC))[1], count(*)::int AS count
            FROM m d WHERE d.provider_domain IS NOT NULL AND ${where("provider")}
            GROUP BY d.provider_domain ORDER BY count DESC, d.provider_domain LIMIT ${FACET_LIMIT})
          UNION ALL (SELECT 'topic', t.slug, t.name, count(*)::int AS count
            FROM m d CROSS JOIN LATERAL unnest(d.topic_slugs) AS ts(slug)
            JOIN topics t ON t.slug = ts.slug
            WHERE ${where("topic")}
            GROUP BY t.slug, t.name ORDER BY count DESC, t.name LIMIT ${FACET_LIMIT})
          UNION ALL (SELECT 'date', r.value, r.value,
              count(*) FILTER (WHERE d.published_at >= r.since)::int
            FROM (VALUES ${ranges}) AS r(value, since) CROSS JOIN m d
            WHERE d.published_at <= ${now.toISOString()}::timestamptz AND ${where("date")}
            GROUP BY r.value, r.since ORDER BY r.since DESC)
        )
        SELECT
          (SELECT coalesce(json_agg(h ORDER BY ${sql.raw(sort === "relevance" ? "h.rank DESC, h.id DESC" : '"publishedAt" DESC, h.id DESC')}), '[]'::json) FROM hits h) AS hits,
          (SELECT coalesce(json_agg(f), '[]'::json) FROM facets f) AS facets`,
  );
  const parse = <T>(value: T[] | string | undefined): T[] =>
    typeof value === "string" ? (JSON.parse(value) as T[]) : (value ?? []);
  return { hits: parse(row?.hits), facetRows: parse(row?.facets) };
}
