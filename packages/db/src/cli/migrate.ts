import { openDatabaseFromEnv } from "../client.ts";

const handle = await openDatabaseFromEnv();
try {
  await handle.migrate();
  console.log(`Migrations applied (${handle.driver}: ${handle.location}).`);
} finally {
  await handle.close();
}
