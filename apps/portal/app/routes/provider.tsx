import { providerSchema } from "@briefings/core";
import { listArticles, loadProvider } from "@briefings/db/queries";
import { data, Link } from "react-router";
import { z } from "zod";
import { PagedNews } from "#app/components/cards.tsx";
import { db } from "#app/lib/db.server.ts";
import { plural } from "#app/lib/format.ts";
import {
  cacheHeaders,
  notFound,
  parseSearchParams,
  routeHeaders,
  withCursor,
} from "#app/lib/http.server.ts";
import { basicPageMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/provider";

const ARTICLES_PER_PAGE = 12;

const providerPageSchema = z.object({ after: z.string().max(500).optional() });

export const meta: Route.MetaFunction = ({ loaderData, matches }) => {
  if (!loaderData) return [{ title: "Source not found — Briefings" }];
  const { provider } = loaderData;
  return basicPageMeta(originFromMatches(matches), {
    path: `/providers/${provider.domain}`,
    title: `${provider.name} — Briefings`,
    socialTitle: provider.name,
    description: `${plural(provider.articleCount, "news item")} from ${provider.name} (${provider.domain}), summarised by Briefings.`,
  });
};

export async function loader({ params, request, context }: Route.LoaderArgs) {
  const domain = params.domain ?? "";
  // A source's address is its domain exactly as the importer stores it (core's schema).
  if (providerSchema.shape.domain.safeParse(domain).data !== domain)
    notFound("There is no source at this address.");
  const { after } = parseSearchParams(new URL(request.url), providerPageSchema);
  const database = await db();
  const provider = await loadProvider(database, domain);
  if (!provider) notFound("There is no source at this address.");
  const articles = await withCursor(() =>
    listArticles(database, { provider: domain, after }, ARTICLES_PER_PAGE),
  );
  return data(
    { provider, articles, after: after ?? null },
    { headers: cacheHeaders(context.viewer) },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

export default function Provider({ loaderData }: Route.ComponentProps) {
  const { provider, articles, after } = loaderData;
  const base = `/providers/${provider.domain}`;
  return (
    <>
      <p className="text-sm text-muted">
        <Link to="/news">News</Link> <span aria-hidden="true">›</span> Source
      </p>
      <h1 className="mt-1 text-3xl font-semibold tracking-tight">{provider.name}</h1>
      <p className="mt-2 text-muted">
        {plural(provider.articleCount, "news item")} from{" "}
        <a href={`https://${provider.domain}`} rel="noopener noreferrer nofollow">
          {provider.domain}
        </a>
        .
      </p>

      {provider.mentioned.length > 0 && !after ? (
        <section aria-labelledby="provider-profiles" className="mt-8">
          <h2 id="provider-profiles" className="text-xl font-semibold">
            Organisations in its reporting
          </h2>
          <ul className="mt-3 flex flex-wrap gap-2 text-sm">
            {provider.mentioned.map((profile) => (
              <li key={profile.slug}>
                <Link
                  to={`/profiles/${profile.slug}`}
                  className="inline-block rounded border border-slate-200 bg-white px-2 py-1"
                >
                  {profile.name}{" "}
                  <span className="text-muted">({plural(profile.mentions, "mention")})</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <PagedNews
        id="provider-news"
        articles={articles}
        base={base}
        after={after}
        empty="No published news from this source."
      />
    </>
  );
}
