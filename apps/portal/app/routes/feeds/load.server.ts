/**
 * The feeds' loaders, shared by the RSS and Atom route of each: read the entries, answer
 * 404 where there is nothing public to follow, and render the format asked for.
 */
import { loadProfileFeed, loadSiteFeed, loadTopicFeed } from "@briefings/db/queries";
import { appUrl } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import {
  type FeedFormat,
  feedResponse,
  profileChannel,
  siteChannel,
  topicChannel,
} from "#app/lib/feeds.server.ts";
import { notFound, requireSlug } from "#app/lib/http.server.ts";

/** Everything published, newest first. */
export async function siteFeed(format: FeedFormat): Promise<Response> {
  const entries = await loadSiteFeed(await db());
  return feedResponse(format, siteChannel(), entries, appUrl());
}

/** One topic; 404 for a topic nobody defined or that only unpublished content carries. */
export async function topicFeed(slug: string | undefined, format: FeedFormat): Promise<Response> {
  const feed = await loadTopicFeed(await db(), requireSlug(slug, "topic"));
  if (!feed) notFound("There is no topic at this address.");
  return feedResponse(format, topicChannel(feed.topic), feed.entries, appUrl());
}

/** One profile and the news that mentions it; 404 unless the profile is published. */
export async function profileFeed(slug: string | undefined, format: FeedFormat): Promise<Response> {
  const feed = await loadProfileFeed(await db(), requireSlug(slug, "profile"));
  if (!feed) notFound("There is no profile at this address.");
  return feedResponse(format, profileChannel(feed.profile), feed.entries, appUrl());
}
