import { publishDueProfiles } from "@briefings/db/queries";
import { db } from "./db.server.ts";
import { logger } from "./logger.server.ts";
import { publicContentChanged } from "./public-cache.server.ts";

/** How often scheduled profiles are checked: a profile goes live at most this late. */
const INTERVAL_MS = 15_000;

let timer: NodeJS.Timeout | null = null;
let running: Promise<void> | null = null;

async function publishDue(): Promise<void> {
  try {
    const published = await publishDueProfiles(await db());
    if (published.length > 0) {
      publicContentChanged();
      logger.info({ profiles: published }, "published scheduled profiles");
    }
  } catch (error) {
    logger.error({ err: error }, "could not publish scheduled profiles");
  }
}

/** Publishes scheduled profiles when their time comes, now and every few seconds. */
export function startScheduler(): void {
  if (timer) return;
  const tick = () => {
    if (!running) running = publishDue().finally(() => (running = null));
  };
  tick();
  timer = setInterval(tick, INTERVAL_MS);
  timer.unref();
}

/** Stops the timer and waits for a run in progress, before the database closes. */
export async function stopScheduler(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = null;
  await running;
}
