import { randomUUID } from "node:crypto";
import {
  type ApplicationForm,
  DEFAULT_TIERS,
  decideAccess,
  LEADERSHIP_ALLIANCE,
  MEMBERS_GATE,
  type Role,
  STRATEGIC_CIRCLE,
  type Tier,
  tierCatalogue,
  tierGate,
} from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { saveTiers } from "@briefings/db/queries";
import { openTestDatabase, type TestDatabase, testDrivers } from "@briefings/db/testing";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  getApplication,
  grantTier,
  joinTier,
  latestApplication,
  leaveTier,
  listApplications,
  listGrants,
  reviewApplication,
  revokeGrant,
  searchMembers,
  submitApplication,
} from "./membership.ts";
import { createSession, validateSessionToken } from "./session.ts";

type Sent = { to: string; subject: string; text: string; html?: string };

const APP_URL = "https://briefings.example";
const DAY = 24 * 60 * 60 * 1000;
const RETIRED: Tier = {
  slug: "retired-circle",
  name: "Retired Circle",
  rank: 5,
  description: "",
  audience: "",
  joinMethod: "open",
  benefits: [],
  paid: false,
  retiredAt: new Date("2024-01-01T00:00:00Z"),
};
const CATALOGUE = tierCatalogue(DEFAULT_TIERS);

const FORM: ApplicationForm = {
  organisation: "Example Networks",
  website: "https://example.net",
  roleTitle: "Chief Technology Officer",
  asns: ["AS8075"],
  prefixes: ["193.0.0.0/16"],
  handles: ["ORG-EXA1-RIPE"],
  statement: "We hold address space and run our own network.",
};

