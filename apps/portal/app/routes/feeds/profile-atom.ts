import type { Route } from "./+types/profile-atom";
import { profileFeed } from "./load.server.ts";

/** `/profiles/:slug/feed.atom`: a profile and the newest news that mentions it. */
export function loader({ params }: Route.LoaderArgs) {
  return profileFeed(params.slug, "atom");
}
