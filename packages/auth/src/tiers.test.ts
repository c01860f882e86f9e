import { randomUUID } from "node:crypto";
import {
  type ApplicationForm,
  activeTierSlugs,
  admittedTierGates,
  canView,
  DEFAULT_TIERS,
  LEADERSHIP_ALLIANCE,
  memberViewer,
  STRATEGIC_CIRCLE,
  type TierInput,
  tierFormSchema,
  tierGate,
} from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import {
  countTierHolders,
  listTierHolders,
  listTiers,
  loadMemberAccess,
  loadTierCatalogue,
  saveTiers,
} from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listAudit } from "./audit.ts";
import {
  grantTier,
  joinTier,
  leaveTier,
  reviewApplication,
  submitApplication,
} from "./membership.ts";
import {
  AFFECTED_SHOWN,
  createTier,
  previewRetirement,
  previewTierMove,
  previewTierOrder,
  reorderTiers,
  restoreTier,
  retireTier,
  updateTier,
} from "./tiers.ts";

const DAY = 24 * 60 * 60 * 1000;

const APPLICATION: ApplicationForm = {
  organisation: "Example Networks",
  website: "https://example.net",
  roleTitle: "Chief Technology Officer",
  asns: ["AS8075"],
  prefixes: [],
  handles: [],
  statement: "We hold address space and run our own network.",
};

/** A free, open tier as the form would give it. */
function tierInput(slug: string, rank: number, change: Partial<TierInput> = {}): TierInput {
  return {
    slug,
    name: `Tier ${slug}`,
    description: "",
    audience: "",
    rank,
    joinMethod: "open",
    benefits: [],
    paid: false,
    priceMonthly: null,
    priceYearly: null,
    currency: "usd",
    ...change,
  };
}

