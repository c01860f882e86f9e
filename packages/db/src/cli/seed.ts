import { openDatabaseFromEnv } from "../client.ts";
import { seedDemoContent } from "../seed/index.ts";

const handle = await openDatabaseFromEnv();
try {
  await handle.migrate();
  const summary = await seedDemoContent(handle.db);
  console.log(
    `Seeded ${summary.tiers} tiers, ${summary.profiles} profiles and ${summary.articles} articles (${handle.driver}: ${handle.location}).`,
  );
} finally {
  await handle.close();
}
