import { randomUUID } from "node:crypto";
import {
  type Article,
  DEFAULT_TIERS,
  LEADERSHIP_ALLIANCE,
  newProfileDocument,
  type ProfileDocument,
} from "@briefings/core";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.ts";
import { articles, profileChanges, profileFollows, topicFollows, users } from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  BRIEFINGS_UPDATED,
  claimDueDigests,
  countFollows,
  createProfile,
  exportFollows,
  FOLLOW_LIMIT,
  followedArticles,
  followedArticlesInWindow,
  followedChangesInWindow,
  followedProfileChanges,
  followProfile,
  followTopic,
  getDigestPreference,
  InvalidCursorError,
  isFollowingProfile,
  isFollowingTopic,
  listFollows,
  loadEditableProfile,
  publicChangedSections,
  recentProfileChanges,
  releaseDigestClaim,
  setDigestFrequency,
  signingKey,
  unfollowProfile,
  unfollowTopic,
  updateProfile,
} from "./index.ts";
import { type ArticleInput, saveArticles, saveTiers } from "./save-content.ts";

const EDITOR = { id: null, name: "editor@example.org" };
const CANARY = `CANARY-${randomUUID()}`;
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** A profile document with a briefing per gate, each carrying the canary everywhere. */
function documentFor(slug: string, overrides: Partial<ProfileDocument> = {}): ProfileDocument {
  const blank = newProfileDocument();
  return {
    ...blank,
    status: "published",
    profile: {
      ...blank.profile,
      slug,
      name: `Profile ${slug}`,
      type: "Internet infrastructure institution",
      ecosystem: "Internet governance",
      base: "Global",
      summary: `Summary of ${slug}.`,
      timeHorizon: "Next quarter",
      whatItDoes: ["Runs things"],
      whyItMatters: ["It matters"],
      sections: [
        { heading: "History", paragraphs: ["Founded long ago."] },
        { heading: "Governance", paragraphs: ["A board."] },
      ],
      topics: ["Routing"],
      confidence: 0.8,
    },
    briefings: [
      { kind: "profile-briefing", label: "Members", gate: { kind: "members" } },
      {
        kind: "profile-briefing",
        label: "Leadership",
        gate: { kind: "tier", tier: LEADERSHIP_ALLIANCE },
      },
    ].map((b) => ({
      kind: b.kind as "profile-briefing",
      label: b.label,
      title: `Title ${CANARY}`,
      gate: b.gate as ProfileDocument["briefings"][number]["gate"],
      body: `Body ${CANARY}`,
      sources: [{ title: `Source ${CANARY}`, url: `https://example.org/${CANARY}`, note: CANARY }],
    })),
    ...overrides,
  };
}

function withProfile(
  document: ProfileDocument,
  fields: Partial<ProfileDocument["profile"]>,
): ProfileDocument {
  return { ...document, profile: { ...document.profile, ...fields } };
}

function article(key: string, fields: Partial<Article>, mentions: string[] = []): ArticleInput {
  return {
    article: {
      category: "news",
      title: `News ${key}`,
      excerpt: `Excerpt ${key}.`,
      publishedDateTime: new Date("2024-01-01T00:00:00Z"),
      webUrl: `https://news.example.com/${key}`,
      type: "article",
      quality: 50,
      heat: 50,
      published: true,
      provider: { name: "Example News", domain: "news.example.com" },
      topics: [],
      images: [],
      related: [],
      body: "",
      ...fields,
    },
    briefings: [],
    mentions,
  };
}

