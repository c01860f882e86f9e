import { DEFAULT_PAST_DUE_GRACE_MS, type SubscriptionStatus } from "@briefings/core";
import { desc, eq, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../client.ts";
import { queryRows } from "../rows.ts";
import * as schema from "../schema.ts";
import { InvalidCursorError } from "./cursor.ts";
import type { Tx } from "./save-content.ts";

// The administration's side of billing: what Stripe last said about subscriptions and
// invoices, read for the billing page, the overview and a member's page; recurring revenue
// over time from the append-only `subscription_changes`; and the billing settings.
// Amounts are in the currency's minor unit (cents), never mixed across currencies.

/** An amount of one currency, in its minor unit. */
export type Money = { currency: string; amount: number };

/**
 * The statuses whose subscriptions count as recurring revenue: active, and past due (Stripe
 * is still retrying the card). A trial brings nothing in yet; the rest have stopped paying.
 */
export const REVENUE_STATUSES = ["active", "past_due"] as const satisfies SubscriptionStatus[];

const REVENUE_STATUS_SQL = sql.raw(REVENUE_STATUSES.map((status) => `'${status}'`).join(", "));

/** A price per month: a yearly amount spread over twelve months, rounded (as the syncs store it). */
const MONTHLY_AMOUNT = sql`CASE WHEN s.interval = 'year' THEN round(s.amount / 12.0)::bigint
                                ELSE s.amount::bigint END`;

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toDateOrNull(value: Date | string | null): Date | null {
  return value === null ? null : toDate(value);
}

// ---------------------------------------------------------------------------------------
// Pages: newest first, by keyset (decision 008). Stripe's ids are not UUIDs, so billing
// lists have a cursor of their own: base64url JSON [ISO instant, id].

const ISO_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const billingCursorSchema = z.tuple([
  z.string().regex(ISO_INSTANT),
  // Postgres text cannot hold NUL; such an id can only be forged.
  z
    .string()
    .min(1)
    .max(255)
    .refine((id) => !id.includes("\u0000")),
]);

function encodeBillingCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
}

/** The cursor's instant and id; a tampered cursor throws InvalidCursorError. */
function decodeBillingCursor(value: string): [Date, string] {
  try {
    const [key, id] = billingCursorSchema.parse(
      JSON.parse(Buffer.from(value, "base64url").toString("utf8")),
    );
    const at = new Date(key);
    if (Number.isNaN(at.getTime())) throw new InvalidCursorError();
    return [at, id];
  } catch {
    throw new InvalidCursorError();
  }
}

/** One page of a billing list, the next page's cursor (null on the last), and how many match. */
export type BillingPage<Row> = { rows: Row[]; nextCursor: string | null; total: number };

export type PageRequest = { after?: string; limit?: number };

function pageLimit(limit: number | undefined): number {
  return Math.min(Math.max(limit ?? 50, 1), 200);
}

/**
 * Postgres keeps microseconds, JavaScript milliseconds: lists order and page by the time cut
 * to milliseconds, so a cursor made from a Date finds its row again exactly.
 */
const ms = (column: SQL): SQL => sql`date_trunc('milliseconds', ${column})`;

function afterCursor(key: SQL, id: SQL, after: string | undefined): SQL | null {
  if (after === undefined) return null;
  const [at, lastId] = decodeBillingCursor(after);
  return sql`(${key}, ${id}) < (${at.toISOString()}::timestamptz, ${lastId}::text)`;
}

function toPage<Row extends { id: string }>(
  rows: Row[],
  limit: number,
  key: (row: Row) => Date,
  total: number,
): BillingPage<Row> {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    rows: page,
    nextCursor: rows.length > limit && last ? encodeBillingCursor(key(last), last.id) : null,
    total,
  };
}

// ---------------------------------------------------------------------------------------
// The overview.

export type BillingOverview = {
  /** Subscriptions per Stripe status, every status present (0 when none). */
  byStatus: Record<SubscriptionStatus, number>;
  /** Active subscriptions set to cancel at the end of their period (also counted as active). */
  canceling: number;
  /** Invoices Stripe tried and failed to collect that are still open or uncollectible. */
  failedPayments: number;
  /** Monthly recurring revenue now, per currency (active and past due), largest first. */
  mrr: Money[];
};

