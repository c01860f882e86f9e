import {
  DEFAULT_TIERS,
  LEADERSHIP_ALLIANCE,
  newProfileDocument,
  type ProfileDocument,
} from "@briefings/core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, briefings, profileRevisions, profiles } from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  createProfile,
  findProfileRedirect,
  listProfileRevisions,
  listProfilesForEditing,
  loadEditableProfile,
  loadProfilePage,
  loadProfileRevision,
  loadTierCatalogue,
  publishDueProfiles,
  updateProfile,
} from "./index.ts";
import { saveTiers } from "./save-content.ts";

const EDITOR = { id: null, name: "editor@example.org" };
const OTHER = { id: null, name: "other@example.org" };

function documentFor(slug: string, overrides: Partial<ProfileDocument> = {}): ProfileDocument {
  const blank = newProfileDocument();
  return {
    ...blank,
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
      sources: [
        {
          title: "Annual report",
          publisher: "Example",
          url: "https://example.org/report",
          publishedAt: new Date("2026-01-02T00:00:00Z"),
          reliability: "high",
        },
      ],
      topics: ["Routing", "Policy"],
      confidence: 0.8,
    },
    briefings: [
      {
        kind: "profile-briefing",
        label: "Leadership Alliance",
        title: "Ownership and control",
        gate: { kind: "tier", tier: LEADERSHIP_ALLIANCE },
        body: `Gated text of ${slug}.`,
        sources: [{ title: "Filing", url: "https://example.org/filing", note: "p. 4" }],
      },
    ],
    ...overrides,
  };
}

