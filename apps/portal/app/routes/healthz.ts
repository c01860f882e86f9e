import { ping } from "@briefings/db/client";
import { db } from "#app/lib/db.server.ts";

export async function loader() {
  await ping(await db());
  return new Response("ok", {
    headers: { "Content-Type": "text/plain", "Cache-Control": "no-store" },
  });
}
