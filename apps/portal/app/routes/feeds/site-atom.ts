import { siteFeed } from "./load.server.ts";

/** `/feed.atom`: the site's newest profiles and articles. */
export function loader() {
  return siteFeed("atom");
}
