export const ROLES = ["member", "editor", "admin", "owner"] as const;
export type Role = (typeof ROLES)[number];

export const APPLICATION_STATUSES = ["pending", "needs-info", "approved", "rejected"] as const;
/** An application's state: under review, returned for more information, or decided. */
export type ApplicationStatus = (typeof APPLICATION_STATUSES)[number];

/** Who is asking. Built once per request by the server; the only input to access decisions. */
export type Viewer =
  | { kind: "anonymous" }
  | {
      kind: "member";
      userId: string;
      role: Role;
      /** Slugs of the tiers this member holds right now (joins, paid or approved, grants). */
      tiers: readonly string[];
      /** The latest application per tier, for tiers joined by application. */
      applications: Readonly<Record<string, ApplicationStatus>>;
    };

export const ANONYMOUS: Viewer = { kind: "anonymous" };

export function isStaff(viewer: Viewer): boolean {
  return viewer.kind === "member" && viewer.role !== "member";
}
