const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: "UTC",
});

/** "3 Mar 2026, 14:05 UTC": the same on the server and in the browser (no hydration drift). */
export function formatDateTime(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return `${dateTimeFormat.format(date)} UTC`;
}

export const APPLICATION_STATUS_LABELS = {
  pending: "Under review",
  "needs-info": "Needs more information",
  approved: "Approved",
  rejected: "Not approved",
} as const;

/** A label for an application status; unknown statuses are shown as they are. */
export function applicationStatusLabel(status: string): string {
  return Object.hasOwn(APPLICATION_STATUS_LABELS, status)
    ? APPLICATION_STATUS_LABELS[status as keyof typeof APPLICATION_STATUS_LABELS]
    : status;
}