/** The billing page's and the dashboard's numbers, from the subscriptions' current state. */
export async function billingOverview(db: Db): Promise<BillingOverview> {
  const [statusRows, mrrRows, failedRows] = await Promise.all([
    queryRows<{ status: SubscriptionStatus; n: number; canceling: number }>(
      db,
      sql`SELECT s.status, count(*)::int AS n,
                 count(*) FILTER (WHERE s.cancel_at_period_end)::int AS canceling
          FROM subscriptions s GROUP BY s.status`,
    ),
    queryRows<{ currency: string; amount: number | string }>(
      db,
      sql`SELECT s.currency, sum(${MONTHLY_AMOUNT})::bigint AS amount
          FROM subscriptions s WHERE s.status IN (${REVENUE_STATUS_SQL})
          GROUP BY s.currency ORDER BY amount DESC, s.currency`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM invoices i
          WHERE i.attempt_count > 0 AND i.status IN ('open', 'uncollectible')`,
    ),
  ]);
  const byStatus = Object.fromEntries(
    schema.SUBSCRIPTION_STATUS_VALUES.map((status) => [status, 0]),
  ) as Record<SubscriptionStatus, number>;
  let canceling = 0;
  for (const row of statusRows) {
    if (row.status in byStatus) byStatus[row.status] = Number(row.n);
    if (row.status === "active") canceling = Number(row.canceling);
  }
  return {
    byStatus,
    canceling,
    failedPayments: Number(failedRows[0]?.n ?? 0),
    mrr: mrrRows.map((row) => ({ currency: row.currency, amount: Number(row.amount) })),
  };
}

// ---------------------------------------------------------------------------------------
// Subscribers.

/** The subscriber list's filter: a Stripe status, or "canceling" (active, ending at period end). */
export const SUBSCRIBER_FILTERS = [...schema.SUBSCRIPTION_STATUS_VALUES, "canceling"] as const;
export type SubscriberFilter = (typeof SUBSCRIBER_FILTERS)[number];

export type Subscriber = {
  /** Stripe's subscription id. */
  id: string;
  userId: string;
  email: string;
  tierSlug: string;
  tierName: string;
  status: SubscriptionStatus;
  interval: "month" | "year";
  /** Per interval, minor units. */
  amount: number;
  currency: string;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  pastDueSince: Date | null;
  /** When Stripe created the subscription (the list's order and page key). */
  createdAt: Date;
};

function subscriberFilterSql(status: SubscriberFilter | undefined): SQL {
  if (status === undefined) return sql`TRUE`;
  if (status === "canceling") return sql`s.status = 'active' AND s.cancel_at_period_end`;
  return sql`s.status = ${status}`;
}

/** Subscriptions with their member's e-mail, newest first, optionally of one status. */
export async function listSubscribers(
  db: Db,
  options: PageRequest & { status?: SubscriberFilter } = {},
): Promise<BillingPage<Subscriber>> {
  const limit = pageLimit(options.limit);
  const key = ms(sql`s.created_at`);
  const filter = subscriberFilterSql(options.status);
  const cursor = afterCursor(key, sql`s.id`, options.after);
  const [rows, [count]] = await Promise.all([
    queryRows<{
      id: string;
      user_id: string;
      email: string;
      tier_slug: string;
      tier_name: string;
      status: SubscriptionStatus;
      interval: "month" | "year";
      amount: number;
      currency: string;
      current_period_end: Date | string;
      cancel_at_period_end: boolean;
      past_due_since: Date | string | null;
      created_key: Date | string;
    }>(
      db,
      sql`SELECT s.id, s.user_id, u.email, s.tier_slug, t.name AS tier_name, s.status, s.interval,
                 s.amount, s.currency, s.current_period_end, s.cancel_at_period_end,
                 s.past_due_since, ${key} AS created_key
          FROM subscriptions s
          JOIN users u ON u.id = s.user_id
          JOIN tiers t ON t.slug = s.tier_slug
          WHERE ${filter} ${cursor ? sql`AND ${cursor}` : sql``}
          ORDER BY ${key} DESC, s.id DESC
          LIMIT ${limit + 1}`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM subscriptions s WHERE ${filter}`,
    ),
  ]);
  const subscribers = rows.map(
    (row): Subscriber => ({
      id: row.id,
      userId: row.user_id,
      email: row.email,
      tierSlug: row.tier_slug,
      tierName: row.tier_name,
      status: row.status,
      interval: row.interval,
      amount: Number(row.amount),
      currency: row.currency,
      currentPeriodEnd: toDate(row.current_period_end),
      cancelAtPeriodEnd: Boolean(row.cancel_at_period_end),
      pastDueSince: toDateOrNull(row.past_due_since),
      createdAt: toDate(row.created_key),
    }),
  );
  return toPage(subscribers, limit, (row) => row.createdAt, Number(count?.n ?? 0));
}

