import { loadSitemapIndex } from "@briefings/db/queries";
import { appUrl } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { renderSitemapIndex, sitemapResponse } from "#app/lib/sitemap.server.ts";

/** `/sitemap.xml`: the index of the sitemap's chunks, each with its newest lastmod. */
export async function loader() {
  const entries = await loadSitemapIndex(await db());
  return sitemapResponse(renderSitemapIndex(entries, appUrl()));
}
