import { CONFIDENCE_BANDS, CRITICALITIES, PROFILE_SORTS } from "@briefings/core";
import {
  countProfiles,
  listProfiles,
  loadDirectoryFacets,
  type ProfileFilters,
  profileFiltersSchema,
} from "@briefings/db/queries";
import { data, Form, Link, useNavigation } from "react-router";
import { ProfileCard } from "#app/components/cards.tsx";
import { db } from "#app/lib/db.server.ts";
import { plural } from "#app/lib/format.ts";
import { cacheHeaders, parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import { basicPageMeta, originFromMatches } from "#app/lib/seo.ts";
import { memoizeWithTtl } from "#app/lib/ttl-cache.server.ts";
import type { Route } from "./+types/profiles";

// Filters, sort order and paging cursor are not canonical: every variant points to /profiles.
export const meta: Route.MetaFunction = ({ matches }) =>
  basicPageMeta(originFromMatches(matches), {
    path: "/profiles",
    title: "Profiles — Briefings",
    socialTitle: "Profiles",
    description:
      "The directory of organisations, networks and institutions Briefings tracks, with filters.",
  });

const PAGE_SIZE = 24;
const GRADES = [...new Set(CONFIDENCE_BANDS.map((band) => band.grade))];
const SORT_LABELS: Record<(typeof PROFILE_SORTS)[number], string> = {
  newest: "Newest first",
  name: "Name (A–Z)",
  confidence: "Highest confidence",
};

// Filter options and totals change only when editors publish; a minute late is fine.
const cachedFacets = memoizeWithTtl(async () => loadDirectoryFacets(await db()), { ttlMs: 60_000 });
const cachedCount = memoizeWithTtl(
  async (filters: ProfileFilters) => countProfiles(await db(), { ...filters, after: undefined }),
  { ttlMs: 30_000, key: ({ after: _after, ...filters }) => JSON.stringify(filters) },
);

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer } = context;
  const url = new URL(request.url);
  const filters = parseSearchParams(url, profileFiltersSchema);
  const database = await db();
  const [page, total, facets] = await Promise.all([
    withCursor(() => listProfiles(database, filters, PAGE_SIZE)),
    cachedCount(filters),
    cachedFacets(),
  ]);
  return data({ ...page, total, facets, filters }, { headers: cacheHeaders(viewer) });
}

export const headers: Route.HeadersFunction = routeHeaders;

function Select({
  name,
  label,
  value,
  options,
}: {
  name: string;
  label: string;
  value: string | undefined;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <label className="flex flex-col gap-1 text-sm">
      <span className="font-medium">{label}</span>
      <select
        name={name}
        defaultValue={value ?? ""}
        className="rounded-md border border-slate-300 bg-white px-2 py-1.5"
      >
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </label>
  );
}

const asOptions = (values: readonly string[]) => values.map((value) => ({ value, label: value }));

export default function Profiles({ loaderData }: Route.ComponentProps) {
  const { items, nextCursor, total, facets, filters } = loaderData;
  const navigation = useNavigation();
  const loading = navigation.state === "loading" && navigation.location.pathname === "/profiles";
  const nextParams = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value && key !== "after") nextParams.set(key, String(value));
  }
  const firstPage = `/profiles?${nextParams}`;
  if (nextCursor) nextParams.set("after", nextCursor);
  const filtered = ["type", "base", "focus", "topic", "criticality", "grade"].some(
    (key) => filters[key as keyof typeof filters],
  );
  return (
    <>
      <h1 className="text-3xl font-semibold tracking-tight">Profiles</h1>
      <p className="mt-2 text-muted">
        Organisations, networks, institutions and events of the internet infrastructure ecosystem.
      </p>

      <Form
        method="get"
        className="mt-6 rounded-lg border border-slate-200 bg-white p-4"
        aria-label="Filter profiles"
      >
        <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
          <Select name="type" label="Type" value={filters.type} options={asOptions(facets.types)} />
          <Select name="base" label="Base" value={filters.base} options={asOptions(facets.bases)} />
          <Select
            name="focus"
            label="Profile focus"
            value={filters.focus}
            options={asOptions(facets.focuses)}
          />
          <Select
            name="topic"
            label="Topic"
            value={filters.topic}
            options={facets.topics.map((t) => ({ value: t.slug, label: t.name }))}
          />
          <Select
            name="criticality"
            label="Operational criticality"
            value={filters.criticality}
            options={asOptions(CRITICALITIES)}
          />
          <Select
            name="grade"
            label="Confidence grade"
            value={filters.grade}
            options={GRADES.map((grade) => ({ value: grade, label: grade }))}
          />
          <label className="flex flex-col gap-1 text-sm">
            <span className="font-medium">Sort by</span>
            <select
              name="sort"
              defaultValue={filters.sort}
              className="rounded-md border border-slate-300 bg-white px-2 py-1.5"
            >
              {PROFILE_SORTS.map((sort) => (
                <option key={sort} value={sort}>
                  {SORT_LABELS[sort]}
                </option>
              ))}
            </select>
          </label>
          <div className="flex items-end gap-3">
            <button
              type="submit"
              className="rounded-md bg-accent px-4 py-1.5 text-sm font-semibold text-white hover:bg-accent-dark"
            >
              Apply filters
            </button>
            {filtered ? (
              <Link to="/profiles" className="text-sm">
                Clear
              </Link>
            ) : null}
          </div>
        </div>
      </Form>

      <div aria-live="polite" className="mt-6 text-sm text-muted">
        {loading
          ? "Loading…"
          : `${plural(total, "profile")} ${filtered ? (total === 1 ? "matches these filters" : "match these filters") : "in the directory"}`}
      </div>

      {items.length === 0 ? (
        <div className="mt-6 rounded-lg border border-slate-200 bg-white p-8 text-center">
          <p className="font-medium">No profiles match these filters.</p>
          <p className="mt-2">
            <Link to="/profiles">Clear the filters</Link>
          </p>
        </div>
      ) : (
        <ul
          className={`mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3 ${loading ? "opacity-60" : ""}`}
        >
          {items.map((profile) => (
            <li key={profile.id}>
              <ProfileCard profile={profile} />
            </li>
          ))}
        </ul>
      )}

      <nav aria-label="Pagination" className="mt-8 flex justify-between text-sm">
        {filters.after ? <Link to={firstPage}>← First page</Link> : <span />}
        {nextCursor ? (
          <Link to={`/profiles?${nextParams}`} rel="next">
            Next page →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
