import { sql } from "drizzle-orm";
import { hashPassword } from "../../packages/auth/src/password.ts";
import { createSession } from "../../packages/auth/src/session.ts";
import { openDatabase, queryRows } from "../../packages/db/src/client.ts";
import type { Target } from "./dataset.ts";

const EMAIL = "leadership-alliance@bench.example.test";

/**
 * A signed-in Leadership Alliance member for the benchmark: a verified account with an
 * approved application, the paid subscription Stripe's webhook would have stored, and a
 * fresh session, made before the server starts (PGlite admits
 * one process). Returns the session cookie. Made again on every run.
 */
export async function prepareBenchMember(target: Target): Promise<string> {
  const handle =
    target.kind === "pglite"
      ? await openDatabase({ dataDir: target.dataDir })
      : await openDatabase({ url: target.url, maxConnections: 1 });
  try {
    await handle.db.execute(sql`DELETE FROM users WHERE email = ${EMAIL}`);
    const [user] = await queryRows<{ id: string }>(
      handle.db,
      sql`INSERT INTO users (email, password_hash, email_verified_at)
          VALUES (${EMAIL}, ${await hashPassword(`bench-${Date.now()}-not-for-sign-in`)}, now())
          RETURNING id`,
    );
    if (!user) throw new Error("could not create the benchmark member");
    await handle.db.execute(sql`
      INSERT INTO applications (user_id, tier_slug, status, organisation, website, role_title,
                                evidence, statement, decided_at)
      VALUES (${user.id}, 'leadership-alliance', 'approved', 'Bench Networks', 'https://bench.example',
              'Owner', '{"asns":["AS8075"],"prefixes":[],"handles":[]}'::jsonb,
              'The benchmark''s member.', now())`);
    await handle.db.execute(sql`
      INSERT INTO subscriptions (id, user_id, tier_slug, status, interval, price_id,
        current_period_start, current_period_end, amount, currency, created_at)
      VALUES (${`sub_bench_${Date.now()}`}, ${user.id}, 'leadership-alliance', 'active', 'year',
              'price_bench_year', now(), now() + interval '365 days', 49000, 'usd', now())`);
    const { token } = await createSession(handle.db, user.id, { userAgent: "briefings-bench" });
    return `briefings_session=${token}`;
  } finally {
    await handle.close();
  }
}
