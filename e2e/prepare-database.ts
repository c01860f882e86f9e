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
 *   Circle (current and left), Leadership Alliance (approved, or by a live, expired or
 *   revoked grant), applications pending, needing information and rejected, editor, admin,
 *   owner. The pending application's statement carries a canary of its own, private to its
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
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { hashPassword } from "../packages/auth/src/password.ts";
import { createSession } from "../packages/auth/src/session.ts";
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
  };
  const kinds: Record<string, Kind> = {
    member: { role: "member" },
    unverified: { role: "member", verified: false },
    "strategic-circle": { role: "member", join: { tier: "strategic-circle" } },
    "left-strategic-circle": { role: "member", join: { tier: "strategic-circle", left: true } },
    "leadership-alliance": { role: "member", application: "approved" },
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