describe.each(testDrivers())("tier administration on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let admin: { id: string; name: string; ipAddress: string };
  /** An actor the audit log cannot store (not a UUID): fails a write at its very end. */
  const BROKEN_ACTOR = { id: "not-a-uuid", name: "broken", ipAddress: null };

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, DEFAULT_TIERS);
    const id = await newUser("admin");
    admin = { id, name: await emailOf(id), ipAddress: "192.0.2.9" };
  });
  afterAll(async () => {
    await database?.dispose();
  });

  async function newUser(label = "member"): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({
        email: `${label}-${randomUUID()}@example.org`,
        passwordHash: "x",
        emailVerifiedAt: new Date(),
      })
      .returning({ id: schema.users.id });
    if (!user) throw new Error("no user");
    return user.id;
  }

  async function emailOf(userId: string): Promise<string> {
    const [user] = await db
      .select({ email: schema.users.email })
      .from(schema.users)
      .where(eq(schema.users.id, userId));
    return user?.email ?? "";
  }

  /** A member holding `slug` by a complimentary grant (open for a year unless told). */
  async function grant(
    userId: string,
    slug: string,
    period: { startsAt?: Date; endsAt?: Date; revokedAt?: Date } = {},
  ) {
    await db.insert(schema.tierGrants).values({
      userId,
      tierSlug: slug,
      startsAt: period.startsAt ?? new Date(Date.now() - DAY),
      endsAt: period.endsAt ?? new Date(Date.now() + 365 * DAY),
      revokedAt: period.revokedAt ?? null,
      reason: "test",
    });
  }

  async function holderWith(slugs: string[]): Promise<string> {
    const userId = await newUser();
    for (const slug of slugs) await grant(userId, slug);
    return userId;
  }

  /** The tier gates a member passes now, with the catalogue as it is in the database. */
  async function gatesOf(userId: string): Promise<string[]> {
    const access = await loadMemberAccess(db, userId);
    if (!access) throw new Error("no member");
    const catalogue = await loadTierCatalogue(db);
    const viewer = memberViewer({ ...access, now: new Date() });
    return [...catalogue.keys()]
      .filter((slug) => canView(viewer, tierGate(slug), catalogue))
      .sort();
  }

  async function allUserIds(): Promise<string[]> {
    return (await db.select({ id: schema.users.id }).from(schema.users)).map((row) => row.id);
  }

  async function rankOf(slug: string): Promise<number | undefined> {
    return (await listTiers(db)).find((tier) => tier.slug === slug)?.rank;
  }

  async function auditFor(targetId: string) {
    return listAudit(db, { targetId });
  }

  // -------------------------------------------------------------------------------------
  // Creating and editing

  it("creates a tier with its prices, recorded in the audit log", async () => {
    const input = tierFormSchema.parse({
      slug: "gold-circle",
      name: "Gold Circle",
      description: "For our closest readers.",
      audience: "Owners",
      rank: 50,
      joinMethod: "application",
      benefits: "Gold briefings\nA monthly call",
      paid: true,
      priceMonthly: "49.00",
      priceYearly: "490.00",
      currency: "USD",
    });
    expect(await createTier(db, admin, input)).toEqual({ ok: true, slug: "gold-circle" });
    const created = (await listTiers(db)).find((tier) => tier.slug === "gold-circle");
    expect(created).toMatchObject({
      name: "Gold Circle",
      rank: 50,
      joinMethod: "application",
      benefits: ["Gold briefings", "A monthly call"],
      paid: true,
      priceMonthly: 4900,
      priceYearly: 49000,
      currency: "usd",
      retiredAt: null,
    });
    const [entry] = await auditFor("gold-circle");
    expect(entry).toMatchObject({
      action: "tier.create",
      actorId: admin.id,
      targetType: "tier",
      before: null,
      after: { slug: "gold-circle", rank: 50, priceMonthly: 4900, priceYearly: 49000 },
    });
  });

  it("refuses a bad tier beside its field and writes nothing", async () => {
    const tiersBefore = await listTiers(db);
    const cases: [TierInput, string, string][] = [
      [
        tierInput("paid-without-price", 60, { paid: true }),
        "priceMonthly",
        "A paid tier needs a monthly or a yearly price",
      ],
      [
        tierInput("free-with-price", 61, { priceYearly: 1000 }),
        "priceYearly",
        "A free tier has no price: clear it, or tick “Paid”",
      ],
      [
        tierInput(STRATEGIC_CIRCLE, 62),
        "slug",
        "There is already a tier with the slug “strategic-circle”",
      ],
      [
        tierInput("same-rank", 2),
        "rank",
        "Rank 2 is Leadership Alliance's: ranks are distinct, choose another (or move tiers on the tiers list)",
      ],
      [
        tierInput("Bad Slug", 63),
        "slug",
        "Use lowercase letters, digits and single hyphens, e.g. gold-circle",
      ],
      [tierInput("bad-rank", 0), "rank", "Rank is a whole number from 1 to 1000"],
    ];
    for (const [input, field, message] of cases) {
      const result = await createTier(db, admin, input);
      expect(result, input.slug).toMatchObject({ ok: false, status: 400 });
      expect(result.ok ? [] : result.fieldErrors?.[field]).toContain(message);
    }
    expect(await listTiers(db)).toEqual(tiersBefore);
    for (const [input] of cases) expect(await auditFor(input.slug)).toEqual([]);
  });

  it("leaves nothing behind when the write fails at its end", async () => {
    await expect(createTier(db, BROKEN_ACTOR, tierInput("half-written", 64))).rejects.toThrow();
    expect((await listTiers(db)).some((tier) => tier.slug === "half-written")).toBe(false);
  });

  it("edits every field, renames the slug with its members' access, and records what changed", async () => {
    expect(await createTier(db, admin, tierInput("silver-circle", 70))).toMatchObject({ ok: true });
    const member = await newUser();
    expect(await joinTier(db, member, "silver-circle")).toEqual({ ok: true });

    const edited = tierInput("argent-circle", 70, {
      name: "Argent Circle",
      description: "Renamed.",
      audience: "Everyone",
      joinMethod: "application",
      benefits: ["One", "Two"],
      paid: true,
      priceMonthly: 1500,
      priceYearly: null,
      currency: "eur",
    });
    expect(await updateTier(db, admin, "silver-circle", edited)).toEqual({
      ok: true,
      slug: "argent-circle",
      changed: true,
    });
    const tiers = await listTiers(db);
    expect(tiers.some((tier) => tier.slug === "silver-circle")).toBe(false);
    expect(tiers.find((tier) => tier.slug === "argent-circle")).toMatchObject({
      ...edited,
      retiredAt: null,
    });
    // The member's join followed the rename: they hold the tier under its new slug.
    expect(await gatesOf(member)).toContain("argent-circle");

    const [entry] = await auditFor("argent-circle");
    expect(entry).toMatchObject({
      action: "tier.update",
      before: {
        slug: "silver-circle",
        name: "Tier silver-circle",
        paid: false,
        priceMonthly: null,
        currency: "usd",
      },
      after: { slug: "argent-circle", name: "Argent Circle", paid: true, priceMonthly: 1500 },
    });
    // Only what changed is recorded.
    expect(entry?.before).not.toHaveProperty("rank");

    // Saving the same values again changes nothing and records nothing.
    expect(await updateTier(db, admin, "argent-circle", edited)).toMatchObject({
      ok: true,
      changed: false,
    });
    expect(await auditFor("argent-circle")).toHaveLength(1);
  });

  it("refuses an edit that would collide, a rename of the importer's tier, or a missing tier", async () => {
    expect(await createTier(db, admin, tierInput("copper-circle", 80))).toMatchObject({ ok: true });
    const taken = await updateTier(db, admin, "copper-circle", tierInput(LEADERSHIP_ALLIANCE, 80));
    expect(taken).toMatchObject({
      status: 400,
      fieldErrors: { slug: ["There is already a tier with the slug “leadership-alliance”"] },
    });
    const rank = await updateTier(db, admin, "copper-circle", tierInput("copper-circle", 1));
    expect(rank).toMatchObject({
      status: 400,
      fieldErrors: { rank: [expect.stringContaining("Rank 1 is Strategic Circle's")] },
    });
    const strategic = DEFAULT_TIERS.find((tier) => tier.slug === STRATEGIC_CIRCLE);
    if (!strategic) throw new Error("no Strategic Circle");
    const renamed = await updateTier(db, admin, STRATEGIC_CIRCLE, {
      ...tierInput("inner-circle", strategic.rank),
      name: strategic.name,
    });
    expect(renamed).toMatchObject({
      status: 400,
      fieldErrors: { slug: [expect.stringContaining("keeps its slug")] },
    });
    expect(
      await updateTier(db, admin, "no-such-tier", tierInput("no-such-tier", 81)),
    ).toMatchObject({
      ok: false,
      status: 404,
    });
    expect(await rankOf("copper-circle")).toBe(80);
    expect(await rankOf(STRATEGIC_CIRCLE)).toBe(1);
    expect(await auditFor("copper-circle")).toHaveLength(1);
  });

  // -------------------------------------------------------------------------------------
  // Re-ranking

  it("previews exactly the members who would lose a gate, and re-ranks only when confirmed", async () => {
    // bronze 100 < silver 101 < gold 102; gold taken by application.
    await createTier(db, admin, tierInput("r-bronze", 100));
    await createTier(db, admin, tierInput("r-silver", 101));
    await createTier(db, admin, tierInput("r-gold", 102, { joinMethod: "application" }));

    const goldOnly = await holderWith(["r-gold"]);
    const goldAndSilver = await holderWith(["r-gold", "r-silver"]);
    const silverOnly = await holderWith(["r-silver"]);
    const bronzeOnly = await holderWith(["r-bronze"]);
    // Gold by an approved application: a holder like any other.
    const approved = await newUser();
    await db.insert(schema.applications).values({
      userId: approved,
      tierSlug: "r-gold",
      status: "approved",
      organisation: "Example",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
      statement: "We hold address space.",
      decidedAt: new Date(Date.now() - DAY),
    });
    // Gold no more: a grant that ended, one revoked, and a pending application.
    const ended = await newUser();
    await grant(ended, "r-gold", {
      startsAt: new Date(Date.now() - 9 * DAY),
      endsAt: new Date(Date.now() - DAY),
    });
    const revoked = await newUser();
    await grant(revoked, "r-gold", { revokedAt: new Date(Date.now() - DAY) });

    const users = await allUserIds();
    const gatesBefore = new Map(
      await Promise.all(users.map(async (id) => [id, await gatesOf(id)] as const)),
    );

    // Gold one place up, i.e. below silver.
    const preview = await previewTierMove(db, "r-gold", "up");
    if (!preview) throw new Error("gold cannot move up");
    expect(preview.order.slice(-3)).toEqual(["r-bronze", "r-gold", "r-silver"]);
    const { impact } = preview;
    const expectedLosers = [goldOnly, approved];
    expect(impact.affectedCount).toBe(2);
    expect(impact.affected.map((member) => member.userId).sort()).toEqual(
      [...expectedLosers].sort(),
    );
    expect(impact.affected.map((member) => member.email)).toEqual(
      [...impact.affected.map((member) => member.email)].sort(),
    );
    expect(impact.affected[0]?.tiers).toEqual(["Tier r-silver"]);
    // The silver-only holder now passes gold's gates.
    expect(impact.gainingCount).toBe(1);
    expect(impact.tiers.filter((tier) => tier.slug.startsWith("r-"))).toEqual([
      { slug: "r-bronze", name: "Tier r-bronze", before: 100, after: 100 },
      { slug: "r-gold", name: "Tier r-gold", before: 102, after: 101 },
      { slug: "r-silver", name: "Tier r-silver", before: 101, after: 102 },
    ]);

    // Without a confirmation, or with a wrong one: nothing moves.
    const unconfirmed = await reorderTiers(db, admin, preview.order, null);
    expect(unconfirmed).toMatchObject({ ok: false, status: 409, changed: false });
    const wrong = await reorderTiers(db, admin, preview.order, "not-the-token");
    expect(wrong).toMatchObject({ ok: false, status: 409, changed: true });
    expect(await rankOf("r-gold")).toBe(102);

    // Someone takes gold between the preview and the confirmation: asked again.
    const latecomer = await holderWith(["r-gold"]);
    const stale = await reorderTiers(db, admin, preview.order, impact.token);
    if (stale.ok || !("confirm" in stale)) throw new Error("a stale preview was accepted");
    expect(stale.changed).toBe(true);
    expect(stale.confirm.affectedCount).toBe(3);
    expect(stale.confirm.affected.map((member) => member.userId)).toContain(latecomer);
    expect(await rankOf("r-gold")).toBe(102);
    expect(await auditFor("r-gold,r-silver")).toEqual([]);

    // Confirmed with the fresh preview: the two swap ranks, in one step.
    expect(await reorderTiers(db, admin, preview.order, stale.confirm.token)).toEqual({
      ok: true,
      changed: true,
    });
    const ranks = (await listTiers(db)).map((tier) => tier.rank);
    expect(new Set(ranks).size).toBe(ranks.length);
    expect(ranks.every((rank) => rank > 0)).toBe(true);
    expect([await rankOf("r-bronze"), await rankOf("r-gold"), await rankOf("r-silver")]).toEqual([
      100, 101, 102,
    ]);

    // What members actually pass now: exactly the previewed ones lost a gate.
    const losers: string[] = [];
    for (const id of await allUserIds()) {
      const before =
        gatesBefore.get(id) ?? (id === latecomer ? ["r-bronze", "r-gold", "r-silver"] : []);
      const after = await gatesOf(id);
      if (before.some((slug) => !after.includes(slug))) losers.push(id);
    }
    expect(losers.sort()).toEqual([...expectedLosers, latecomer].sort());
    expect(await gatesOf(goldAndSilver)).toEqual(expect.arrayContaining(["r-gold", "r-silver"]));
    expect(await gatesOf(silverOnly)).toContain("r-gold");
    expect(await gatesOf(bronzeOnly)).not.toContain("r-silver");
    expect(await gatesOf(ended)).toEqual([]);
    expect(await gatesOf(revoked)).toEqual([]);

    const [entry] = await auditFor("r-gold,r-silver");
    expect(entry).toMatchObject({
      action: "tier.reorder",
      targetType: "tiers",
      actorId: admin.id,
      before: { ranks: { "r-gold": 102, "r-silver": 101 } },
      after: {
        ranks: { "r-gold": 101, "r-silver": 102 },
        membersLosingAccess: 3,
        membersGainingAccess: 1,
      },
    });
  });

  it("refuses an order that is not the tiers', and a move past the end", async () => {
    const tiers = await listTiers(db);
    const order = tiers.map((tier) => tier.slug);
    expect(await previewTierOrder(db, order.slice(1))).toBeNull();
    expect(await reorderTiers(db, admin, [...order, "ghost"], "x")).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await previewTierMove(db, STRATEGIC_CIRCLE, "up")).toBeNull();
    expect(await previewTierMove(db, "no-such-tier", "down")).toBeNull();
    // The order as it is: nothing to do, nothing recorded.
    expect(await reorderTiers(db, admin, order, null)).toEqual({ ok: true, changed: false });
    expect(await listTiers(db)).toEqual(tiers);
  });

  it("names the first few affected members and counts the rest", async () => {
    await createTier(db, admin, tierInput("m-low", 200));
    await createTier(db, admin, tierInput("m-high", 201));
    const holders = [];
    for (let i = 0; i < AFFECTED_SHOWN + 3; i += 1) holders.push(await holderWith(["m-high"]));
    const preview = await previewTierMove(db, "m-high", "up");
    expect(preview?.impact.affectedCount).toBe(AFFECTED_SHOWN + 3);
    expect(preview?.impact.affected).toHaveLength(AFFECTED_SHOWN);
  });

  it("changes a rank through the edit form only with the confirmation of its preview", async () => {
    await createTier(db, admin, tierInput("e-low", 300));
    await createTier(db, admin, tierInput("e-high", 301));
    const holder = await holderWith(["e-high"]);
    const lowered = tierInput("e-high", 299, { name: "Tier e-high" });
    const first = await updateTier(db, admin, "e-high", lowered);
    if (first.ok || !("confirm" in first))
      throw new Error("a rank change went through unconfirmed");
    expect(first.changed).toBe(false);
    expect(first.confirm.affected.map((member) => member.userId)).toEqual([holder]);
    expect(first.confirm.affected[0]?.tiers).toEqual(["Tier e-low"]);
    expect(await rankOf("e-high")).toBe(301);

    expect(await updateTier(db, admin, "e-high", lowered, first.confirm.token)).toMatchObject({
      ok: true,
      changed: true,
    });
    expect(await rankOf("e-high")).toBe(299);
    expect(await gatesOf(holder)).not.toContain("e-low");
    const [entry] = await auditFor("e-high");
    expect(entry).toMatchObject({
      action: "tier.update",
      before: { rank: 301 },
      after: { rank: 299, membersLosingAccess: 1 },
    });
  });

  it("keeps the old ranks when a confirmed re-rank fails at its end", async () => {
    await createTier(db, admin, tierInput("f-low", 400));
    await createTier(db, admin, tierInput("f-high", 401));
    const preview = await previewTierMove(db, "f-high", "up");
    if (!preview) throw new Error("no preview");
    await expect(
      reorderTiers(db, BROKEN_ACTOR, preview.order, preview.impact.token),
    ).rejects.toThrow();
    expect([await rankOf("f-low"), await rankOf("f-high")]).toEqual([400, 401]);
  });

  // -------------------------------------------------------------------------------------
  // Retiring

  it("retires a tier only when confirmed; its holders keep their access, new members are refused", async () => {
    await createTier(db, admin, tierInput("t-open", 500));
    await createTier(db, admin, tierInput("t-apply", 501, { joinMethod: "application" }));
    const joined = await newUser();
    expect(await joinTier(db, joined, "t-open")).toEqual({ ok: true });
    const granted = await holderWith(["t-open"]);
    const left = await newUser();
    await joinTier(db, left, "t-open");
    await leaveTier(db, left, "t-open");

    const preview = await previewRetirement(db, "t-open");
    if (!preview) throw new Error("no preview");
    expect(preview.affected.map((member) => member.userId).sort()).toEqual(
      [joined, granted].sort(),
    );
    expect(preview.affected[0]?.email).toBe(
      [await emailOf(joined), await emailOf(granted)].sort()[0],
    );
    expect(await previewRetirement(db, "no-such-tier")).toBeNull();

    expect(await retireTier(db, admin, "t-open", null)).toMatchObject({
      status: 409,
      changed: false,
    });
    // Another member joins meanwhile: the old preview no longer confirms.
    const latecomer = await newUser();
    await joinTier(db, latecomer, "t-open");
    const stale = await retireTier(db, admin, "t-open", preview.token);
    if (stale.ok || !("confirm" in stale)) throw new Error("a stale preview was accepted");
    expect(stale.confirm.affectedCount).toBe(3);
    expect((await listTiers(db)).find((tier) => tier.slug === "t-open")?.retiredAt).toBeNull();

    expect(await retireTier(db, admin, "t-open", stale.confirm.token)).toEqual({
      ok: true,
      holders: 3,
    });
    expect((await listTiers(db)).find((tier) => tier.slug === "t-open")?.retiredAt).toBeInstanceOf(
      Date,
    );
    expect(await retireTier(db, admin, "t-open", stale.confirm.token)).toMatchObject({
      status: 409,
    });

    // Holders keep the tier and its gates, in the catalogue readers are judged by.
    for (const holder of [joined, granted, latecomer]) {
      const access = await loadMemberAccess(db, holder);
      expect(activeTierSlugs(access?.sources ?? [], new Date())).toContain("t-open");
      expect(await gatesOf(holder)).toContain("t-open");
    }
    expect((await countTierHolders(db)).get("t-open")).toBe(3);

    // New members are refused: no join, no grant.
    const newcomer = await newUser();
    expect(await joinTier(db, newcomer, "t-open")).toMatchObject({ ok: false, status: 400 });
    expect(
      await grantTier(db, admin, newcomer, {
        tierSlug: "t-open",
        endsAt: new Date(Date.now() + DAY),
        reason: "test",
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(await gatesOf(newcomer)).toEqual([]);
    // A holder may still leave.
    expect(await leaveTier(db, joined, "t-open")).toEqual({ ok: true });

    const [entry] = await auditFor("t-open");
    expect(entry).toMatchObject({
      action: "tier.retire",
      before: { retiredAt: null },
      after: { holdersKeepingAccess: 3 },
    });

    // Restored, it takes members again.
    expect(await restoreTier(db, admin, "t-open")).toEqual({ ok: true });
    expect(await restoreTier(db, admin, "t-open")).toMatchObject({ ok: false, status: 409 });
    expect(await restoreTier(db, admin, "no-such-tier")).toMatchObject({ ok: false, status: 404 });
    expect(await joinTier(db, newcomer, "t-open")).toEqual({ ok: true });
    expect((await auditFor("t-open")).map((e) => e.action)).toEqual([
      "tier.restore",
      "tier.retire",
      "tier.create",
    ]);
  });

  it("refuses applications to a retired tier", async () => {
    const preview = await previewRetirement(db, "t-apply");
    if (!preview) throw new Error("no preview");
    expect(await retireTier(db, admin, "t-apply", preview.token)).toEqual({ ok: true, holders: 0 });
    const applicant = await newUser();
    expect(await submitApplication(db, applicant, "t-apply", APPLICATION)).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(await db.$count(schema.applications, eq(schema.applications.userId, applicant))).toBe(0);
  });

  it("refuses to approve an application made before the tier was retired", async () => {
    await createTier(db, admin, tierInput("t-late", 503, { joinMethod: "application" }));
    const applicant = await newUser();
    const submitted = await submitApplication(db, applicant, "t-late", APPLICATION);
    if (!submitted.ok) throw new Error("application refused");
    const preview = await previewRetirement(db, "t-late");
    if (!preview) throw new Error("no preview");
    expect((await retireTier(db, admin, "t-late", preview.token)).ok).toBe(true);
    const sent: unknown[] = [];
    const deps = {
      db,
      mailer: { send: async (m: unknown) => void sent.push(m) },
      appUrl: "https://x",
    };
    const [application] = await db
      .select({ id: schema.applications.id })
      .from(schema.applications)
      .where(eq(schema.applications.userId, applicant));
    if (!application) throw new Error("no application");
    expect(
      await reviewApplication(deps, admin, application.id, { decision: "approve", message: "" }),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await gatesOf(applicant)).toEqual([]);
    expect(sent).toEqual([]);
    // Still pending, so it can be rejected with a reason.
    expect(
      await reviewApplication(deps, admin, application.id, {
        decision: "reject",
        message: "This tier is no longer offered.",
      }),
    ).toEqual({ ok: true, status: "rejected" });
  });

  it("keeps the tier when a confirmed retirement fails at its end", async () => {
    await createTier(db, admin, tierInput("k-tier", 600));
    const preview = await previewRetirement(db, "k-tier");
    if (!preview) throw new Error("no preview");
    await expect(retireTier(db, BROKEN_ACTOR, "k-tier", preview.token)).rejects.toThrow();
    expect((await listTiers(db)).find((tier) => tier.slug === "k-tier")?.retiredAt).toBeNull();
  });

  // -------------------------------------------------------------------------------------
  // Holders

  it("counts holders in the database exactly as the entitlement decision does", async () => {
    const tiers = await listTiers(db);
    const holders = await listTierHolders(
      db,
      tiers.map((tier) => tier.slug),
    );
    const expected = new Map<string, number>();
    for (const holder of holders) {
      for (const slug of holder.tiers) expected.set(slug, (expected.get(slug) ?? 0) + 1);
    }
    expect(expected.size).toBeGreaterThan(5);
    expect(await countTierHolders(db)).toEqual(expected);
    // And that is what a session sees.
    for (const holder of holders.slice(0, 10)) {
      const access = await loadMemberAccess(db, holder.userId);
      expect(activeTierSlugs(access?.sources ?? [], new Date())).toEqual(holder.tiers);
      expect(admittedTierGates(holder.tiers, await loadTierCatalogue(db))).toEqual(
        await gatesOf(holder.userId),
      );
    }
  });
  it("keeps billing honest: a new price is not sold until Stripe has it, and paid changes keep access", async () => {
    const slug = "billed-circle";
    const application = { joinMethod: "application" as const };
    expect(await createTier(db, admin, tierInput(slug, 190, application))).toMatchObject({
      ok: true,
    });
    // Approved while the tier was free: that approval is access.
    const approved = await newUser("approved");
    await db.insert(schema.applications).values({
      userId: approved,
      tierSlug: slug,
      status: "approved",
      organisation: "Example Networks",
      website: "https://example.net",
      roleTitle: "CTO",
      evidence: { asns: ["AS8075"], prefixes: [], handles: [] },
      statement: "We hold address space and run our own network.",
      decidedAt: new Date(),
    });
    expect(await gatesOf(approved)).toContain(slug);
    // Made paid: they keep it, now as a grant, and the audit says so.
    const paid = { ...application, paid: true, priceMonthly: 2_000, priceYearly: 20_000 };
    expect(await updateTier(db, admin, slug, tierInput(slug, 190, paid))).toMatchObject({
      ok: true,
      changed: true,
    });
    expect(await gatesOf(approved)).toContain(slug);
    const [entry] = await auditFor(slug);
    expect(entry?.after).toMatchObject({ paid: true, approvalsGranted: 1 });

    // `billing:prices` made the Stripe prices; a new monthly amount is not for sale until
    // it runs again, the yearly one untouched.
    await db
      .update(schema.tiers)
      .set({ stripePriceMonthly: "price_m", stripePriceYearly: "price_y" })
      .where(eq(schema.tiers.slug, slug));
    await updateTier(db, admin, slug, tierInput(slug, 190, { ...paid, priceMonthly: 2_500 }));
    const [row] = await db.select().from(schema.tiers).where(eq(schema.tiers.slug, slug));
    expect(row).toMatchObject({ stripePriceMonthly: null, stripePriceYearly: "price_y" });

    // Not paid any more while someone pays for it: refused, nothing changed.
    const subscriber = await newUser("subscriber");
    await db.insert(schema.subscriptions).values({
      id: `sub_${randomUUID()}`,
      userId: subscriber,
      tierSlug: slug,
      status: "active",
      interval: "month",
      priceId: "price_m",
      currentPeriodStart: new Date(),
      currentPeriodEnd: new Date(Date.now() + 30 * DAY),
      amount: 2_500,
      currency: "usd",
      createdAt: new Date(),
    });
    expect(await updateTier(db, admin, slug, tierInput(slug, 190, application))).toEqual({
      ok: false,
      status: 409,
      fieldErrors: {
        paid: ["1 member pays for this tier: cancel their subscriptions in Stripe first"],
      },
    });
    const [unchanged] = await db.select().from(schema.tiers).where(eq(schema.tiers.slug, slug));
    expect(unchanged?.paid).toBe(true);
  });
});
