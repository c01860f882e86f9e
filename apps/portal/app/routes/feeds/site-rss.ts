import { siteFeed } from "./load.server.ts";

/** `/feed.rss`: the site's newest profiles and articles. */
export function loader() {
  return siteFeed("rss");
}