describe("publicChangedSections", () => {
  const before = documentFor("diff");

  it("names exactly the public sections that changed, in page order", () => {
    const after = withProfile(before, {
      summary: "New summary.",
      whatToWatch: ["A vote"],
      sections: [
        { heading: "History", paragraphs: ["Founded long ago.", "And again."] },
        { heading: "Governance", paragraphs: ["A board."] },
        { heading: "Funding", paragraphs: ["Fees."] },
      ],
      topics: ["Routing", "Policy"],
      confidence: 0.9,
      criticality: "Critical",
    });
    expect(publicChangedSections(before, after)).toEqual([
      "Summary",
      "Criticality",
      "What To Watch",
      "History",
      "Funding",
      "Topics",
      "Confidence",
    ]);
  });

  it("notices removed body sections and treats topics as a set", () => {
    const reordered = withProfile(before, { topics: ["Routing"] });
    expect(publicChangedSections(before, reordered)).toEqual([]);
    const removed = withProfile(before, {
      sections: [{ heading: "History", paragraphs: ["Founded long ago."] }],
    });
    expect(publicChangedSections(before, removed)).toEqual(["Governance"]);
    const sources = withProfile(before, { sourcesNote: "Checked." });
    expect(publicChangedSections(before, sources)).toEqual(["Sources"]);
  });

  it("records a change to briefings by a fixed label, never their text", () => {
    const after: ProfileDocument = {
      ...before,
      briefings: before.briefings.map((b) => ({ ...b, title: `${b.title} more`, body: "x" })),
    };
    const sections = publicChangedSections(before, after);
    expect(sections).toEqual([BRIEFINGS_UPDATED]);
    expect(JSON.stringify(sections)).not.toContain(CANARY);
    expect(publicChangedSections(before, before)).toEqual([]);
  });
});