// ---------------------------------------------------------------------------------------
// Failed payments.

export type FailedPayment = {
  /** Stripe's invoice id. */
  id: string;
  userId: string;
  email: string;
  number: string | null;
  status: "open" | "uncollectible";
  amountDue: number;
  currency: string;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
  subscriptionId: string | null;
  /** The subscription's status now, when the invoice belongs to a known subscription. */
  subscriptionStatus: SubscriptionStatus | null;
  /** When Stripe created the invoice (the list's order and page key). */
  createdAt: Date;
};

const FAILED_PAYMENT = sql`i.attempt_count > 0 AND i.status IN ('open', 'uncollectible')`;

/** Invoices Stripe tried and failed to collect, still open or uncollectible, newest first. */
export async function listFailedPayments(
  db: Db,
  options: PageRequest = {},
): Promise<BillingPage<FailedPayment>> {
  const limit = pageLimit(options.limit);
  const key = ms(sql`i.created_at`);
  const cursor = afterCursor(key, sql`i.id`, options.after);
  const [rows, [count]] = await Promise.all([
    queryRows<{
      id: string;
      user_id: string;
      email: string;
      number: string | null;
      status: "open" | "uncollectible";
      amount_due: number;
      currency: string;
      attempt_count: number;
      hosted_invoice_url: string | null;
      subscription_id: string | null;
      subscription_status: SubscriptionStatus | null;
      created_key: Date | string;
    }>(
      db,
      sql`SELECT i.id, i.user_id, u.email, i.number, i.status, i.amount_due, i.currency,
                 i.attempt_count, i.hosted_invoice_url, i.subscription_id,
                 s.status AS subscription_status, ${key} AS created_key
          FROM invoices i
          JOIN users u ON u.id = i.user_id
          LEFT JOIN subscriptions s ON s.id = i.subscription_id
          WHERE ${FAILED_PAYMENT} ${cursor ? sql`AND ${cursor}` : sql``}
          ORDER BY ${key} DESC, i.id DESC
          LIMIT ${limit + 1}`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM invoices i WHERE ${FAILED_PAYMENT}`,
    ),
  ]);
  const payments = rows.map(
    (row): FailedPayment => ({
      id: row.id,
      userId: row.user_id,
      email: row.email,
      number: row.number,
      status: row.status,
      amountDue: Number(row.amount_due),
      currency: row.currency,
      attemptCount: Number(row.attempt_count),
      hostedInvoiceUrl: row.hosted_invoice_url,
      subscriptionId: row.subscription_id,
      subscriptionStatus: row.subscription_status,
      createdAt: toDate(row.created_key),
    }),
  );
  return toPage(payments, limit, (row) => row.createdAt, Number(count?.n ?? 0));
}

// ---------------------------------------------------------------------------------------
// Cancellations.

export type Cancellation = {
  /** Stripe's subscription id. */
  id: string;
  userId: string;
  email: string;
  tierSlug: string;
  tierName: string;
  /** Canceled (ended), or still running and set to end with the period paid for. */
  kind: "canceled" | "canceling";
  status: SubscriptionStatus;
  /**
   * When the cancellation was made (Stripe's canceled_at; for one at period end, when it
   * was asked for), or when we last saw the subscription change if Stripe gave none. The
   * list's order and page key.
   */
  canceledAt: Date;
  /** The end of the period paid for: when a cancellation at period end takes effect. */
  currentPeriodEnd: Date;
};

const CANCELLATION = sql`(s.status = 'canceled' OR s.cancel_at_period_end)`;

/** Subscriptions canceled or set to cancel at period end, most recent cancellation first. */
export async function listCancellations(
  db: Db,
  options: PageRequest = {},
): Promise<BillingPage<Cancellation>> {
  const limit = pageLimit(options.limit);
  const key = ms(sql`coalesce(s.canceled_at, s.updated_at)`);
  const cursor = afterCursor(key, sql`s.id`, options.after);
  const [rows, [count]] = await Promise.all([
    queryRows<{
      id: string;
      user_id: string;
      email: string;
      tier_slug: string;
      tier_name: string;
      status: SubscriptionStatus;
      canceled_key: Date | string;
      current_period_end: Date | string;
    }>(
      db,
      sql`SELECT s.id, s.user_id, u.email, s.tier_slug, t.name AS tier_name, s.status,
                 ${key} AS canceled_key, s.current_period_end
          FROM subscriptions s
          JOIN users u ON u.id = s.user_id
          JOIN tiers t ON t.slug = s.tier_slug
          WHERE ${CANCELLATION} ${cursor ? sql`AND ${cursor}` : sql``}
          ORDER BY ${key} DESC, s.id DESC
          LIMIT ${limit + 1}`,
    ),
    queryRows<{ n: number }>(
      db,
      sql`SELECT count(*)::int AS n FROM subscriptions s WHERE ${CANCELLATION}`,
    ),
  ]);
  const cancellations = rows.map(
    (row): Cancellation => ({
      id: row.id,
      userId: row.user_id,
      email: row.email,
      tierSlug: row.tier_slug,
      tierName: row.tier_name,
      kind: row.status === "canceled" ? "canceled" : "canceling",
      status: row.status,
      canceledAt: toDate(row.canceled_key),
      currentPeriodEnd: toDate(row.current_period_end),
    }),
  );
  return toPage(cancellations, limit, (row) => row.canceledAt, Number(count?.n ?? 0));
}

// ---------------------------------------------------------------------------------------
// Recurring revenue over time.

export type MrrSeries = {
  /** The UTC days, oldest first (today last), as YYYY-MM-DD. */
  days: string[];
  /**
   * Per currency that had revenue on any of the days, the monthly recurring revenue at the
   * end of each day (today: now), minor units, as in `days`.
   */
  series: { currency: string; values: number[] }[];
};

function checkDays(days: number): number {
  if (!Number.isInteger(days) || days < 1 || days > 3660) {
    throw new Error(`billing: ${days} is not a number of days (1–3660)`);
  }
  return days;
}

/**
 * Monthly recurring revenue at the end of each of the last `days` UTC days (today: at
 * `now`), per currency, from `subscription_changes`: at an instant, each subscription brings
 * the monthly amount of its latest change at or before that instant (the later of two at
 * the same instant: the one appended last), counted when that change's status is active
 * or past due. A subscription whose last change came before the window counts throughout.
 */
export async function mrrOverTime(
  db: Db,
  options: { now: Date; days?: number },
): Promise<MrrSeries> {
  const days = checkDays(options.days ?? 90);
  const now = sql`${options.now.toISOString()}::timestamptz`;
  const today = sql`(${now} AT TIME ZONE 'UTC')::date`;
  // Each change holds from its instant until the subscription's next change: [starts, ends).
  // A day's value is read at its last microsecond (timestamptz's resolution), today's at now.
  const rows = await queryRows<{ day: string; currency: string | null; amount: number | string }>(
    db,
    sql`WITH days AS (
          SELECT d::date AS day,
                 least((d + interval '1 day') AT TIME ZONE 'UTC' - interval '1 microsecond', ${now}) AS at
          FROM generate_series((${today} - ${days - 1}::int)::timestamp, ${today}::timestamp,
                               interval '1 day') AS d
        ),
        periods AS (
          SELECT c.status, c.monthly_amount, c.currency, c.at AS starts,
                 lead(c.at) OVER (PARTITION BY c.subscription_id ORDER BY c.at, c.id) AS ends
          FROM subscription_changes c
          WHERE c.at <= ${now}
        ),
        earning AS (
          SELECT p.* FROM periods p
          WHERE p.status IN (${REVENUE_STATUS_SQL})
            AND (p.ends IS NULL OR p.ends > (SELECT min(at) FROM days))
        )
        SELECT to_char(days.day, 'YYYY-MM-DD') AS day, e.currency,
               coalesce(sum(e.monthly_amount), 0)::bigint AS amount
        FROM days
        LEFT JOIN earning e ON e.starts <= days.at AND (e.ends IS NULL OR e.ends > days.at)
        GROUP BY days.day, e.currency
        ORDER BY days.day, e.currency`,
  );
  const dayList: string[] = [];
  const totals = new Map<string, Map<string, number>>();
  for (const row of rows) {
    if (dayList.at(-1) !== row.day) dayList.push(row.day);
    if (row.currency === null) continue;
    let perDay = totals.get(row.currency);
    if (!perDay) {
      perDay = new Map();
      totals.set(row.currency, perDay);
    }
    perDay.set(row.day, Number(row.amount));
  }
  return {
    days: dayList,
    series: [...totals.keys()].sort().map((currency) => ({
      currency,
      values: dayList.map((day) => totals.get(currency)?.get(day) ?? 0),
    })),
  };
}

// ---------------------------------------------------------------------------------------
// A member's billing history.

export type MemberSubscription = {
  id: string;
  tierSlug: string;
  tierName: string;
  status: SubscriptionStatus;
  interval: "month" | "year";
  amount: number;
  currency: string;
  currentPeriodStart: Date;
  currentPeriodEnd: Date;
  cancelAtPeriodEnd: boolean;
  canceledAt: Date | null;
  pastDueSince: Date | null;
  createdAt: Date;
};

export type MemberInvoice = {
  id: string;
  subscriptionId: string | null;
  status: string;
  number: string | null;
  amountDue: number;
  amountPaid: number;
  currency: string;
  attemptCount: number;
  hostedInvoiceUrl: string | null;
  invoicePdf: string | null;
  createdAt: Date;
  paidAt: Date | null;
};

export type MemberSubscriptionChange = {
  id: number;
  subscriptionId: string;
  at: Date;
  tierSlug: string;
  tierName: string;
  status: SubscriptionStatus;
  monthlyAmount: number;
  currency: string;
  cancelAtPeriodEnd: boolean;
};

export type MemberBilling = {
  stripeCustomerId: string | null;
  /** Newest first. */
  subscriptions: MemberSubscription[];
  /** Newest first, at most `limit`. */
  invoices: MemberInvoice[];
  /** Newest first, at most `limit`. */
  changes: MemberSubscriptionChange[];
};

/** Everything billing knows about one member, for the admin's member page. */
export async function loadMemberBilling(
  db: Db,
  userId: string,
  options: { limit?: number } = {},
): Promise<MemberBilling> {
  const limit = pageLimit(options.limit ?? 100);
  const s = schema.subscriptions;
  const i = schema.invoices;
  const c = schema.subscriptionChanges;
  const [user, subscriptions, invoices, changes] = await Promise.all([
    db
      .select({ stripeCustomerId: schema.users.stripeCustomerId })
      .from(schema.users)
      .where(eq(schema.users.id, userId)),
    db
      .select({
        id: s.id,
        tierSlug: s.tierSlug,
        tierName: schema.tiers.name,
        status: s.status,
        interval: s.interval,
        amount: s.amount,
        currency: s.currency,
        currentPeriodStart: s.currentPeriodStart,
        currentPeriodEnd: s.currentPeriodEnd,
        cancelAtPeriodEnd: s.cancelAtPeriodEnd,
        canceledAt: s.canceledAt,
        pastDueSince: s.pastDueSince,
        createdAt: s.createdAt,
      })
      .from(s)
      .innerJoin(schema.tiers, eq(schema.tiers.slug, s.tierSlug))
      .where(eq(s.userId, userId))
      .orderBy(desc(s.createdAt), desc(s.id)),
    db
      .select({
        id: i.id,
        subscriptionId: i.subscriptionId,
        status: i.status,
        number: i.number,
        amountDue: i.amountDue,
        amountPaid: i.amountPaid,
        currency: i.currency,
        attemptCount: i.attemptCount,
        hostedInvoiceUrl: i.hostedInvoiceUrl,
        invoicePdf: i.invoicePdf,
        createdAt: i.createdAt,
        paidAt: i.paidAt,
      })
      .from(i)
      .where(eq(i.userId, userId))
      .orderBy(desc(i.createdAt), desc(i.id))
      .limit(limit),
    db
      .select({
        id: c.id,
        subscriptionId: c.subscriptionId,
        at: c.at,
        tierSlug: c.tierSlug,
        tierName: sql<string>`coalesce(${schema.tiers.name}, ${c.tierSlug})`,
        status: c.status,
        monthlyAmount: c.monthlyAmount,
        currency: c.currency,
        cancelAtPeriodEnd: c.cancelAtPeriodEnd,
      })
      .from(c)
      .leftJoin(schema.tiers, eq(schema.tiers.slug, c.tierSlug))
      .where(eq(c.userId, userId))
      .orderBy(desc(c.at), desc(c.id))
      .limit(limit),
  ]);
  return {
    stripeCustomerId: user[0]?.stripeCustomerId ?? null,
    subscriptions,
    invoices,
    changes,
  };
}

// ---------------------------------------------------------------------------------------
// Settings.

/** The past-due grace period admins may set, in days (decision 022), and its default. */
export const PAST_DUE_GRACE_DAYS = {
  min: 0,
  max: 60,
  default: DEFAULT_PAST_DUE_GRACE_MS / 86_400_000,
} as const;

export type BillingSettings = {
  /** Days a past-due subscription keeps access while Stripe retries. */
  pastDueGraceDays: number;
  /** When an admin last changed them; null when never saved. */
  updatedAt: Date | null;
};

/** The billing settings (the defaults when the row is missing). */
export async function getBillingSettings(db: Db | Tx): Promise<BillingSettings> {
  const [row] = await db
    .select({
      pastDueGraceDays: schema.billingSettings.pastDueGraceDays,
      updatedAt: schema.billingSettings.updatedAt,
    })
    .from(schema.billingSettings)
    .where(eq(schema.billingSettings.id, 1));
  return row ?? { pastDueGraceDays: PAST_DUE_GRACE_DAYS.default, updatedAt: null };
}

export class InvalidBillingSettingsError extends Error {
  constructor(
    readonly field: keyof BillingSettings,
    message: string,
  ) {
    super(message);
    this.name = "InvalidBillingSettingsError";
  }
}

/**
 * Saves the billing settings inside the caller's transaction (which records the audit entry
 * with the answer's before and after), the row locked until it commits. A grace outside
 * 0–60 whole days throws InvalidBillingSettingsError and changes nothing.
 */
export async function updateBillingSettings(
  tx: Tx,
  input: { pastDueGraceDays: number },
): Promise<{ before: BillingSettings; after: BillingSettings; changed: boolean }> {
  const days = input.pastDueGraceDays;
  if (!Number.isInteger(days) || days < PAST_DUE_GRACE_DAYS.min || days > PAST_DUE_GRACE_DAYS.max) {
    throw new InvalidBillingSettingsError(
      "pastDueGraceDays",
      `The past-due grace period is a whole number of days from ${PAST_DUE_GRACE_DAYS.min} to ${PAST_DUE_GRACE_DAYS.max}`,
    );
  }
  const [locked] = await tx
    .select({
      pastDueGraceDays: schema.billingSettings.pastDueGraceDays,
      updatedAt: schema.billingSettings.updatedAt,
    })
    .from(schema.billingSettings)
    .where(eq(schema.billingSettings.id, 1))
    .for("update");
  const before = locked ?? { pastDueGraceDays: PAST_DUE_GRACE_DAYS.default, updatedAt: null };
  const [saved] = await tx
    .insert(schema.billingSettings)
    .values({ id: 1, pastDueGraceDays: days, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: schema.billingSettings.id,
      set: { pastDueGraceDays: days, updatedAt: new Date() },
    })
    .returning({
      pastDueGraceDays: schema.billingSettings.pastDueGraceDays,
      updatedAt: schema.billingSettings.updatedAt,
    });
  if (!saved) throw new Error("billing settings: the upsert returned no row");
  return { before, after: saved, changed: before.pastDueGraceDays !== saved.pastDueGraceDays };
}
