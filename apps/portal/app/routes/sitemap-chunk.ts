import { loadSitemapChunk, parseSitemapChunkName } from "@briefings/db/queries";
import { appUrl } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { notFound } from "#app/lib/http.server.ts";
import { renderUrlset, sitemapResponse } from "#app/lib/sitemap.server.ts";
import type { Route } from "./+types/sitemap-chunk";

/**
 * `/sitemaps/<chunk>.xml`: one chunk the index lists (`pages`, `profiles-<n>`,
 * `articles-<n>`). Any other name, or a number past the last chunk, is a 404.
 */
export async function loader({ params }: Route.LoaderArgs) {
  const name = /^(.+)\.xml$/.exec(params.chunk ?? "")?.[1];
  const chunk = name ? parseSitemapChunkName(name) : null;
  if (!chunk) notFound("There is no sitemap at this address.");
  const urls = await loadSitemapChunk(await db(), chunk);
  if (!urls) notFound("There is no sitemap at this address.");
  return sitemapResponse(renderUrlset(urls, appUrl()));
}