describe.each(testDrivers())("following on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;

  async function newUser(verified = true): Promise<string> {
    const [row] = await db
      .insert(users)
      .values({
        email: `member-${randomUUID()}@example.org`,
        passwordHash: "not-a-hash",
        emailVerifiedAt: verified ? new Date() : null,
      })
      .returning({ id: users.id });
    return (row as { id: string }).id;
  }

  async function newProfile(slug: string, status: ProfileDocument["status"] = "published") {
    const result = await createProfile(db, EDITOR, documentFor(slug, { status }));
    if (!result.ok) throw new Error(`could not create ${slug}: ${result.reason}`);
    return result.id;
  }

  /** An editor's save of a new version of a profile, through the real editor. */
  async function edit(
    id: string,
    change: (document: ProfileDocument) => ProfileDocument,
    now?: Date,
  ) {
    const current = await loadEditableProfile(db, id);
    if (!current) throw new Error("no profile");
    const result = await updateProfile(db, EDITOR, id, current.version, change(current.document), {
      ...(now ? { now } : {}),
    });
    if (!result.ok) throw new Error(`save refused: ${result.reason}`);
  }

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => database?.dispose());

  it("follows and unfollows a published profile, idempotently", async () => {
    const member = await newUser();
    const id = await newProfile("follow-me");
    expect(await followProfile(db, member, "follow-me")).toEqual({ ok: true, following: true });
    expect(await followProfile(db, member, "follow-me")).toEqual({ ok: true, following: true });
    expect(await isFollowingProfile(db, member, id)).toBe(true);
    expect(await countFollows(db, member)).toBe(1);
    await unfollowProfile(db, member, id);
    await unfollowProfile(db, member, id);
    expect(await isFollowingProfile(db, member, id)).toBe(false);
    expect(await countFollows(db, member)).toBe(0);
  });

  it("refuses drafts, unknown profiles and topics only drafts carry", async () => {
    const member = await newUser();
    await newProfile("still-a-draft", "draft");
    await createProfile(
      db,
      EDITOR,
      withProfile(documentFor("draft-topic", { status: "draft" }), { topics: ["Secret plans"] }),
    );
    expect(await followProfile(db, member, "still-a-draft")).toEqual({
      ok: false,
      reason: "not-found",
    });
    expect(await followProfile(db, member, "no-such-profile")).toEqual({
      ok: false,
      reason: "not-found",
    });
    expect(await followTopic(db, member, "secret-plans")).toEqual({
      ok: false,
      reason: "not-found",
    });
    expect(await countFollows(db, member)).toBe(0);
  });

  it("follows topics that published content carries, idempotently", async () => {
    const member = await newUser();
    await newProfile("routing-profile");
    expect(await followTopic(db, member, "routing")).toEqual({ ok: true, following: true });
    expect(await followTopic(db, member, "routing")).toEqual({ ok: true, following: true });
    const [row] = await db.select().from(topicFollows).where(eq(topicFollows.userId, member));
    expect(await isFollowingTopic(db, member, row?.topicId as string)).toBe(true);
    await unfollowTopic(db, member, row?.topicId as string);
    await unfollowTopic(db, member, row?.topicId as string);
    expect(await isFollowingTopic(db, member, row?.topicId as string)).toBe(false);
  });

  it("caps follows per member, counting profiles and topics, even when sent at once", async () => {
    expect(FOLLOW_LIMIT).toBe(500);
    const member = await newUser();
    const slugs = ["cap-a", "cap-b", "cap-c", "cap-d", "cap-e"];
    for (const slug of slugs) await newProfile(slug);
    const results = await Promise.all(
      slugs.map((slug) => followProfile(db, member, slug, { limit: 3 })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok)).toEqual([
      { ok: false, reason: "limit", limit: 3 },
      { ok: false, reason: "limit", limit: 3 },
    ]);
    expect(await countFollows(db, member)).toBe(3);
    expect(await followTopic(db, member, "routing", { limit: 3 })).toEqual({
      ok: false,
      reason: "limit",
      limit: 3,
    });
    // Following again what one follows is not refused at the cap.
    const followed = await db
      .select({ profileId: profileFollows.profileId })
      .from(profileFollows)
      .where(eq(profileFollows.userId, member));
    const { profiles: listed } = await listFollows(db, member);
    const first = listed.find((p) => p.id === followed[0]?.profileId);
    expect(await followProfile(db, member, first?.slug as string, { limit: 3 })).toEqual({
      ok: true,
      following: true,
    });
  });

  it("records the changed public sections of each save of a published profile", async () => {
    const id = await newProfile("changing");
    const at = new Date("2026-03-01T10:00:00Z");
    await edit(id, (d) => withProfile(d, { summary: "Changed summary." }), at);
    await edit(
      id,
      (d) => ({ ...d, briefings: d.briefings.map((b) => ({ ...b, body: `${b.body}!` })) }),
      new Date("2026-03-02T10:00:00Z"),
    );
    // A save that changes nothing public records nothing.
    await edit(id, (d) => d, new Date("2026-03-03T10:00:00Z"));
    const changes = await recentProfileChanges(db, id);
    expect(changes.map((c) => c.sections)).toEqual([[BRIEFINGS_UPDATED], ["Summary"]]);
    expect(changes[1]?.changedAt).toEqual(at);
    const stored = await db.select().from(profileChanges);
    expect(JSON.stringify(stored)).not.toContain(CANARY);
  });

  it("records nothing while a profile is not public, and hides changes of unpublished ones", async () => {
    const id = await newProfile("drafted", "draft");
    await edit(id, (d) => withProfile(d, { summary: "Draft edit." }));
    await edit(id, (d) => ({
      ...withProfile(d, { summary: "Published now." }),
      status: "published",
    }));
    expect(await recentProfileChanges(db, id)).toEqual([]);
    await edit(id, (d) => withProfile(d, { name: "Renamed" }));
    expect((await recentProfileChanges(db, id)).map((c) => c.sections)).toEqual([["Name"]]);
    await edit(id, (d) => ({ ...d, status: "draft" }));
    expect(await recentProfileChanges(db, id)).toEqual([]);
  });

  it("builds a watchlist: changes, news on followed topics and mentions, by keyset", async () => {
    const member = await newUser();
    const watched = await newProfile("watched");
    const hidden = await newProfile("goes-draft");
    await newProfile("unfollowed");
    await followProfile(db, member, "watched");
    await followProfile(db, member, "goes-draft");
    await saveArticles(db, [
      article("mentions-watched", { publishedDateTime: new Date("2026-01-05T00:00:00Z") }, [
        "watched",
      ]),
      article("on-dns", { publishedDateTime: new Date("2026-01-04T00:00:00Z"), topics: ["DNS"] }),
      article("on-nothing", {
        publishedDateTime: new Date("2026-01-06T00:00:00Z"),
        topics: ["Other"],
      }),
      article("mentions-draft", { publishedDateTime: new Date("2026-01-07T00:00:00Z") }, [
        "goes-draft",
      ]),
      article("unpublished-dns", {
        publishedDateTime: new Date("2026-01-08T00:00:00Z"),
        topics: ["DNS"],
      }),
    ]);
    await db
      .update(articles)
      .set({ status: "draft" })
      .where(eq(articles.webUrl, "https://news.example.com/unpublished-dns"));
    expect(await followTopic(db, member, "dns")).toEqual({ ok: true, following: true });

    await edit(
      watched,
      (d) => withProfile(d, { keyPoints: ["One"] }),
      new Date("2026-02-01T00:00:00Z"),
    );
    await edit(
      watched,
      (d) => withProfile(d, { whatItDoes: ["More"] }),
      new Date("2026-02-02T00:00:00Z"),
    );
    await edit(hidden, (d) => withProfile(d, { summary: "x" }), new Date("2026-02-03T00:00:00Z"));
    await edit(hidden, (d) => ({ ...d, status: "draft" }));

    const first = await followedProfileChanges(db, member, { limit: 1 });
    expect(first.items.map((c) => [c.slug, c.sections])).toEqual([["watched", ["What It Does"]]]);
    const second = await followedProfileChanges(db, member, {
      limit: 1,
      after: first.nextCursor as string,
    });
    expect(second.items.map((c) => [c.slug, c.sections])).toEqual([["watched", ["Key points"]]]);
    expect(second.nextCursor).toBeNull();

    const news = await followedArticles(db, member, { limit: 1 });
    expect(news.items.map((a) => a.title)).toEqual(["News mentions-watched"]);
    expect(news.items[0]?.publishedDateTime).toBeInstanceOf(Date);
    const older = await followedArticles(db, member, { after: news.nextCursor as string });
    expect(older.items.map((a) => a.title)).toEqual(["News on-dns"]);
    expect(older.items[0]?.topics).toEqual(["DNS"]);
    await expect(followedArticles(db, member, { after: "forged" })).rejects.toThrow(
      InvalidCursorError,
    );

    const follows = await listFollows(db, member);
    expect(follows.profiles.map((p) => p.name)).toEqual(["Profile watched", null]);
    expect(follows.profiles[0]?.lastChangedAt).toEqual(new Date("2026-02-02T00:00:00Z"));
    expect(follows.topics.map((t) => t.slug)).toEqual(["dns"]);
    expect((await exportFollows(db, member)).profiles).toHaveLength(2);
  });

  it("pages through a busy followed topic in date order without gaps or repeats", async () => {
    const member = await newUser();
    const inputs = Array.from({ length: 7 }, (_, i) =>
      article(`busy-${i}`, {
        publishedDateTime: new Date(Date.UTC(2025, 0, 1 + (i % 4))),
        topics: ["Busy topic"],
      }),
    );
    await saveArticles(db, inputs);
    expect(await followTopic(db, member, "busy-topic")).toEqual({ ok: true, following: true });
    const seen: string[] = [];
    let after: string | undefined;
    for (let page = 0; page < 10; page += 1) {
      const result = await followedArticles(db, member, { limit: 2, after });
      seen.push(...result.items.map((a) => a.title));
      if (!result.nextCursor) break;
      after = result.nextCursor;
    }
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    const all = await followedArticles(db, member, { limit: 50 });
    expect(seen).toEqual(all.items.map((a) => a.title));
  });

  it("sets the digest preference, starting the window when digests are turned on", async () => {
    const member = await newUser();
    expect(await getDigestPreference(db, member)).toEqual({
      frequency: "none",
      lastDigestAt: null,
    });
    const t0 = new Date("2026-04-01T00:00:00Z");
    await setDigestFrequency(db, member, "daily", t0);
    expect(await getDigestPreference(db, member)).toEqual({ frequency: "daily", lastDigestAt: t0 });
    // Daily to weekly keeps the window; off and on again restarts it.
    await setDigestFrequency(db, member, "weekly", new Date("2026-04-02T00:00:00Z"));
    expect((await getDigestPreference(db, member)).lastDigestAt).toEqual(t0);
    await setDigestFrequency(db, member, "none", new Date("2026-04-03T00:00:00Z"));
    const t4 = new Date("2026-04-04T00:00:00Z");
    await setDigestFrequency(db, member, "weekly", t4);
    expect(await getDigestPreference(db, member)).toEqual({
      frequency: "weekly",
      lastDigestAt: t4,
    });
  });

  it("claims due digests once, daily after a day and weekly after a week", async () => {
    // Far in the future, so no other test's member is due.
    const t0 = new Date("2030-01-01T00:00:00Z");
    const daily = await newUser();
    const weekly = await newUser();
    const unverified = await newUser(false);
    await setDigestFrequency(db, daily, "daily", t0);
    await setDigestFrequency(db, weekly, "weekly", t0);
    await setDigestFrequency(db, unverified, "daily", t0);
    // Only this test's members: others' windows may be due at such a date too.
    const mine = [daily, weekly, unverified];
    const claimed = (at: Date) =>
      claimDueDigests(db, at).then((c) => c.map((x) => x.userId).filter((id) => mine.includes(id)));

    expect(await claimed(new Date(t0.getTime() + DAY - 1000))).toEqual([]);
    const oneDay = new Date(t0.getTime() + DAY);
    const claim = (await claimDueDigests(db, oneDay)).find((c) => mine.includes(c.userId));
    expect(claim).toMatchObject({ userId: daily, frequency: "daily", since: t0, until: oneDay });
    expect(await claimed(oneDay)).toEqual([]);
    expect(await claimed(new Date(t0.getTime() + 6 * DAY))).toEqual([daily]);
    const week = new Date(t0.getTime() + 7 * DAY);
    expect((await claimed(week)).sort()).toEqual([daily, weekly].sort());

    // A failed send gives the window back; a second claim at the same time gets it.
    const later = new Date(t0.getTime() + 9 * DAY);
    const again = (await claimDueDigests(db, later)).find((c) => mine.includes(c.userId));
    expect(again?.userId).toBe(daily);
    await releaseDigestClaim(db, again as NonNullable<typeof again>);
    expect(await claimed(later)).toEqual([daily]);
  });

  it("never claims one member twice when senders run at once", async () => {
    const t0 = new Date("2031-01-01T00:00:00Z");
    const members = await Promise.all(Array.from({ length: 12 }, () => newUser()));
    for (const member of members) await setDigestFrequency(db, member, "daily", t0);
    const at = new Date(t0.getTime() + 2 * DAY);
    const batches = await Promise.all(Array.from({ length: 4 }, () => claimDueDigests(db, at, 5)));
    const rest = await claimDueDigests(db, at, 50);
    const all = [...batches.flat(), ...rest]
      .map((c) => c.userId)
      .filter((id) => members.includes(id));
    expect(all.sort()).toEqual([...members].sort());
  });

  it("gathers a window's changes and articles for a member", async () => {
    const member = await newUser();
    const id = await newProfile("digest-source");
    await followProfile(db, member, "digest-source");
    await followTopic(db, member, "routing");
    const since = new Date("2032-01-01T00:00:00Z");
    const until = new Date("2032-01-02T00:00:00Z");
    await edit(
      id,
      (d) => withProfile(d, { summary: "Before window." }),
      new Date("2031-12-31T00:00:00Z"),
    );
    await edit(
      id,
      (d) => withProfile(d, { summary: "In window." }),
      new Date("2032-01-01T06:00:00Z"),
    );
    await edit(
      id,
      (d) => ({ ...withProfile(d, { confidence: 0.5 }), briefings: [] }),
      new Date("2032-01-01T07:00:00Z"),
    );
    await edit(id, (d) => withProfile(d, { name: "After" }), new Date("2032-01-03T00:00:00Z"));
    // Named as the profile is called now.
    expect(await followedChangesInWindow(db, member, { since, until })).toEqual([
      {
        slug: "digest-source",
        name: "After",
        sections: ["Summary", "Confidence", BRIEFINGS_UPDATED],
        changedAt: new Date("2032-01-01T07:00:00Z"),
      },
    ]);
    await saveArticles(db, [
      article("in-window", {
        publishedDateTime: new Date("2032-01-01T12:00:00Z"),
        topics: ["Routing"],
      }),
      article("old-news", {
        publishedDateTime: new Date("2031-06-01T00:00:00Z"),
        topics: ["Routing"],
      }),
    ]);
    // Imported long ago, so only their dates count.
    await db.execute(sql`UPDATE articles SET created_at = '2020-01-01T00:00:00Z'`);
    const found = await followedArticlesInWindow(db, member, { since, until });
    expect(found.map((a) => a.title)).toEqual(["News in-window"]);
  });

  it("keeps one signing key per purpose", async () => {
    const key = await signingKey(db, "unsubscribe");
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(await signingKey(db, "unsubscribe")).toBe(key);
    expect(await signingKey(db, "other")).not.toBe(key);
  });

  it("drops a member's follows and preference with their account", async () => {
    const member = await newUser();
    await newProfile("cascade");
    await followProfile(db, member, "cascade");
    await followTopic(db, member, "routing");
    await setDigestFrequency(db, member, "daily");
    await db.delete(users).where(eq(users.id, member));
    expect(await countFollows(db, member)).toBe(0);
    expect(await getDigestPreference(db, member)).toEqual({
      frequency: "none",
      lastDigestAt: null,
    });
  });
});
