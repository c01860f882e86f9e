import type { ReactNode } from "react";
import { NavLink, useRouteLoaderData } from "react-router";
import type { loader as rootLoader } from "#app/root.tsx";

type StaffRole = "editor" | "admin" | "owner";
const EDITORS: readonly StaffRole[] = ["editor", "admin", "owner"];
const ADMINS: readonly StaffRole[] = ["admin", "owner"];

/**
 * The administration's pages and who may open them. The server enforces the same rule in
 * every loader and action (requireRole); this list only decides which links to show.
 */
const LINKS = [
  { to: "/admin", label: "Overview", end: true, roles: EDITORS },
  { to: "/admin/profiles", label: "Profiles", end: false, roles: EDITORS },
  { to: "/admin/import", label: "Import articles", end: false, roles: EDITORS },
  { to: "/admin/applications", label: "Applications", end: false, roles: ADMINS },
  { to: "/admin/members", label: "Members", end: false, roles: ADMINS },
  { to: "/admin/tiers", label: "Tiers", end: false, roles: ADMINS },
  { to: "/admin/billing", label: "Billing", end: false, roles: ADMINS },
  { to: "/admin/audit", label: "Audit log", end: false, roles: ADMINS },
] as const;

/** The administration's own navigation, above every admin page. */
export function AdminNav() {
  const role = useRouteLoaderData<typeof rootLoader>("root")?.account?.role;
  const links = LINKS.filter((link) => (link.roles as readonly string[]).includes(role ?? ""));
  return (
    <nav aria-label="Administration" className="mb-6 border-b border-slate-200 pb-3">
      <ul className="flex flex-wrap gap-4 text-sm font-medium">
        {links.map((link) => (
          <li key={link.to}>
            <NavLink
              to={link.to}
              end={link.end}
              className={({ isActive }) =>
                isActive ? "text-ink underline underline-offset-4" : "text-muted hover:text-ink"
              }
            >
              {link.label}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** An admin page: the admin navigation, then the page's heading and content. */
export function AdminPage({ title, children }: { title: string; children: ReactNode }) {
  return (
    <>
      <AdminNav />
      <h1 className="text-3xl font-semibold tracking-tight break-words">{title}</h1>
      {children}
    </>
  );
}
