import { activeTierSlugs, csvRow } from "@briefings/core";
import { listMembersForExport, listTiers, recordAudit } from "@briefings/db/queries";
import { auditActor, requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import { db } from "#app/lib/db.server.ts";
import type { Route } from "./+types/members-export";
import { parseMemberFilters } from "./members-filters.server.ts";

const HEADER = [
  "id",
  "email",
  "role",
  "email_verified",
  "signed_up",
  "tiers",
  "applications",
] as const;

/**
 * Members as CSV, for admins: tiers held now and the latest application per tier. Every
 * member, or those the member list's filters (the same query string) select.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  const database = await db();
  const { search } = parseMemberFilters(new URL(request.url), await listTiers(database));
  // The whole selection, not a page of it.
  const { after: _page, ...filters } = search;
  const members = await listMembersForExport(database, filters);
  // Every member's address leaving the system is an action worth a record: who, what, when.
  await recordAudit(database, auditActor(context), {
    action: "members.export",
    targetType: "members",
    targetId: "export",
    after: { filters: JSON.parse(JSON.stringify(filters)), rows: members.length },
  });
  const now = new Date();
  const lines = [csvRow([...HEADER])];
  for (const member of members) {
    lines.push(
      csvRow([
        member.id,
        member.email,
        member.role,
        member.emailVerifiedAt !== null,
        member.createdAt,
        activeTierSlugs(member.sources, now).join(" "),
        Object.entries(member.applications)
          .map(([tier, status]) => `${tier}:${status}`)
          .join(" "),
      ]),
    );
  }
  return new Response(lines.join(""), {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="briefings-members-${now.toISOString().slice(0, 10)}.csv"`,
      "Cache-Control": "private, no-store",
    },
  });
}
