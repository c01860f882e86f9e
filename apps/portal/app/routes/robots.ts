import { appUrl } from "#app/lib/auth.server.ts";
import { robotsResponse } from "#app/lib/sitemap.server.ts";

/** `/robots.txt`: what crawlers may fetch, and where the sitemap is. */
export function loader() {
  return robotsResponse(appUrl());
}
