import { exportAccountData } from "@briefings/auth";
import { PRIVATE_NO_STORE, requireUser } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import { notFound } from "#app/lib/http.server.ts";
import type { Route } from "./+types/export";

/** Everything stored about the signed-in member, as a JSON download (GDPR access/portability). */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { user } = requireUser(context, request);
  const exported = await exportAccountData(await db(), user.id);
  if (!exported) notFound("This account no longer exists.");
  return new Response(`${JSON.stringify(exported, null, 2)}\n`, {
    headers: {
      ...PRIVATE_NO_STORE,
      "Content-Type": "application/json; charset=utf-8",
      "Content-Disposition": 'attachment; filename="briefings-account-export.json"',
    },
  });
}
