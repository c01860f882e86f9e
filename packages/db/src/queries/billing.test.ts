import { randomUUID } from "node:crypto";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE, STRATEGIC_CIRCLE } from "@briefings/core";
import { desc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../client.ts";
import * as schema from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  type BillingPage,
  billingOverview,
  getBillingSettings,
  InvalidBillingSettingsError,
  InvalidCursorError,
  listCancellations,
  listFailedPayments,
  listSubscribers,
  loadMemberBilling,
  mrrOverTime,
  type PageRequest,
  recordAudit,
  saveTiers,
  updateBillingSettings,
} from "./index.ts";

/** "Now" in these tests: the last of 90 days that start on 2025-01-01. */
const NOW = new Date("2025-03-31T15:00:00Z");
const DAY = 86_400_000;

/** The UTC day `offset` days from NOW's (0: 2025-03-31), as YYYY-MM-DD. */
function day(offset: number): string {
  return new Date(Date.parse("2025-03-31T00:00:00Z") + offset * DAY).toISOString().slice(0, 10);
}

/** An instant on the UTC day `offset` days from NOW's, at a time of day ("HH:MM:SS.mmm"). */
function on(offset: number, time = "12:00:00.000"): Date {
  return new Date(`${day(offset)}T${time}Z`);
}

type SubscriptionRow = typeof schema.subscriptions.$inferInsert;
type InvoiceRow = typeof schema.invoices.$inferInsert;

async function insertUser(db: Db, label: string, stripeCustomerId?: string) {
  const [row] = await db
    .insert(schema.users)
    .values({
      email: `${label}-${randomUUID()}@example.org`,
      passwordHash: "x",
      stripeCustomerId: stripeCustomerId ?? null,
    })
    .returning({ id: schema.users.id, email: schema.users.email });
  if (!row) throw new Error("no user");
  return row;
}

function subscriptionValues(
  id: string,
  userId: string,
  values: Partial<SubscriptionRow> = {},
): SubscriptionRow {
  return {
    id,
    userId,
    tierSlug: LEADERSHIP_ALLIANCE,
    status: "active",
    interval: "month",
    priceId: "price_monthly",
    currentPeriodStart: on(-10),
    currentPeriodEnd: on(20),
    amount: 4900,
    currency: "usd",
    createdAt: on(-30),
    ...values,
  };
}

function invoiceValues(id: string, userId: string, values: Partial<InvoiceRow> = {}): InvoiceRow {
  return {
    id,
    userId,
    status: "open",
    amountDue: 4900,
    amountPaid: 0,
    currency: "usd",
    attemptCount: 1,
    createdAt: on(-5),
    ...values,
  };
}

/** Every page of a list, `limit` rows at a time, checking the cursors as it goes. */
async function allPages<Row>(
  list: (page: PageRequest) => Promise<BillingPage<Row>>,
  limit: number,
): Promise<{ pages: Row[][]; totals: number[] }> {
  const pages: Row[][] = [];
  const totals: number[] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 50; guard++) {
    const page = await list({ after, limit });
    pages.push(page.rows);
    totals.push(page.total);
    if (page.nextCursor === null) return { pages, totals };
    expect(page.rows).toHaveLength(limit);
    after = page.nextCursor;
  }
  throw new Error("the pages never ended");
}