describe.each(testDrivers())("membership on %s", (driver) => {
  let database: TestDatabase;
  let db: Db;
  let reviewer: string;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    db = database.db;
    await saveTiers(db, [...DEFAULT_TIERS, RETIRED]);
    reviewer = await newUser({ role: "admin" });
  });
  afterAll(async () => {
    await database?.dispose();
  });

  function reviewDeps() {
    const sent: Sent[] = [];
    const mailer = {
      async send(message: Sent) {
        sent.push(message);
      },
    };
    return { deps: { db, mailer, appUrl: APP_URL }, sent };
  }

  async function newUser(
    options: { verified?: boolean; role?: Role; email?: string; createdAt?: Date } = {},
  ): Promise<string> {
    const [user] = await db
      .insert(schema.users)
      .values({
        email: options.email ?? `member-${randomUUID()}@example.org`,
        passwordHash: "not-a-hash",
        role: options.role ?? "member",
        emailVerifiedAt: options.verified === false ? null : new Date(),
        ...(options.createdAt ? { createdAt: options.createdAt } : {}),
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

  /** The viewer a fresh session of the user sees at `now`. */
  async function viewerOf(userId: string, now = new Date()) {
    const { token } = await createSession(db, userId, {}, new Date());
    const validated = await validateSessionToken(db, token, now);
    if (!validated) throw new Error("session did not validate");
    if (validated.viewer.kind !== "member") throw new Error("not a member");
    return validated.viewer;
  }

  // -------------------------------------------------------------------------------------
  // Open tiers

  it("joins an open tier only with a verified address, once, and leaves it keeping history", async () => {
    const unverified = await newUser({ verified: false });
    expect(await joinTier(db, unverified, STRATEGIC_CIRCLE)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect((await viewerOf(unverified)).tiers).toEqual([]);

    const userId = await newUser();
    expect(await joinTier(db, userId, STRATEGIC_CIRCLE)).toEqual({ ok: true });
    expect(await joinTier(db, userId, STRATEGIC_CIRCLE)).toEqual({ ok: true });
    const joins = () =>
      db.select().from(schema.tierJoins).where(eq(schema.tierJoins.userId, userId));
    expect(await joins()).toHaveLength(1);

    const member = await viewerOf(userId);
    expect(member.tiers).toEqual([STRATEGIC_CIRCLE]);
    expect(decideAccess(member, tierGate(STRATEGIC_CIRCLE), CATALOGUE)).toEqual({
      admitted: true,
      via: "tier",
    });
    expect(decideAccess(member, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE).admitted).toBe(false);

    expect(await leaveTier(db, userId, STRATEGIC_CIRCLE)).toEqual({ ok: true });
    const left = await viewerOf(userId);
    expect(left.tiers).toEqual([]);
    expect(decideAccess(left, tierGate(STRATEGIC_CIRCLE), CATALOGUE)).toMatchObject({
      admitted: false,
      nextStep: { action: "join" },
    });
    const history = await joins();
    expect(history).toHaveLength(1);
    expect(history[0]?.leftAt).toBeInstanceOf(Date);

    // Joining again starts a new period; the old one stays.
    expect(await joinTier(db, userId, STRATEGIC_CIRCLE)).toEqual({ ok: true });
    expect(await joins()).toHaveLength(2);
    expect((await viewerOf(userId)).tiers).toEqual([STRATEGIC_CIRCLE]);
  });

  it("refuses to join a tier taken by application, or one that does not exist", async () => {
    const userId = await newUser();
    expect(await joinTier(db, userId, LEADERSHIP_ALLIANCE)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(await leaveTier(db, userId, LEADERSHIP_ALLIANCE)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(await joinTier(db, userId, "no-such-tier")).toMatchObject({ ok: false, status: 400 });
    expect(await joinTier(db, userId, RETIRED.slug)).toMatchObject({ ok: false, status: 400 });
    expect(await db.$count(schema.tierJoins, eq(schema.tierJoins.userId, userId))).toBe(0);
  });

  // -------------------------------------------------------------------------------------
  // Applications

  it("takes applications from verified members only, one open at a time", async () => {
    const unverified = await newUser({ verified: false });
    expect(await submitApplication(db, unverified, LEADERSHIP_ALLIANCE, FORM)).toMatchObject({
      ok: false,
      status: 403,
    });
    const userId = await newUser();
    expect(await submitApplication(db, userId, STRATEGIC_CIRCLE, FORM)).toMatchObject({
      ok: false,
      status: 403,
    });
    expect(
      await submitApplication(db, userId, LEADERSHIP_ALLIANCE, {
        ...FORM,
        asns: [],
        prefixes: [],
        handles: [],
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await submitApplication(db, userId, LEADERSHIP_ALLIANCE, { ...FORM, asns: ["AS64500"] }),
    ).toMatchObject({ ok: false, status: 400, formError: expect.stringMatching(/documentation/) });

    const first = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM);
    expect(first.ok).toBe(true);
    expect(await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM)).toMatchObject({
      ok: false,
      status: 409,
    });
    const viewer = await viewerOf(userId);
    expect(viewer.applications).toEqual({ [LEADERSHIP_ALLIANCE]: "pending" });
    expect(viewer.tiers).toEqual([]);
    expect(decideAccess(viewer, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE)).toMatchObject({
      admitted: false,
      nextStep: { action: "application-pending" },
    });
    const stored = first.ok ? await getApplication(db, first.applicationId) : null;
    expect(stored).toMatchObject({
      status: "pending",
      applicantEmail: await emailOf(userId),
      evidence: { asns: ["AS8075"], prefixes: ["193.0.0.0/16"], handles: ["ORG-EXA1-RIPE"] },
    });
  });

  it("submissions at the same moment (a double click) open one application", async () => {
    const users = await Promise.all([1, 2, 3, 4].map(() => newUser()));
    const outcomes = await Promise.all(
      users.map((userId) =>
        Promise.all([1, 2, 3].map(() => submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM))),
      ),
    );
    for (const [i, results] of outcomes.entries()) {
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([
        expect.objectContaining({ status: 409 }),
        expect.objectContaining({ status: 409 }),
      ]);
      const userId = users[i] ?? "";
      expect(await db.$count(schema.applications, eq(schema.applications.userId, userId))).toBe(1);
    }
  });

  it("asks for more, takes the resubmission on the same application, then approves it", async () => {
    const userId = await newUser();
    const email = await emailOf(userId);
    const submitted = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM);
    if (!submitted.ok) throw new Error("submission failed");
    const id = submitted.applicationId;
    const { deps, sent } = reviewDeps();

    expect(
      await reviewApplication(deps, reviewer, id, { decision: "needs-info", message: "  " }),
    ).toMatchObject({
      ok: false,
      status: 400,
    });
    expect(
      await reviewApplication(deps, reviewer, id, {
        decision: "needs-info",
        message: "Which prefixes does your company hold?",
      }),
    ).toEqual({ ok: true, status: "needs-info" });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe(email);
    expect(sent[0]?.subject).toMatch(/needs more information/);
    expect(sent[0]?.text).toContain("Which prefixes does your company hold?");
    expect(sent[0]?.text).toContain(`${APP_URL}/membership/apply/${LEADERSHIP_ALLIANCE}`);

    const asked = await viewerOf(userId);
    expect(asked.applications).toEqual({ [LEADERSHIP_ALLIANCE]: "needs-info" });
    expect(decideAccess(asked, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE)).toMatchObject({
      nextStep: { action: "application-needs-info" },
    });
    // Not waiting for a decision: the reviewers cannot decide it now.
    expect(
      await reviewApplication(deps, reviewer, id, { decision: "approve", message: "" }),
    ).toMatchObject({
      ok: false,
      status: 409,
    });

    const resubmitted = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, {
      ...FORM,
      prefixes: ["185.1.0.0/16"],
    });
    expect(resubmitted).toEqual({ ok: true, applicationId: id });
    const row = await latestApplication(db, userId, LEADERSHIP_ALLIANCE);
    expect(row).toMatchObject({ id, status: "pending", decidedAt: null });
    expect(row?.evidence.prefixes).toEqual(["185.1.0.0/16"]);
    expect(await db.$count(schema.applications, eq(schema.applications.userId, userId))).toBe(1);

    // Approval of a paid tier: the way to pay, not yet access.
    expect(await viewerOf(userId).then((v) => v.tiers)).toEqual([]);
    expect(
      await reviewApplication(deps, reviewer, id, {
        decision: "approve",
        message: "Welcome aboard",
      }),
    ).toEqual({ ok: true, status: "approved" });
    expect(sent.at(-1)).toMatchObject({ to: email, subject: expect.stringMatching(/approved/) });
    expect(sent.at(-1)?.text).toContain("Welcome aboard");
    expect(sent.at(-1)?.text).toContain("Subscribe, monthly or yearly");
    expect(sent.at(-1)?.text).toContain(`${APP_URL}/membership#${LEADERSHIP_ALLIANCE}`);
    const approved = await viewerOf(userId);
    expect(approved.tiers).toEqual([]);
    expect(approved.applications).toEqual({ [LEADERSHIP_ALLIANCE]: "approved" });
    expect(decideAccess(approved, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE)).toMatchObject({
      admitted: false,
      nextStep: { action: "pay" },
    });
    // Once Stripe's webhook has stored the paid subscription, the tier is held, and it
    // admits its own gates and lower ones.
    await db.insert(schema.subscriptions).values({
      id: `sub_${randomUUID()}`,
      userId,
      tierSlug: LEADERSHIP_ALLIANCE,
      status: "active",
      interval: "month",
      priceId: "price_month",
      currentPeriodStart: new Date(Date.now() - DAY),
      currentPeriodEnd: new Date(Date.now() + 29 * DAY),
      amount: 4900,
      currency: "usd",
      createdAt: new Date(Date.now() - DAY),
    });
    const subscribed = await viewerOf(userId);
    expect(subscribed.tiers).toEqual([LEADERSHIP_ALLIANCE]);
    for (const gate of [tierGate(LEADERSHIP_ALLIANCE), tierGate(STRATEGIC_CIRCLE), MEMBERS_GATE]) {
      expect(decideAccess(subscribed, gate, CATALOGUE).admitted).toBe(true);
    }
    expect(await getApplication(db, id)).toMatchObject({
      status: "approved",
      reviewerId: reviewer,
      reviewerMessage: "Welcome aboard",
      decidedAt: expect.any(Date),
    });

    // Decided: neither a second decision nor a new application.
    expect(
      await reviewApplication(deps, reviewer, id, { decision: "reject", message: "No" }),
    ).toMatchObject({
      ok: false,
      status: 409,
    });
    expect(await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM)).toMatchObject({
      ok: false,
      status: 409,
    });
  });

  it("rejects only with a reason; the applicant may apply again", async () => {
    const userId = await newUser();
    const submitted = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM);
    if (!submitted.ok) throw new Error("submission failed");
    const { deps, sent } = reviewDeps();
    const noReason = await reviewApplication(deps, reviewer, submitted.applicationId, {
      decision: "reject",
      message: "",
    });
    expect(noReason).toMatchObject({
      ok: false,
      status: 400,
      formError: expect.stringMatching(/reason/),
    });
    expect(sent).toEqual([]);
    expect(
      await reviewApplication(deps, reviewer, submitted.applicationId, {
        decision: "reject",
        message: "We could not find <b>your</b> prefixes in the registry.",
      }),
    ).toEqual({ ok: true, status: "rejected" });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain("We could not find <b>your</b> prefixes in the registry.");
    expect(sent[0]?.html).toContain("&lt;b&gt;your&lt;/b&gt;");
    const rejected = await viewerOf(userId);
    expect(rejected.tiers).toEqual([]);
    expect(rejected.applications).toEqual({ [LEADERSHIP_ALLIANCE]: "rejected" });

    const again = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM);
    expect(again.ok).toBe(true);
    if (again.ok) expect(again.applicationId).not.toBe(submitted.applicationId);
    expect((await viewerOf(userId)).applications).toEqual({ [LEADERSHIP_ALLIANCE]: "pending" });
  });

  it("two reviewers approving at once: exactly one decides", async () => {
    const userId = await newUser();
    const other = await newUser({ role: "admin" });
    const submitted = await submitApplication(db, userId, LEADERSHIP_ALLIANCE, FORM);
    if (!submitted.ok) throw new Error("submission failed");
    const { deps, sent } = reviewDeps();
    const results = await Promise.all([
      reviewApplication(deps, reviewer, submitted.applicationId, {
        decision: "approve",
        message: "",
      }),
      reviewApplication(deps, other, submitted.applicationId, {
        decision: "reject",
        message: "No",
      }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([expect.objectContaining({ status: 409 })]);
    expect(sent).toHaveLength(1);
  });

  it("lists the queue oldest first", async () => {
    const a = await newUser();
    const b = await newUser();
    const first = await submitApplication(db, a, LEADERSHIP_ALLIANCE, FORM);
    const second = await submitApplication(db, b, LEADERSHIP_ALLIANCE, {
      ...FORM,
      organisation: "Second Networks",
    });
    if (!first.ok || !second.ok) throw new Error("submission failed");
    const queue = await listApplications(db);
    const ids = queue.map((item) => item.id);
    expect(ids.indexOf(first.applicationId)).toBeLessThan(ids.indexOf(second.applicationId));
    expect(queue.every((item) => item.status === "pending")).toBe(true);
    expect(queue.find((item) => item.id === second.applicationId)).toMatchObject({
      organisation: "Second Networks",
      applicantEmail: await emailOf(b),
    });
    expect(
      (await listApplications(db, ["approved"])).every((item) => item.status === "approved"),
    ).toBe(true);
  });

  // -------------------------------------------------------------------------------------
  // Grants

  it("grants a tier until its end date, and revoking takes it away", async () => {
    const userId = await newUser();
    const endsAt = new Date(Date.now() + 7 * DAY);
    expect(
      await grantTier(db, reviewer, userId, {
        tierSlug: LEADERSHIP_ALLIANCE,
        endsAt: new Date(Date.now() - DAY),
        reason: "Conference speaker",
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await grantTier(db, reviewer, userId, {
        tierSlug: "no-such-tier",
        endsAt,
        reason: "Speaker",
      }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await grantTier(db, reviewer, userId, { tierSlug: LEADERSHIP_ALLIANCE, endsAt, reason: "" }),
    ).toMatchObject({ ok: false, status: 400 });
    expect(
      await grantTier(db, reviewer, "00000000-0000-0000-0000-000000000000", {
        tierSlug: LEADERSHIP_ALLIANCE,
        endsAt,
        reason: "Speaker",
      }),
    ).toEqual({ ok: false, status: 400, formError: "There is no such member." });

    const granted = await grantTier(db, reviewer, userId, {
      tierSlug: LEADERSHIP_ALLIANCE,
      endsAt,
      reason: "Conference speaker",
    });
    if (!granted.ok) throw new Error(`grant failed: ${JSON.stringify(granted)}`);
    const now = await viewerOf(userId);
    expect(now.tiers).toEqual([LEADERSHIP_ALLIANCE]);
    expect(decideAccess(now, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE).admitted).toBe(true);
    // Still held just before the end, gone at it.
    expect((await viewerOf(userId, new Date(endsAt.getTime() - 1000))).tiers).toEqual([
      LEADERSHIP_ALLIANCE,
    ]);
    const after = await viewerOf(userId, endsAt);
    expect(after.tiers).toEqual([]);
    expect(decideAccess(after, tierGate(LEADERSHIP_ALLIANCE), CATALOGUE).admitted).toBe(false);

    expect(await listGrants(db, userId)).toEqual([
      expect.objectContaining({
        id: granted.grantId,
        grantedBy: reviewer,
        reason: "Conference speaker",
        revokedAt: null,
      }),
    ]);
    expect(await revokeGrant(db, granted.grantId, reviewer)).toBe(true);
    expect(await revokeGrant(db, granted.grantId, reviewer)).toBe(false);
    expect((await viewerOf(userId)).tiers).toEqual([]);
    expect((await listGrants(db, userId))[0]?.revokedAt).toBeInstanceOf(Date);
  });

  // -------------------------------------------------------------------------------------
  // Member search

  it("searches members by address, taking % and _ literally", async () => {
    const tag = randomUUID().slice(0, 8);
    // Distinct creation times: two inserts can share a clock tick.
    const t = (minutes: number) => new Date(Date.now() - (10 - minutes) * 60_000);
    const exact = await newUser({ email: `under_score.${tag}@example.org`, createdAt: t(1) });
    await newUser({ email: `underxscore.${tag}@example.org`, createdAt: t(2) });
    const percent = await newUser({ email: `per%cent.${tag}@example.org`, createdAt: t(3) });
    await newUser({ email: `perxxcent.${tag}@example.org`, createdAt: t(4) });
    const slash = await newUser({
      email: `back\\slash.${tag}@example.org`,
      verified: false,
      createdAt: t(5),
    });

    expect((await searchMembers(db, `under_score.${tag}`)).map((m) => m.id)).toEqual([exact]);
    expect((await searchMembers(db, `PER%CENT.${tag}`)).map((m) => m.id)).toEqual([percent]);
    expect((await searchMembers(db, `back\\slash.${tag}`)).map((m) => m.id)).toEqual([slash]);
    expect(await searchMembers(db, `%${tag}_`)).toEqual([]);
    const all = await searchMembers(db, ` ${tag} `);
    expect(all).toHaveLength(5);
    expect(all[0]).toMatchObject({ id: slash, emailVerified: false, role: "member" });
    expect(all.map((m) => m.createdAt.getTime())).toEqual(
      all.map((m) => m.createdAt.getTime()).sort((x, y) => y - x),
    );
    expect(await searchMembers(db, tag, 2)).toHaveLength(2);
  });
});
