import type { Route } from "./+types/topic-rss";
import { topicFeed } from "./load.server.ts";

/** `/topics/:slug/feed.rss`: one topic's newest profiles and articles. */
export function loader({ params }: Route.LoaderArgs) {
  return topicFeed(params.slug, "rss");
}
