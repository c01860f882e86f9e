import { articleFiltersSchema, listArticles } from "@briefings/db/queries";
import { data, Link } from "react-router";
import { ArticleCard } from "#app/components/cards.tsx";
import { db } from "#app/lib/db.server.ts";
import { cacheHeaders, parseSearchParams, routeHeaders, withCursor } from "#app/lib/http.server.ts";
import { basicPageMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/news";

// The topic filter and the paging cursor are not canonical: every variant points to /news.
export const meta: Route.MetaFunction = ({ matches }) =>
  basicPageMeta(originFromMatches(matches), {
    path: "/news",
    title: "News — Briefings",
    socialTitle: "News",
    description: "News on the organisations of the internet infrastructure ecosystem.",
  });

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer } = context;
  const filters = parseSearchParams(new URL(request.url), articleFiltersSchema);
  const page = await withCursor(async () => listArticles(await db(), filters, 20));
  return data({ ...page, filters }, { headers: cacheHeaders(viewer) });
}

export const headers: Route.HeadersFunction = routeHeaders;

export default function News({ loaderData }: Route.ComponentProps) {
  const { items, nextCursor, filters } = loaderData;
  const params = new URLSearchParams();
  if (filters.topic) params.set("topic", filters.topic);
  const firstPage = `/news${params.size ? `?${params}` : ""}`;
  if (nextCursor) params.set("after", nextCursor);
  return (
    <>
      <h1 className="text-3xl font-semibold tracking-tight">News</h1>
      <p className="mt-2 text-muted">
        {filters.topic ? (
          <>
            Filtered by topic “{filters.topic}”. <Link to="/news">Show all news</Link>
          </>
        ) : (
          "Reporting on the organisations we track, newest first."
        )}
      </p>
      {items.length === 0 ? (
        <p className="mt-8 rounded-lg border border-slate-200 bg-white p-8 text-center">
          No news here yet.
        </p>
      ) : (
        <ul className="mt-6 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
          {items.map((article) => (
            <li key={article.id}>
              <ArticleCard article={article} />
            </li>
          ))}
        </ul>
      )}
      <nav aria-label="Pagination" className="mt-8 flex justify-between text-sm">
        {filters.after ? <Link to={firstPage}>← First page</Link> : <span />}
        {nextCursor ? (
          <Link to={`/news?${params}`} rel="next">
            Older news →
          </Link>
        ) : null}
      </nav>
    </>
  );
}