describe.each(testDrivers())("profile editor on %s", (driver) => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await openTestDatabase(driver);
    await saveTiers(db.db, DEFAULT_TIERS);
  }, 60_000);
  afterAll(async () => db?.dispose());

  it("creates a draft with its briefings, a first revision and an audit entry", async () => {
    const result = await createProfile(db.db, EDITOR, documentFor("new-draft"));
    expect(result).toMatchObject({ ok: true, version: 1, slug: "new-draft" });
    if (!result.ok) return;
    const loaded = await loadEditableProfile(db.db, result.id);
    expect(loaded?.status).toBe("draft");
    expect(loaded?.document.briefings[0]?.body).toBe("Gated text of new-draft.");
    expect(loaded?.document.profile.sources[0]?.reliability).toBe("high");
    expect(loaded?.document.profile.topics).toEqual(["Policy", "Routing"]);
    // A draft is nobody's page.
    const page = await loadProfilePage(
      db.db,
      "new-draft",
      { kind: "anonymous" },
      await loadTierCatalogue(db.db),
    );
    expect(page).toBeNull();
    expect(await listProfileRevisions(db.db, result.id)).toMatchObject([
      { version: 1, status: "draft", author: EDITOR.name },
    ]);
    const audit = await db.db.select().from(auditLog).where(eq(auditLog.targetId, result.id));
    expect(audit.map((row) => row.action)).toEqual(["profile.create"]);
  });

  it("refuses a slug another profile has, and a gate naming no tier, writing nothing", async () => {
    await createProfile(db.db, EDITOR, documentFor("taken"));
    const before = await db.db.$count(profiles);
    expect(await createProfile(db.db, EDITOR, documentFor("taken"))).toEqual({
      ok: false,
      reason: "slug-taken",
      slug: "taken",
    });
    const badGate = documentFor("bad-gate");
    badGate.briefings[0] = {
      ...(badGate.briefings[0] as ProfileDocument["briefings"][number]),
      gate: { kind: "tier", tier: "no-such-tier" },
    };
    expect(await createProfile(db.db, EDITOR, badGate)).toEqual({
      ok: false,
      reason: "unknown-tier",
      tier: "no-such-tier",
    });
    expect(await db.db.$count(profiles)).toBe(before);
  });

  it("saves only on top of the version the editor opened: a stale save changes nothing", async () => {
    const created = await createProfile(db.db, EDITOR, documentFor("contested"));
    if (!created.ok) throw new Error("create failed");
    const mine = documentFor("contested", { status: "published" });
    mine.profile.summary = "Editor one's summary.";
    const theirs = documentFor("contested");
    theirs.profile.summary = "Editor two's summary.";
    // Both opened version 1; they save at the same moment.
    const [first, second] = await Promise.all([
      updateProfile(db.db, EDITOR, created.id, 1, mine),
      updateProfile(db.db, OTHER, created.id, 1, theirs),
    ]);
    const results = [first, second];
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    const refused = results.find((r) => !r.ok);
    expect(refused).toMatchObject({ ok: false, reason: "conflict", current: { version: 2 } });
    const winner = results.findIndex((r) => r.ok) === 0 ? mine : theirs;
    const stored = await loadEditableProfile(db.db, created.id);
    expect(stored?.version).toBe(2);
    expect(stored?.document.profile.summary).toBe(winner.profile.summary);
    // The loser learns who saved, and may save on top of version 2 once they have seen it.
    const loser = winner === mine ? OTHER : EDITOR;
    if (refused && !refused.ok && refused.reason === "conflict")
      expect(refused.current.author).toBe(winner === mine ? EDITOR.name : OTHER.name);
    const retry = await updateProfile(db.db, loser, created.id, 2, winner === mine ? theirs : mine);
    expect(retry).toMatchObject({ ok: true, version: 3 });
  });

  it("publishes: readers see it, its first publication date is kept on later saves", async () => {
    const created = await createProfile(db.db, EDITOR, documentFor("to-publish"));
    if (!created.ok) throw new Error("create failed");
    const publishedAt = new Date("2026-11-20T10:00:00Z");
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      1,
      documentFor("to-publish", { status: "published" }),
      {
        now: publishedAt,
      },
    );
    const tiers = await loadTierCatalogue(db.db);
    const page = await loadProfilePage(db.db, "to-publish", { kind: "anonymous" }, tiers);
    expect(page?.profile.name).toBe("Profile to-publish");
    expect(page?.profile.sources[0]?.reliability).toBe("high");
    // The anonymous reader gets the teaser, not the text.
    expect(JSON.stringify(page)).not.toContain("Gated text of to-publish");
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      2,
      documentFor("to-publish", { status: "published" }),
      {
        now: new Date("2026-11-22T10:00:00Z"),
      },
    );
    expect((await loadEditableProfile(db.db, created.id))?.publishedAt).toEqual(publishedAt);
  });

  it("publishes a scheduled profile when its time comes, and records it", async () => {
    const at = new Date("2030-01-01T09:00:00Z");
    const created = await createProfile(
      db.db,
      EDITOR,
      documentFor("scheduled-one", { status: "scheduled", publishAt: at }),
    );
    if (!created.ok) throw new Error("create failed");
    expect(await publishDueProfiles(db.db, new Date("2029-12-31T23:59:59Z"))).not.toContain(
      created.id,
    );
    expect(await publishDueProfiles(db.db, at)).toContain(created.id);
    const stored = await loadEditableProfile(db.db, created.id);
    expect(stored?.status).toBe("published");
    expect(stored?.publishedAt).toEqual(at);
    // A new version, so an editor still holding version 1 cannot save over it unknowingly.
    expect(stored?.version).toBe(2);
    expect(await listProfileRevisions(db.db, created.id)).toMatchObject([
      { version: 2, status: "published", author: "scheduler" },
      { version: 1, status: "scheduled" },
    ]);
    expect(
      await updateProfile(db.db, EDITOR, created.id, 1, documentFor("scheduled-one")),
    ).toMatchObject({
      ok: false,
      reason: "conflict",
      current: { version: 2, author: "scheduler" },
    });
    const audit = await db.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(audit.map((row) => [row.action, row.actor])).toContainEqual([
      "profile.publish",
      "scheduler",
    ]);
    // Running again publishes nothing twice.
    expect(await publishDueProfiles(db.db, at)).not.toContain(created.id);
  });

  it("keeps every old slug redirecting to the profile's current address", async () => {
    const created = await createProfile(
      db.db,
      EDITOR,
      documentFor("first-name", { status: "published" }),
    );
    if (!created.ok) throw new Error("create failed");
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      1,
      documentFor("second-name", { status: "published" }),
    );
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      2,
      documentFor("third-name", { status: "published" }),
    );
    expect(await findProfileRedirect(db.db, "first-name")).toBe("third-name");
    expect(await findProfileRedirect(db.db, "second-name")).toBe("third-name");
    expect(await findProfileRedirect(db.db, "third-name")).toBeNull();
    // Moving back to an old slug takes it over: no redirect loop.
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      3,
      documentFor("first-name", { status: "published" }),
    );
    expect(await findProfileRedirect(db.db, "first-name")).toBeNull();
    expect(await findProfileRedirect(db.db, "third-name")).toBe("first-name");
    // Another profile cannot take a live slug; an old one it may.
    expect(await createProfile(db.db, EDITOR, documentFor("first-name"))).toMatchObject({
      reason: "slug-taken",
    });
    const taker = await createProfile(
      db.db,
      EDITOR,
      documentFor("second-name", { status: "published" }),
    );
    expect(taker.ok).toBe(true);
    expect(await findProfileRedirect(db.db, "second-name")).toBeNull();
  });

  it("keeps each version whole, so an old one can be read and restored", async () => {
    const created = await createProfile(db.db, EDITOR, documentFor("history"));
    if (!created.ok) throw new Error("create failed");
    const second = documentFor("history");
    second.profile.summary = "Second summary.";
    const secondBody = "Second gated text.";
    (second.briefings[0] as { body: string }).body = secondBody;
    await updateProfile(db.db, OTHER, created.id, 1, second);
    const first = await loadProfileRevision(db.db, created.id, 1);
    expect(first?.profile.summary).toBe("Summary of history.");
    expect(first?.profile.sources[0]?.publishedAt).toEqual(new Date("2026-01-02T00:00:00Z"));
    const restored = await updateProfile(db.db, EDITOR, created.id, 2, first as ProfileDocument, {
      restoredFrom: 1,
    });
    expect(restored).toMatchObject({ ok: true, version: 3 });
    const now = await loadEditableProfile(db.db, created.id);
    expect(now?.document.profile.summary).toBe("Summary of history.");
    expect(now?.document.briefings[0]?.body).toBe("Gated text of history.");
    expect((await listProfileRevisions(db.db, created.id)).map((r) => r.version)).toEqual([
      3, 2, 1,
    ]);
    const audit = await db.db.select().from(auditLog).where(eq(auditLog.targetId, created.id));
    expect(audit.map((row) => row.action)).toEqual([
      "profile.create",
      "profile.update",
      "profile.restore",
    ]);
    expect(audit[1]?.after).toMatchObject({ changed: ["summary", "briefings"] });
  });

  it("gives content saved before the editor existed a revision at its first edit", async () => {
    const created = await createProfile(
      db.db,
      EDITOR,
      documentFor("legacy", { status: "published" }),
    );
    if (!created.ok) throw new Error("create failed");
    // As the seed or an older import would have left it: no revision at all.
    await db.db.delete(profileRevisions).where(eq(profileRevisions.profileId, created.id));
    await updateProfile(
      db.db,
      EDITOR,
      created.id,
      1,
      documentFor("legacy", { status: "published" }),
    );
    expect(await listProfileRevisions(db.db, created.id)).toMatchObject([
      { version: 2, author: EDITOR.name },
      { version: 1, author: "(before the first edit)" },
    ]);
  });

  it("tells the slower of two editors creating one address at once that it is taken", async () => {
    const results = await Promise.all([
      createProfile(db.db, EDITOR, documentFor("same-moment")),
      createProfile(db.db, OTHER, documentFor("same-moment")),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({
      ok: false,
      reason: "slug-taken",
      slug: "same-moment",
    });
  });

  it("lists profiles for editors, filtered by status and name, a page at a time", async () => {
    for (let i = 0; i < 5; i += 1)
      await createProfile(
        db.db,
        EDITOR,
        documentFor(`paged-${i}`),
        new Date(Date.UTC(2026, 0, 1 + i)),
      );
    const first = await listProfilesForEditing(db.db, { q: "paged", status: "draft" }, 3);
    expect(first.items.map((p) => p.slug)).toEqual(["paged-4", "paged-3", "paged-2"]);
    const second = await listProfilesForEditing(
      db.db,
      { q: "paged", status: "draft", after: first.next ?? "" },
      3,
    );
    expect(second.items.map((p) => p.slug)).toEqual(["paged-1", "paged-0"]);
    expect(second.next).toBeNull();
    // LIKE's wildcards are searched for as themselves.
    expect((await listProfilesForEditing(db.db, { q: "%" })).items).toEqual([]);
  });

  it("writes nothing when a save fails half-way", async () => {
    const created = await createProfile(db.db, EDITOR, documentFor("atomic"));
    if (!created.ok) throw new Error("create failed");
    const broken = documentFor("atomic");
    // Past the database's own limit: the check constraint refuses the row.
    broken.profile.confidence = 2;
    // Refused by the database: the error names the constraint, never the text it was given.
    const failure = await updateProfile(db.db, EDITOR, created.id, 1, broken).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/^Could not save the profile: /);
    expect(JSON.stringify(failure)).not.toContain("Gated text of atomic");
    expect((failure as Error).message).not.toContain("Gated text of atomic");
    expect((failure as Error).cause).toBeUndefined();
    const stored = await loadEditableProfile(db.db, created.id);
    expect(stored?.version).toBe(1);
    expect(stored?.document.profile.confidence).toBe(0.8);
    const rows = await db.db.select().from(briefings).where(eq(briefings.profileId, created.id));
    expect(rows).toHaveLength(1);
  });
});
