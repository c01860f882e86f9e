// `npm run bench:sign-in`: how long signing in takes, and whether a wrong password and an
// unknown address take the same time (they must: the answer may not reveal who has an
// account).
//
//   npm run bench:sign-in -- [--rounds N] [--database-url postgres://…]
//
// Runs the real sign-in service (rate limits, argon2id verification, session creation)
// against a fresh in-memory PGlite database, or a Postgres database the URL names (its name
// must contain "bench"; tables are created by the migrations, the accounts made here are
// removed afterwards). Prints p50/p95/max per case, then one line of JSON.
import { parseArgs } from "node:util";
import { sql } from "drizzle-orm";
import {
  type AccountDeps,
  createAuthRateLimits,
  hashPassword,
  signIn,
} from "../packages/auth/src/index.ts";
import { openDatabase } from "../packages/db/src/client.ts";

const { values } = parseArgs({
  options: { rounds: { type: "string" }, "database-url": { type: "string" } },
});
const rounds = Number(values.rounds ?? 30);
const url = values["database-url"];
if (url && !/bench/.test(new URL(url).pathname)) {
  console.error('--database-url must name a database whose name contains "bench"');
  process.exit(2);
}

const handle = url
  ? await openDatabase({ url, maxConnections: 4 })
  : await openDatabase({ dataDir: "memory://" });
await handle.migrate();
const { db } = handle;
const email = `sign-in-bench-${Date.now()}@bench.example.test`;
const password = "correct horse battery staple 42";
await db.execute(sql`INSERT INTO users (email, password_hash, email_verified_at)
  VALUES (${email}, ${await hashPassword(password)}, now())`);
const deps: AccountDeps = {
  db,
  mailer: { send: async () => {} },
  // Generous limits: this measures the work, not the refusals.
  limits: createAuthRateLimits(db, {
    signInPerIp: { points: 100_000, duration: 60 },
    signInPerAccount: { points: 100_000, duration: 60 },
  }),
  appUrl: "http://localhost:3000",
};

async function time(run: () => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  await run(); // warm-up
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

const pick = (sorted: number[], p: number) =>
  Math.round(
    (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0) * 10,
  ) / 10;

const meta = { ipAddress: "192.0.2.1", userAgent: "bench" };
const cases = {
  "correct password (new session)": () => signIn(deps, { email, password }, meta),
  "wrong password": () => signIn(deps, { email, password: "not the password at all" }, meta),
  "unknown address": () =>
    signIn(deps, { email: "nobody@bench.example.test", password: "whatever it is" }, meta),
};
const results: Record<string, { p50: number; p95: number; max: number }> = {};
try {
  for (const [name, run] of Object.entries(cases)) {
    const samples = await time(run);
    results[name] = { p50: pick(samples, 50), p95: pick(samples, 95), max: pick(samples, 100) };
  }
} finally {
  await db.execute(sql`DELETE FROM users WHERE email = ${email}`);
  await handle.close();
}
console.log(`Sign-in on ${url ? "Postgres" : "PGlite (in memory)"}, ${rounds} rounds each (ms):`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(32)} p50 ${String(r.p50).padStart(6)}  p95 ${String(r.p95).padStart(6)}  max ${String(r.max).padStart(6)}`,
  );
}
console.log(JSON.stringify({ driver: url ? "postgres" : "pglite", rounds, results }));
