/**
 * Prepares an end-to-end server's database before it starts: migrations, the demo
 * content, canaries, and one signed-in account per kind of viewer.
 *
 * - A canary in every gated place (briefing bodies, source notes, sealed text), one per
 *   gate, so the specs can prove no canary reaches a viewer the gate does not admit.
 * - The leak matrix's own canaries: one briefing per gate (public, members, Strategic
 *   Circle, Leadership Alliance) on the seed profile and on the seed article, each with a
 *   unique string, so a spec can say exactly which responses must carry which string.
 * - Fixture accounts with sessions, one per kind of viewer: member, unverified, Strategic
 *   Circle (current and left), Leadership Alliance (approved and subscribed, approved and
 *   unpaid, or by a live, expired or revoked grant), subscribers in every state that
 *   matters (active, past due within and after the grace, cancelled, cancelling at period
 *   end), applications pending, needing information and rejected, editor, admin, owner. The pending application's statement carries a canary of its own, private to its
 *   applicant and the reviewers. Their session tokens and passwords are written to
 *   test-results/e2e-fixtures-<target>.json for the specs; they exist only in this
 *   throwaway database.
 *
 * The canaries live in the data, never in the application's code.
 *
 * Usage: tsx e2e/prepare-database.ts
 *   E2E_TARGET=pglite   PGLITE_DIR=<folder>       (the default)
 *   E2E_TARGET=postgres DATABASE_URL=<url>         (the database is created if missing)
 *   E2E_CANARY=<string> always
 *   STRIPE_SECRET_KEY, STRIPE_API_URL: when set (the fake Stripe of the run), the paid tiers'
 *   Stripe prices are made there first, as `npm run billing:prices` would.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { hashPassword } from "../packages/auth/src/password.ts";
import { createSession } from "../packages/auth/src/session.ts";
import { createStripe } from "../packages/billing/src/client.ts";
import { readBillingEnv } from "../packages/billing/src/env.ts";
import { ensureStripePrices } from "../packages/billing/src/prices.ts";
import { openDatabase, queryRows } from "../packages/db/src/client.ts";
import { seedDemoContent } from "../packages/db/src/seed/index.ts";

const target = process.env.E2E_TARGET ?? "pglite";
const canary = process.env.E2E_CANARY;
if (!canary) throw new Error("E2E_CANARY must be set");

export const SEED_PROFILE = "microsofts-worldwide-ban-facial-recognition-out-of-azure-openai";

async function open() {
  if (target === "postgres") {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL must be set for E2E_TARGET=postgres");
    const name = new URL(url).pathname.slice(1);
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name "${name}"`);
    const server = new URL(url);
    server.pathname = "/postgres";
    const admin = postgres(server.toString(), { max: 1, onnotice: () => {} });
    try {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.unsafe(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end({ timeout: 5 });
    }
    return openDatabase({ url, maxConnections: 2 });
  }
  const dataDir = process.env.PGLITE_DIR;
  if (!dataDir) throw new Error("PGLITE_DIR must be set");
  return openDatabase({ dataDir });
}

const handle = await open();
try {
  await handle.migrate();
  await seedDemoContent(handle.db);
  const db = handle.db;
  const stripe = createStripe(readBillingEnv());
  if (stripe) await ensureStripePrices(db, stripe);

  // `<canary>-<gate>`: e.g. CANARY…-members, CANARY…-tier-strategic-circle.
  const gateCanary = sql`${canary} || '-' || gate_kind || coalesce('-' || gate_tier, '')`;
  const [row] = await queryRows<{ planted: number }>(
    db,
    sql`
    WITH planted AS (
      UPDATE briefings SET
        -- Sealed-only text stays sealed-only: its canary goes into the ciphertext.
        body = CASE WHEN body = '' AND sealed_ciphertext IS NOT NULL THEN body
                    ELSE body || E'\n\n' || ${gateCanary} END,
        sources = sources || jsonb_build_array(jsonb_build_object(
          'title', ${gateCanary}, 'url', NULL, 'note', ${gateCanary})),
        sealed_ciphertext = CASE WHEN sealed_ciphertext IS NULL THEN NULL
                                 ELSE sealed_ciphertext || ${gateCanary} END
      WHERE gate_kind <> 'public'
      RETURNING 1
    )
    SELECT count(*)::int AS planted FROM planted`,
  );
  const planted = row?.planted ?? 0;

  // The positive control: a public briefing on the seed profile whose text every reader
  // must receive, so a crawl proves it would see planted text where it is allowed.
  const control = canary.replace(/^CANARY/, "CONTROL");
  await db.execute(sql`
    INSERT INTO briefings (profile_id, kind, label, title, gate_kind, position, body)
    SELECT id, 'analysis', 'Public note', 'Open analysis', 'public', 10, ${control}
    FROM profiles WHERE slug = ${SEED_PROFILE}`);

  // The matrix canaries: one briefing per gate on the seed profile and the seed article.
  const suffix = canary.replace(/^CANARY-/, "");
  const gates = {
    public: { kind: "public", tier: null },
    members: { kind: "members", tier: null },
    "strategic-circle": { kind: "tier", tier: "strategic-circle" },
    "leadership-alliance": { kind: "tier", tier: "leadership-alliance" },
  } as const;
  const matrix: Record<string, string> = {};
  let position = 20;
  for (const [gate, { kind, tier }] of Object.entries(gates)) {
    const text = `MATRIX-${gate}-${suffix}`;
    matrix[gate] = text;
    position += 1;
    const sources = JSON.stringify([{ title: `Source ${text}`, url: null, note: text }]);
    await db.execute(sql`
      INSERT INTO briefings (profile_id, kind, label, title, gate_kind, gate_tier, position, body, sources)
      SELECT id, 'analysis', 'Matrix note', 'Matrix analysis', ${kind}, ${tier}, ${position},
             ${`Matrix briefing body: ${text}`}, ${sources}::jsonb
      FROM profiles WHERE slug = ${SEED_PROFILE}`);
    await db.execute(sql`
      INSERT INTO briefings (article_id, kind, label, title, gate_kind, gate_tier, position, body, sources)
      SELECT id, 'analysis', 'Matrix note', 'Matrix analysis', ${kind}, ${tier}, ${position},
             ${`Matrix briefing body: ${text}`}, ${sources}::jsonb
      FROM articles WHERE is_demo = false ORDER BY published_date_time DESC LIMIT 1`);
  }
  const [seedProfileRow] = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM profiles WHERE slug = ${SEED_PROFILE}`,
  );
  const [seedArticle] = await queryRows<{ slug: string }>(
    db,
    sql`SELECT slug FROM articles WHERE is_demo = false ORDER BY published_date_time DESC LIMIT 1`,
  );

  // One account per kind of viewer, each signed in once.
  const password = `e2e-${randomBytes(12).toString("hex")}`;
  const passwordHash = await hashPassword(password);
  // Each kind: role, verified or not, tier joins (with an end for one that left), the
  // latest Leadership Alliance application, and grants (live, expired, revoked).
  type Kind = {
    role: "member" | "editor" | "admin" | "owner";
    verified?: false;
    join?: { tier: string; left?: true };
    application?: "pending" | "approved" | "rejected" | "needs-info";
    grant?: { tier: string; state: "live" | "expired" | "revoked" };
    /** A Leadership Alliance subscription as Stripe's webhook would have stored it. */
    subscription?: {
      status: "active" | "past_due" | "canceled";
      interval: "month" | "year";
      pastDueDays?: number;
      cancelAtPeriodEnd?: true;
    };
  };
  const kinds: Record<string, Kind> = {
    member: { role: "member" },
    unverified: { role: "member", verified: false },
    "strategic-circle": { role: "member", join: { tier: "strategic-circle" } },
    "left-strategic-circle": { role: "member", join: { tier: "strategic-circle", left: true } },
    "leadership-alliance": {
      role: "member",
      application: "approved",
      subscription: { status: "active", interval: "year" },
    },
    // Approved, never paid: approval alone opens nothing.
    "approved-unpaid": { role: "member", application: "approved" },
    subscriber: {
      role: "member",
      application: "approved",
      subscription: { status: "active", interval: "month" },
    },
    "subscriber-past-due": {
      role: "member",
      application: "approved",
      subscription: { status: "past_due", interval: "month", pastDueDays: 2 },
    },
    "subscriber-lapsed": {
      role: "member",
      application: "approved",
      subscription: { status: "past_due", interval: "month", pastDueDays: 10 },
    },
    "subscriber-canceled": {
      role: "member",
      application: "approved",
      subscription: { status: "canceled", interval: "month" },
    },
    "subscriber-canceling": {
      role: "member",
      application: "approved",
      subscription: { status: "active", interval: "month", cancelAtPeriodEnd: true },
    },
    "leadership-alliance-by-grant": {
      role: "member",
      grant: { tier: "leadership-alliance", state: "live" },
    },
    "expired-grant": { role: "member", grant: { tier: "leadership-alliance", state: "expired" } },
    "revoked-grant": { role: "member", grant: { tier: "leadership-alliance", state: "revoked" } },
    "application-pending": { role: "member", application: "pending" },
    "application-needs-info": { role: "member", application: "needs-info" },
    "application-rejected": { role: "member", application: "rejected" },
    editor: { role: "editor" },
    admin: { role: "admin" },
    owner: { role: "owner" },
  };
  /**
   * A subscription, its history and its latest invoice, as the webhook would have stored
   * them: started 40 days ago; past due for `pastDueDays`; a cancelled one ended 5 days ago.
   */
  async function subscribe(
    userId: string,
    name: string,
    spec: NonNullable<Kind["subscription"]>,
  ): Promise<void> {
    const [tier] = await queryRows<{ monthly: number; yearly: number; currency: string }>(
      db,
      sql`SELECT price_monthly AS monthly, price_yearly AS yearly, currency
          FROM tiers WHERE slug = 'leadership-alliance'`,
    );
    if (!tier) throw new Error("no Leadership Alliance tier");
    const amount = spec.interval === "month" ? tier.monthly : tier.yearly;
    const monthly = spec.interval === "month" ? amount : Math.round(amount / 12);
    const id = `sub_fixture_${name.replace(/-/g, "_")}`;
    const customer = `cus_fixture_${name.replace(/-/g, "_")}`;
    await db.execute(sql`UPDATE users SET stripe_customer_id = ${customer} WHERE id = ${userId}`);
    const ended = spec.status === "canceled";
    const period = spec.interval === "month" ? sql`interval '30 days'` : sql`interval '365 days'`;
    await db.execute(sql`
      INSERT INTO subscriptions (id, user_id, tier_slug, status, interval, price_id,
        current_period_start, current_period_end, cancel_at_period_end, canceled_at,
        past_due_since, amount, currency, created_at)
      VALUES (${id}, ${userId}, 'leadership-alliance', ${spec.status}, ${spec.interval},
        ${`price_fixture_${spec.interval}`},
        ${ended ? sql`now() - interval '35 days'` : sql`now() - interval '10 days'`},
        ${ended ? sql`now() - interval '5 days'` : sql`now() - interval '10 days' + ${period}`},
        ${spec.cancelAtPeriodEnd ?? false},
        ${ended ? sql`now() - interval '5 days'` : spec.cancelAtPeriodEnd ? sql`now() - interval '1 day'` : sql`NULL`},
        ${spec.pastDueDays === undefined ? sql`NULL` : sql`now() - ${spec.pastDueDays} * interval '1 day'`},
        ${amount}, ${tier.currency}, now() - interval '40 days')`);
    // The history the syncs would have written: started active, then its later state.
    await db.execute(sql`
      INSERT INTO subscription_changes (subscription_id, user_id, at, tier_slug, status,
        monthly_amount, currency, cancel_at_period_end)
      VALUES (${id}, ${userId}, now() - interval '40 days', 'leadership-alliance', 'active',
        ${monthly}, ${tier.currency}, false)`);
    if (spec.status !== "active" || spec.cancelAtPeriodEnd)
      await db.execute(sql`
        INSERT INTO subscription_changes (subscription_id, user_id, at, tier_slug, status,
          monthly_amount, currency, cancel_at_period_end)
        VALUES (${id}, ${userId},
          now() - ${spec.pastDueDays ?? (ended ? 5 : 1)} * interval '1 day',
          'leadership-alliance', ${spec.status}, ${monthly}, ${tier.currency},
          ${spec.cancelAtPeriodEnd ?? false})`);
    const failed = spec.status === "past_due";
    await db.execute(sql`
      INSERT INTO invoices (id, user_id, subscription_id, status, number, amount_due, amount_paid,
        currency, attempt_count, billing_reason, hosted_invoice_url, created_at, paid_at)
      VALUES (${`in_fixture_${name.replace(/-/g, "_")}`}, ${userId}, ${id},
        ${failed ? "open" : "paid"}, ${`FIX-${name.toUpperCase()}`}, ${amount},
        ${failed ? 0 : amount}, ${tier.currency}, 1,
        ${failed ? "subscription_cycle" : "subscription_create"},
        ${`https://invoice.stripe.test/i/${name}`},
        now() - ${failed ? (spec.pastDueDays ?? 0) : 10} * interval '1 day',
        ${failed ? sql`NULL` : sql`now() - interval '10 days'`})`);
  }

  // Private to the applicant and the reviewers: planted in the pending application's statement.
  const applicationCanary = `APPLICATION-${suffix}`;
  const users: Record<string, { id: string; email: string; password: string; token: string }> = {};
  let pendingApplicationId = "";
  for (const [name, spec] of Object.entries(kinds)) {
    const email = `${name}@fixtures.example.test`;
    const [user] = await queryRows<{ id: string }>(
      db,
      sql`INSERT INTO users (email, password_hash, role, email_verified_at)
          VALUES (${email}, ${passwordHash}, ${spec.role},
                  ${spec.verified === false ? sql`NULL` : sql`now()`}) RETURNING id`,
    );
    if (!user) throw new Error("user insert returned nothing");
    if (spec.join) {
      await db.execute(
        sql`INSERT INTO tier_joins (user_id, tier_slug, joined_at, left_at)
            VALUES (${user.id}, ${spec.join.tier}, now() - interval '10 days',
                    ${spec.join.left ? sql`now() - interval '1 day'` : sql`NULL`})`,
      );
    }
    if (spec.application) {
      const decided = spec.application === "approved" || spec.application === "rejected";
      const statement =
        spec.application === "pending"
          ? `A fixture organisation that holds address space. ${applicationCanary}`
          : "A fixture organisation that holds address space.";
      const [application] = await queryRows<{ id: string }>(
        db,
        sql`INSERT INTO applications (user_id, tier_slug, status, organisation, website, role_title,
                                      evidence, statement, reviewer_message, decided_at)
            VALUES (${user.id}, 'leadership-alliance', ${spec.application}, ${`Fixture Networks (${name})`},
                    'https://fixture.example', 'Chief Executive',
                    '{"asns":["AS8075"],"prefixes":["8.8.8.0/24"],"handles":["ORG-FIX1-RIPE"]}'::jsonb,
                    ${statement},
                    ${spec.application === "pending" || spec.application === "approved" ? null : "Please tell us more."},
                    ${decided ? sql`now()` : sql`NULL`})
            RETURNING id`,
      );
      if (spec.application === "pending") pendingApplicationId = application?.id ?? "";
    }
    if (spec.grant) {
      const period = {
        live: sql`now() - interval '1 day', now() + interval '30 days', NULL`,
        expired: sql`now() - interval '30 days', now() - interval '1 day', NULL`,
        revoked: sql`now() - interval '1 day', now() + interval '30 days', now() - interval '1 hour'`,
      }[spec.grant.state];
      await db.execute(
        sql`INSERT INTO tier_grants (user_id, tier_slug, starts_at, ends_at, revoked_at, reason)
            VALUES (${user.id}, ${spec.grant.tier}, ${period}, 'Fixture grant')`,
      );
    }
    if (spec.subscription) await subscribe(user.id, name, spec.subscription);
    const { token } = await createSession(db, user.id, { userAgent: "e2e fixture" });
    users[name] = { id: user.id, email, password, token };
  }

  const out = path.resolve(import.meta.dirname, "..", "test-results");
  mkdirSync(out, { recursive: true });
  if (target === "pglite") {
    writeFileSync(path.join(out, "e2e-canary.json"), JSON.stringify({ canary, planted, control }));
  }
  writeFileSync(
    path.join(out, `e2e-fixtures-${target}.json`),
    JSON.stringify(
      {
        canary,
        control,
        planted,
        matrix,
        users,
        seedProfile: SEED_PROFILE,
        seedProfileId: seedProfileRow?.id,
        seedArticle: seedArticle?.slug,
        pendingApplicationId,
        applicationCanary,
      },
      null,
      2,
    ),
  );
  console.log(
    `${target}: planted the canary in ${planted} gated briefings; ${Object.keys(users).length} fixture accounts`,
  );
} finally {
  await handle.close();
}
