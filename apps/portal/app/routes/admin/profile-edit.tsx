import { requireRole, STAFF_ROLES } from "#app/lib/auth.server.ts";
import type { Route } from "./+types/profile-edit";

export function loader({ request, context }: Route.LoaderArgs) {
  requireRole(context, request, STAFF_ROLES.admin);
  return null;
}

export default function Placeholder() {
  return null;
}
