import type { Route } from "./+types/profile-rss";
import { profileFeed } from "./load.server.ts";

/** `/profiles/:slug/feed.rss`: a profile and the newest news that mentions it. */
export function loader({ params }: Route.LoaderArgs) {
  return profileFeed(params.slug, "rss");
}