describe.each(testDrivers())("billing queries on %s", (driver) => {
  describe("overview, subscribers, failed payments and cancellations", () => {
    let database: TestDatabase;
    let db: Db;
    const email: Record<string, string> = {};

    beforeAll(async () => {
      database = await openTestDatabase(driver);
      db = database.db;
      await saveTiers(db, DEFAULT_TIERS);
      const users = Object.fromEntries(
        await Promise.all(
          ["a", "b", "c", "d", "e", "f", "g", "h"].map(async (label) => {
            const user = await insertUser(db, label);
            email[label] = user.email;
            return [label, user.id] as const;
          }),
        ),
      ) as Record<string, string>;
      const u = (label: string) => users[label] ?? "";
      await db.insert(schema.subscriptions).values([
        // Two created at the same instant: the id breaks the tie.
        subscriptionValues("sub_a", u("a"), { createdAt: on(-30, "10:00:00.000") }),
        subscriptionValues("sub_b", u("b"), {
          createdAt: on(-30, "10:00:00.000"),
          interval: "year",
          priceId: "price_yearly",
          amount: 49000,
        }),
        subscriptionValues("sub_c", u("c"), {
          status: "past_due",
          pastDueSince: on(-2),
          createdAt: on(-25),
        }),
        subscriptionValues("sub_d", u("d"), { status: "trialing", createdAt: on(-3) }),
        subscriptionValues("sub_e", u("e"), {
          cancelAtPeriodEnd: true,
          canceledAt: on(-4),
          createdAt: on(-50),
        }),
        subscriptionValues("sub_f", u("f"), {
          status: "canceled",
          canceledAt: on(-1),
          createdAt: on(-60),
        }),
        subscriptionValues("sub_g", u("g"), {
          currency: "eur",
          amount: 3900,
          createdAt: on(-20),
        }),
        subscriptionValues("sub_h", u("h"), { status: "incomplete", createdAt: on(-1) }),
        // Canceled without Stripe's canceled_at: it sorts by when we last saw it change.
        subscriptionValues("sub_h2", u("h"), {
          status: "canceled",
          createdAt: on(-70),
          tierSlug: STRATEGIC_CIRCLE,
          updatedAt: on(-6),
        }),
      ]);
      // Microseconds that a JavaScript Date cannot hold: paging must not lose this row.
      await db.execute(
        sql`UPDATE subscriptions SET created_at = '2025-03-06 12:00:00.123456+00' WHERE id = 'sub_c'`,
      );
      await db.insert(schema.invoices).values([
        invoiceValues("in_1", u("c"), { subscriptionId: "sub_c", number: "INV-1" }),
        invoiceValues("in_2", u("a"), {
          subscriptionId: "sub_a",
          status: "uncollectible",
          attemptCount: 4,
          createdAt: on(-40),
          hostedInvoiceUrl: "https://invoice.stripe.com/i/in_2",
        }),
        // Finalized but not tried yet, paid, void, draft: not failed payments.
        invoiceValues("in_3", u("a"), { subscriptionId: "sub_a", attemptCount: 0 }),
        invoiceValues("in_4", u("a"), {
          subscriptionId: "sub_a",
          status: "paid",
          amountPaid: 4900,
        }),
        invoiceValues("in_5", u("b"), { subscriptionId: "sub_b", status: "void", attemptCount: 2 }),
        invoiceValues("in_6", u("b"), {
          subscriptionId: "sub_b",
          status: "draft",
          attemptCount: 0,
        }),
        // A one-off invoice, with no subscription.
        invoiceValues("in_7", u("d"), { attemptCount: 2, amountDue: 1500, createdAt: on(-1) }),
      ]);
    });
    afterAll(async () => {
      await database?.dispose();
    });

    it("counts subscribers by status and the recurring revenue now, per currency", async () => {
      const overview = await billingOverview(db);
      expect(overview.byStatus).toEqual({
        incomplete: 1,
        incomplete_expired: 0,
        trialing: 1,
        active: 4,
        past_due: 1,
        canceled: 2,
        unpaid: 0,
        paused: 0,
      });
      expect(overview.canceling).toBe(1);
      expect(overview.failedPayments).toBe(3);
      // usd: 4900 (a) + 49000 / 12 = 4083 (b) + 4900 past due (c) + 4900 canceling (e);
      // the trial (d), the canceled (f, h2) and the incomplete (h) bring nothing in.
      expect(overview.mrr).toEqual([
        { currency: "usd", amount: 18783 },
        { currency: "eur", amount: 3900 },
      ]);
    });

    it("lists subscribers newest first, with their e-mail, filtered by status", async () => {
      const all = await listSubscribers(db);
      expect(all.total).toBe(9);
      expect(all.nextCursor).toBeNull();
      expect(all.rows.map((row) => row.id)).toEqual([
        "sub_h",
        "sub_d",
        "sub_g",
        "sub_c",
        "sub_b",
        "sub_a",
        "sub_e",
        "sub_f",
        "sub_h2",
      ]);
      const b = all.rows.find((row) => row.id === "sub_b");
      expect(b).toMatchObject({
        email: email.b,
        tierSlug: LEADERSHIP_ALLIANCE,
        tierName: "Leadership Alliance",
        status: "active",
        interval: "year",
        amount: 49000,
        currency: "usd",
        cancelAtPeriodEnd: false,
      });
      expect(b?.createdAt).toEqual(on(-30, "10:00:00.000"));

      const active = await listSubscribers(db, { status: "active" });
      expect(active.rows.map((row) => row.id)).toEqual(["sub_g", "sub_b", "sub_a", "sub_e"]);
      expect(active.total).toBe(4);
      const canceling = await listSubscribers(db, { status: "canceling" });
      expect(canceling.rows.map((row) => [row.id, row.email])).toEqual([["sub_e", email.e]]);
      expect(canceling.total).toBe(1);
      const pastDue = await listSubscribers(db, { status: "past_due" });
      expect(pastDue.rows.map((row) => [row.id, row.pastDueSince])).toEqual([["sub_c", on(-2)]]);
      const paused = await listSubscribers(db, { status: "paused" });
      expect(paused).toEqual({ rows: [], nextCursor: null, total: 0 });
    });

    it("pages subscribers by keyset without losing or repeating a row", async () => {
      const whole = (await listSubscribers(db)).rows.map((row) => row.id);
      for (const limit of [1, 2, 3, 4]) {
        const { pages, totals } = await allPages((page) => listSubscribers(db, page), limit);
        expect(
          pages.flat().map((row) => row.id),
          `limit ${limit}`,
        ).toEqual(whole);
        expect(new Set(totals)).toEqual(new Set([9]));
      }
      // A page boundary between the two subscriptions created at the same instant.
      const first = await listSubscribers(db, { limit: 5 });
      expect(first.rows.at(-1)?.id).toBe("sub_b");
      const next = await listSubscribers(db, { limit: 5, after: first.nextCursor ?? "" });
      expect(next.rows[0]?.id).toBe("sub_a");
      // Filters and pages together.
      const { pages } = await allPages(
        (page) => listSubscribers(db, { ...page, status: "active" }),
        3,
      );
      expect(pages.map((page) => page.map((row) => row.id))).toEqual([
        ["sub_g", "sub_b", "sub_a"],
        ["sub_e"],
      ]);
    });

    it("refuses a tampered page cursor", async () => {
      const forged = [
        "not-a-cursor",
        Buffer.from("[1,2]").toString("base64url"),
        Buffer.from('["2025-01-01","sub_a"]').toString("base64url"),
        Buffer.from('["2025-01-01T00:00:00.000Z","a\\u0000b"]').toString("base64url"),
        Buffer.from('["2025-13-45T00:00:00.000Z","sub_a"]').toString("base64url"),
      ];
      for (const after of forged) {
        await expect(listSubscribers(db, { after }), after).rejects.toBeInstanceOf(
          InvalidCursorError,
        );
        await expect(listFailedPayments(db, { after })).rejects.toBeInstanceOf(InvalidCursorError);
        await expect(listCancellations(db, { after })).rejects.toBeInstanceOf(InvalidCursorError);
      }
    });

    it("lists failed payments: tried, still open or uncollectible, newest first", async () => {
      const failed = await listFailedPayments(db);
      expect(failed.total).toBe(3);
      expect(
        failed.rows.map((row) => [row.id, row.email, row.status, row.subscriptionStatus]),
      ).toEqual([
        ["in_7", email.d, "open", null],
        ["in_1", email.c, "open", "past_due"],
        ["in_2", email.a, "uncollectible", "active"],
      ]);
      expect(failed.rows[1]).toMatchObject({
        number: "INV-1",
        amountDue: 4900,
        currency: "usd",
        attemptCount: 1,
        subscriptionId: "sub_c",
        createdAt: on(-5),
      });
      expect(failed.rows[2]?.hostedInvoiceUrl).toBe("https://invoice.stripe.com/i/in_2");
      const { pages } = await allPages((page) => listFailedPayments(db, page), 2);
      expect(pages.map((page) => page.map((row) => row.id))).toEqual([["in_7", "in_1"], ["in_2"]]);
    });

    it("lists cancellations, made or at period end, most recent first", async () => {
      const cancellations = await listCancellations(db);
      expect(cancellations.total).toBe(3);
      expect(
        cancellations.rows.map((row) => [row.id, row.email, row.kind, row.status, row.canceledAt]),
      ).toEqual([
        ["sub_f", email.f, "canceled", "canceled", on(-1)],
        ["sub_e", email.e, "canceling", "active", on(-4)],
        ["sub_h2", email.h, "canceled", "canceled", on(-6)],
      ]);
      expect(cancellations.rows[1]?.currentPeriodEnd).toEqual(on(20));
      expect(cancellations.rows[2]?.tierName).toBe("Strategic Circle");
      const { pages } = await allPages((page) => listCancellations(db, page), 1);
      expect(pages.flat().map((row) => row.id)).toEqual(["sub_f", "sub_e", "sub_h2"]);
    });
  });

  describe("monthly recurring revenue over time", () => {
    let database: TestDatabase;
    let db: Db;

    type Change = {
      at: Date;
      status: (typeof schema.SUBSCRIPTION_STATUS_VALUES)[number];
      monthlyAmount: number;
      currency?: string;
    };

    /** Appends a subscription's changes in the order given (the id order). */
    async function history(subscriptionId: string, changes: Change[]) {
      for (const change of changes) {
        await db.insert(schema.subscriptionChanges).values({
          subscriptionId,
          userId: null,
          tierSlug: LEADERSHIP_ALLIANCE,
          currency: "usd",
          ...change,
        });
      }
    }

    beforeAll(async () => {
      database = await openTestDatabase(driver);
      db = database.db;
      // A session time zone far from UTC: the days must still be UTC days.
      await db.execute(sql`SET TIME ZONE 'Pacific/Kiritimati'`);
      // Monthly 4900, active from the first instant of day -40, canceled on day -10.
      await history("sub_a", [
        { at: on(-40, "00:00:00.000"), status: "active", monthlyAmount: 4900 },
        { at: on(-10, "23:59:59.999"), status: "canceled", monthlyAmount: 4900 },
      ]);
      // Yearly 49000 (4083 a month), active since before the window.
      await history("sub_b", [{ at: on(-100), status: "active", monthlyAmount: 4083 }]);
      // Active from day -60, past due (being retried, still counted) from day -5.
      await history("sub_c", [
        { at: on(-60), status: "active", monthlyAmount: 4900 },
        { at: on(-5), status: "past_due", monthlyAmount: 4900 },
      ]);
      // A trial from day -30 (not revenue yet), paid from day -20.
      await history("sub_d", [
        { at: on(-30), status: "trialing", monthlyAmount: 4900 },
        { at: on(-20, "06:00:00.000"), status: "active", monthlyAmount: 4900 },
      ]);
      // Active and canceled the same day: the later change wins that day.
      await history("sub_e", [
        { at: on(-3, "09:00:00.000"), status: "active", monthlyAmount: 4900 },
        { at: on(-3, "17:00:00.000"), status: "canceled", monthlyAmount: 4900 },
      ]);
      // Two changes at the same instant: the one appended last wins.
      await history("sub_f", [
        { at: on(-2, "10:00:00.000"), status: "active", monthlyAmount: 4900 },
        { at: on(-2, "10:00:00.000"), status: "canceled", monthlyAmount: 4900 },
      ]);
      // Appended out of order: the later instant wins, whatever the order of arrival.
      await history("sub_g", [
        { at: on(-7, "20:00:00.000"), status: "active", monthlyAmount: 2900 },
        { at: on(-7, "08:00:00.000"), status: "trialing", monthlyAmount: 2900 },
      ]);
      // Another currency, from day -15.
      await history("sub_h", [
        { at: on(-15), status: "active", monthlyAmount: 3900, currency: "eur" },
      ]);
      // Ended before the window: no series at all for its currency.
      await history("sub_k", [
        { at: on(-200), status: "active", monthlyAmount: 1000, currency: "gbp" },
        { at: on(-120), status: "canceled", monthlyAmount: 1000, currency: "gbp" },
      ]);
      // Today before now counts; a change after now does not exist yet.
      await history("sub_j", [
        { at: on(0, "14:00:00.000"), status: "active", monthlyAmount: 1000 },
      ]);
      await history("sub_i", [
        { at: on(0, "16:00:00.000"), status: "active", monthlyAmount: 9999 },
      ]);
    });
    afterAll(async () => {
      await database?.dispose();
    });

    it("is the sum of each subscription's latest change at the end of each day", async () => {
      const mrr = await mrrOverTime(db, { now: NOW });
      expect(mrr.days).toHaveLength(90);
      expect(mrr.days[0]).toBe("2025-01-01");
      expect(mrr.days.at(-1)).toBe("2025-03-31");
      expect(mrr.series.map((s) => s.currency)).toEqual(["eur", "usd"]);
      const usd = Object.fromEntries(
        mrr.days.map((d, i) => [d, mrr.series.find((s) => s.currency === "usd")?.values[i]]),
      );
      const eur = Object.fromEntries(
        mrr.days.map((d, i) => [d, mrr.series.find((s) => s.currency === "eur")?.values[i]]),
      );
      // Day by day, the amounts as planted.
      expect(usd["2025-01-01"]).toBe(4083); // b only
      expect(usd["2025-01-29"]).toBe(4083);
      expect(usd["2025-01-30"]).toBe(8983); // + c
      expect(usd["2025-02-18"]).toBe(8983);
      expect(usd["2025-02-19"]).toBe(13883); // + a, from midnight
      expect(usd["2025-03-01"]).toBe(13883); // d's trial is not revenue
      expect(usd["2025-03-10"]).toBe(13883);
      expect(usd["2025-03-11"]).toBe(18783); // + d, paid
      expect(usd["2025-03-20"]).toBe(18783);
      expect(usd["2025-03-21"]).toBe(13883); // - a, canceled at the day's last millisecond
      expect(usd["2025-03-23"]).toBe(13883);
      expect(usd["2025-03-24"]).toBe(16783); // + g: active is its later change that day
      expect(usd["2025-03-26"]).toBe(16783); // c past due: still counted
      expect(usd["2025-03-28"]).toBe(16783); // e: active then canceled, the same day
      expect(usd["2025-03-29"]).toBe(16783); // f: canceled at the same instant, appended last
      expect(usd["2025-03-30"]).toBe(16783);
      expect(usd["2025-03-31"]).toBe(17783); // + j this morning; i is after now
      expect(eur["2025-03-15"]).toBe(0);
      expect(eur["2025-03-16"]).toBe(3900);
      expect(eur["2025-03-31"]).toBe(3900);

      // And every day, from the plan of who paid when.
      const expected = (offset: number) =>
        4083 +
        (offset >= -40 && offset <= -11 ? 4900 : 0) +
        (offset >= -60 ? 4900 : 0) +
        (offset >= -20 ? 4900 : 0) +
        (offset >= -7 ? 2900 : 0) +
        (offset === 0 ? 1000 : 0);
      expect(mrr.series.find((s) => s.currency === "usd")?.values).toEqual(
        mrr.days.map((_, i) => expected(i - 89)),
      );
    });

    it("reads any window, and a day that just began at now", async () => {
      const week = await mrrOverTime(db, { now: on(-20, "00:30:00.000"), days: 7 });
      expect(week.days).toEqual([
        "2025-03-05",
        "2025-03-06",
        "2025-03-07",
        "2025-03-08",
        "2025-03-09",
        "2025-03-10",
        "2025-03-11",
      ]);
      // d's payment at 06:00 has not happened yet at 00:30 on its day.
      expect(week.series).toEqual([{ currency: "usd", values: Array(7).fill(13883) }]);
      // Before any change: no series, every day.
      const early = await mrrOverTime(db, { now: on(-300), days: 3 });
      expect(early).toEqual({ days: [day(-302), day(-301), day(-300)], series: [] });
      await expect(mrrOverTime(db, { now: NOW, days: 0 })).rejects.toThrow(/number of days/);
    });
  });

  describe("a member's billing history and the settings", () => {
    let database: TestDatabase;
    let db: Db;

    beforeAll(async () => {
      database = await openTestDatabase(driver);
      db = database.db;
      await saveTiers(db, DEFAULT_TIERS);
    });
    afterAll(async () => {
      await database?.dispose();
    });

    it("gathers a member's subscriptions, invoices and changes, newest first", async () => {
      const member = await insertUser(db, "member", "cus_member1");
      const other = await insertUser(db, "other", "cus_other1");
      const none = await insertUser(db, "none");
      await db.insert(schema.subscriptions).values([
        subscriptionValues("sub_old", member.id, {
          status: "canceled",
          canceledAt: on(-100),
          createdAt: on(-200),
        }),
        subscriptionValues("sub_new", member.id, {
          interval: "year",
          amount: 49000,
          cancelAtPeriodEnd: true,
          createdAt: on(-30),
        }),
        subscriptionValues("sub_other", other.id),
      ]);
      await db.insert(schema.invoices).values([
        invoiceValues("in_m1", member.id, {
          subscriptionId: "sub_old",
          status: "paid",
          amountPaid: 4900,
          number: "M-1",
          createdAt: on(-200),
          paidAt: on(-200),
        }),
        invoiceValues("in_m2", member.id, {
          subscriptionId: "sub_new",
          status: "paid",
          amountDue: 49000,
          amountPaid: 49000,
          number: "M-2",
          createdAt: on(-30),
          hostedInvoiceUrl: "https://invoice.stripe.com/i/in_m2",
        }),
        invoiceValues("in_m3", member.id, { subscriptionId: "sub_new", createdAt: on(-1) }),
        invoiceValues("in_o1", other.id, { subscriptionId: "sub_other" }),
      ]);
      await db.insert(schema.subscriptionChanges).values([
        {
          subscriptionId: "sub_old",
          userId: member.id,
          at: on(-200),
          tierSlug: LEADERSHIP_ALLIANCE,
          status: "active",
          monthlyAmount: 4900,
          currency: "usd",
        },
        {
          subscriptionId: "sub_old",
          userId: member.id,
          at: on(-100),
          tierSlug: LEADERSHIP_ALLIANCE,
          status: "canceled",
          monthlyAmount: 4900,
          currency: "usd",
        },
        {
          subscriptionId: "sub_new",
          userId: member.id,
          at: on(-30),
          tierSlug: LEADERSHIP_ALLIANCE,
          status: "active",
          monthlyAmount: 4083,
          currency: "usd",
          cancelAtPeriodEnd: true,
        },
        {
          subscriptionId: "sub_other",
          userId: other.id,
          at: on(-10),
          tierSlug: LEADERSHIP_ALLIANCE,
          status: "active",
          monthlyAmount: 4900,
          currency: "usd",
        },
      ]);

      const history = await loadMemberBilling(db, member.id);
      expect(history.stripeCustomerId).toBe("cus_member1");
      expect(history.subscriptions.map((s) => [s.id, s.status, s.tierName])).toEqual([
        ["sub_new", "active", "Leadership Alliance"],
        ["sub_old", "canceled", "Leadership Alliance"],
      ]);
      expect(history.subscriptions[0]).toMatchObject({
        interval: "year",
        amount: 49000,
        currency: "usd",
        cancelAtPeriodEnd: true,
        currentPeriodEnd: on(20),
      });
      expect(history.invoices.map((i) => [i.id, i.number, i.status])).toEqual([
        ["in_m3", null, "open"],
        ["in_m2", "M-2", "paid"],
        ["in_m1", "M-1", "paid"],
      ]);
      expect(history.invoices[1]).toMatchObject({
        amountPaid: 49000,
        hostedInvoiceUrl: "https://invoice.stripe.com/i/in_m2",
        createdAt: on(-30),
      });
      expect(history.invoices[2]?.paidAt).toEqual(on(-200));
      expect(history.changes.map((c) => [c.subscriptionId, c.status, c.monthlyAmount])).toEqual([
        ["sub_new", "active", 4083],
        ["sub_old", "canceled", 4900],
        ["sub_old", "active", 4900],
      ]);
      expect(history.changes[0]).toMatchObject({
        at: on(-30),
        tierName: "Leadership Alliance",
        cancelAtPeriodEnd: true,
      });

      expect(await loadMemberBilling(db, none.id)).toEqual({
        stripeCustomerId: null,
        subscriptions: [],
        invoices: [],
        changes: [],
      });
    });

    it("reads the grace days, and saves them with their audit entry in one transaction", async () => {
      expect((await getBillingSettings(db)).pastDueGraceDays).toBe(7);
      const admin = await insertUser(db, "admin");
      await db.transaction(async (tx) => {
        const change = await updateBillingSettings(tx, { pastDueGraceDays: 14 });
        expect(change.before.pastDueGraceDays).toBe(7);
        expect(change.after.pastDueGraceDays).toBe(14);
        expect(change.changed).toBe(true);
        await recordAudit(tx as unknown as Db, admin.id, {
          action: "billing.settings.update",
          targetType: "billing_settings",
          targetId: "1",
          before: { pastDueGraceDays: change.before.pastDueGraceDays },
          after: { pastDueGraceDays: change.after.pastDueGraceDays },
        });
      });
      const saved = await getBillingSettings(db);
      expect(saved.pastDueGraceDays).toBe(14);
      expect(saved.updatedAt).toBeInstanceOf(Date);
      const [entry] = await db
        .select()
        .from(schema.auditLog)
        .where(eq(schema.auditLog.action, "billing.settings.update"))
        .orderBy(desc(schema.auditLog.seq));
      expect(entry).toMatchObject({
        actorId: admin.id,
        actor: admin.email,
        before: { pastDueGraceDays: 7 },
        after: { pastDueGraceDays: 14 },
      });

      // A transaction that fails after the update leaves nothing changed.
      await expect(
        db.transaction(async (tx) => {
          await updateBillingSettings(tx, { pastDueGraceDays: 30 });
          throw new Error("the audit entry could not be written");
        }),
      ).rejects.toThrow("the audit entry could not be written");
      expect((await getBillingSettings(db)).pastDueGraceDays).toBe(14);

      // Out of range, or not a whole number of days: refused before any write.
      for (const bad of [-1, 61, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        await expect(
          db.transaction((tx) => updateBillingSettings(tx, { pastDueGraceDays: bad })),
          String(bad),
        ).rejects.toBeInstanceOf(InvalidBillingSettingsError);
      }
      // The bounds themselves are allowed.
      for (const edge of [0, 60, 7]) {
        await db.transaction((tx) => updateBillingSettings(tx, { pastDueGraceDays: edge }));
        expect((await getBillingSettings(db)).pastDueGraceDays).toBe(edge);
      }
      // Saving the same value is not a change.
      const same = await db.transaction((tx) => updateBillingSettings(tx, { pastDueGraceDays: 7 }));
      expect(same.changed).toBe(false);
    });

    it("answers the defaults, and saves, when the settings row is missing", async () => {
      await db.delete(schema.billingSettings);
      expect(await getBillingSettings(db)).toEqual({ pastDueGraceDays: 7, updatedAt: null });
      const change = await db.transaction((tx) =>
        updateBillingSettings(tx, { pastDueGraceDays: 3 }),
      );
      expect(change.before).toEqual({ pastDueGraceDays: 7, updatedAt: null });
      expect((await getBillingSettings(db)).pastDueGraceDays).toBe(3);
    });
  });
});
