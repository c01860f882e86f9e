/**
 * Prepares the end-to-end server's database before it starts: migrations, the demo
 * content, then a canary planted in every gated place (briefing bodies, source notes,
 * sealed text), one per gate, so the specs can prove no canary reaches a viewer the gate
 * does not admit. The canary lives in the data, never in the application's code.
 *
 * Usage: tsx e2e/prepare-database.ts  (reads PGLITE_DIR and E2E_CANARY)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDatabase, queryRows } from "../packages/db/src/client.ts";
import { seedDemoContent } from "../packages/db/src/seed/index.ts";

const dataDir = process.env.PGLITE_DIR;
const canary = process.env.E2E_CANARY;
if (!dataDir || !canary) throw new Error("PGLITE_DIR and E2E_CANARY must be set");

const handle = await openDatabase({ dataDir });
try {
  await handle.migrate();
  await seedDemoContent(handle.db);
  // `<canary>-<gate>`: e.g. CANARY…-members, CANARY…-tier-strategic-circle.
  const gateCanary = sql`${canary} || '-' || gate_kind || coalesce('-' || gate_tier, '')`;
  const [row] = await queryRows<{ planted: number }>(
    handle.db,
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
  // must receive, so the crawl proves it would see planted text where it is allowed.
  const control = canary.replace(/^CANARY/, "CONTROL");
  await handle.db.execute(sql`
    INSERT INTO briefings (profile_id, kind, label, title, gate_kind, position, body)
    SELECT id, 'analysis', 'Public note', 'Open analysis', 'public', 10, ${control}
    FROM profiles WHERE slug = 'microsofts-worldwide-ban-facial-recognition-out-of-azure-openai'`);
  const out = path.resolve(import.meta.dirname, "..", "test-results");
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, "e2e-canary.json"), JSON.stringify({ canary, planted, control }));
  console.log(`planted the canary in ${planted} gated briefings`);
} finally {
  await handle.close();
}
