import type { Route } from "./+types/topic-atom";
import { topicFeed } from "./load.server.ts";

/** `/topics/:slug/feed.atom`: one topic's newest profiles and articles. */
export function loader({ params }: Route.LoaderArgs) {
  return topicFeed(params.slug, "atom");
}
