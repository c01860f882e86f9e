import { latestArticles, latestProfiles, listTiers } from "@briefings/db/queries";
import type { ReactNode } from "react";
import { data, Link } from "react-router";
import { ArticleCard, ProfileCard } from "#app/components/cards.tsx";
import { db } from "#app/lib/db.server.ts";
import { cacheHeaders, routeHeaders } from "#app/lib/http.server.ts";
import { homeMeta, originFromMatches } from "#app/lib/seo.ts";
import type { Route } from "./+types/home";

export const meta: Route.MetaFunction = ({ matches }) => homeMeta(originFromMatches(matches));

export async function loader({ context }: Route.LoaderArgs) {
  const { viewer } = context;
  const database = await db();
  const [profiles, articles, tiers] = await Promise.all([
    latestProfiles(database, 6),
    latestArticles(database, 6),
    listTiers(database),
  ]);
  return data(
    { profiles, articles, tiers: tiers.filter((tier) => !tier.retiredAt) },
    { headers: cacheHeaders(viewer) },
  );
}

export const headers: Route.HeadersFunction = routeHeaders;

/** A titled grid of cards with a link to the full list, or a line saying it is empty. */
function LatestSection({
  id,
  title,
  href,
  more,
  empty,
  children,
}: {
  id: string;
  title: string;
  href: string;
  more: string;
  empty: string;
  children: ReactNode[];
}) {
  return (
    <section aria-labelledby={id} className="mt-12">
      <div className="flex items-baseline justify-between">
        <h2 id={id} className="text-xl font-semibold">
          {title}
        </h2>
        <Link to={href} className="text-sm">
          {more}
        </Link>
      </div>
      {children.length === 0 ? (
        <p className="mt-4 text-muted">{empty}</p>
      ) : (
        <ul className="mt-4 grid gap-4 sm:grid-cols-2 lg:grid-cols-3">{children}</ul>
      )}
    </section>
  );
}

export default function Home({ loaderData }: Route.ComponentProps) {
  const { profiles, articles, tiers } = loaderData;
  return (
    <>
      <section aria-labelledby="intro" className="max-w-3xl">
        <h1 id="intro" className="text-3xl font-semibold tracking-tight sm:text-4xl">
          Intelligence on the organisations that run the internet
        </h1>
        <p className="mt-4 text-lg text-muted">
          Briefings profiles the registries, networks, exchanges, cloud platforms and institutions
          of the internet infrastructure ecosystem from public sources, grades how well each claim
          is supported, and tracks the news that moves them. Every public summary is open to all;
          deeper briefings unlock with membership.
        </p>
        <p className="mt-6 flex flex-wrap gap-3">
          <Link
            to="/profiles"
            className="rounded-md bg-accent px-4 py-2 font-semibold text-white no-underline hover:bg-accent-dark hover:text-white"
          >
            Browse profiles
          </Link>
          <Link
            to="/membership"
            className="rounded-md border border-slate-300 bg-white px-4 py-2 font-semibold no-underline"
          >
            See membership
          </Link>
        </p>
      </section>

      <LatestSection
        id="latest-profiles"
        title="Latest profiles"
        href="/profiles"
        more="All profiles →"
        empty="No profiles have been published yet."
      >
        {profiles.map((profile) => (
          <li key={profile.id}>
            <ProfileCard profile={profile} />
          </li>
        ))}
      </LatestSection>

      <LatestSection
        id="latest-news"
        title="Latest news"
        href="/news"
        more="All news →"
        empty="No news yet."
      >
        {articles.map((article) => (
          <li key={article.id}>
            <ArticleCard article={article} />
          </li>
        ))}
      </LatestSection>

      <section aria-labelledby="tiers" className="mt-12">
        <h2 id="tiers" className="text-xl font-semibold">
          Membership tiers
        </h2>
        <ul className="mt-4 grid gap-4 sm:grid-cols-2">
          {tiers.map((tier) => (
            <li key={tier.slug} className="rounded-lg border border-slate-200 bg-white p-5">
              <h3 className="text-lg font-semibold">{tier.name}</h3>
              <p className="mt-1 text-sm text-muted">{tier.description}</p>
              <p className="mt-3 text-sm">
                <Link to={`/membership#${tier.slug}`}>
                  {tier.joinMethod === "open" ? "Free — how to join" : "How to apply"} →
                </Link>
              </p>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
