import type { ReactNode } from "react";
import { NavLink } from "react-router";

const LINKS = [
  { to: "/admin", label: "Overview", end: true },
  { to: "/admin/applications", label: "Applications", end: false },
  { to: "/admin/members", label: "Members", end: false },
  { to: "/admin/audit", label: "Audit log", end: false },
] as const;

/** The administration's own navigation, above every admin page. */
export function AdminNav() {
  return (
    <nav aria-label="Administration" className="mb-6 border-b border-slate-200 pb-3">
      <ul className="flex flex-wrap gap-4 text-sm font-medium">
        {LINKS.map((link) => (
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
