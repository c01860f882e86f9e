// The vocabulary of search shared by the query (db) and the page (portal).

export const SEARCH_KINDS = ["profile", "article"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_SORTS = ["relevance", "newest"] as const;
export type SearchSort = (typeof SEARCH_SORTS)[number];

/** "Published within": days per choice. */
export const SEARCH_DATE_RANGES = { week: 7, month: 30, year: 365 } as const;
export type SearchDateRange = keyof typeof SEARCH_DATE_RANGES;

/** Filters the facets narrow by; each facet is counted under all the others. */
export const SEARCH_FACETS = [
  "kind",
  "type",
  "base",
  "topic",
  "criticality",
  "grade",
  "provider",
  "date",
] as const;
export type SearchFacet = (typeof SEARCH_FACETS)[number];

/**
 * A snippet's matched words are wrapped in U+0002 … U+0003: characters stored text never
 * holds (control characters are refused on input), so no markup is ever parsed.
 */
export const SNIPPET_START = "\u0002";
export const SNIPPET_STOP = "\u0003";

export type SnippetSegment = { key: number; text: string; marked: boolean };

/** A snippet cut into plain and marked runs; keys are the runs' offsets in the snippet. */
export function snippetSegments(snippet: string): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  let offset = 0;
  let marked = false;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the markers are control characters on purpose.
  for (const run of snippet.split(/([\u0002\u0003])/u)) {
    if (run === SNIPPET_START) marked = true;
    else if (run === SNIPPET_STOP) marked = false;
    else if (run) segments.push({ key: offset, text: run, marked });
    offset += run.length;
  }
  return segments;
}
