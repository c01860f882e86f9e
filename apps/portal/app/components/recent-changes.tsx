import { formatDate, isoDate } from "#app/lib/format.ts";

export type ChangeView = { id: string; changedAt: Date | string; sections: string[] };

/**
 * "Last updated" and the latest public changes of a profile: which sections changed and
 * when, never what they said. The same for every reader.
 */
export function RecentChanges({
  lastUpdatedAt,
  changes,
}: {
  lastUpdatedAt: Date | string;
  changes: ChangeView[];
}) {
  return (
    <section
      aria-labelledby="recent-changes"
      className="mt-10 rounded-lg border border-slate-200 bg-white p-5 text-sm"
    >
      <h2 id="recent-changes" className="text-base font-semibold">
        Recent changes
      </h2>
      <p className="mt-1">
        Last updated <time dateTime={isoDate(lastUpdatedAt)}>{formatDate(lastUpdatedAt)}</time>
      </p>
      {changes.length > 0 ? (
        <ul className="mt-2 space-y-1">
          {changes.map((change) => (
            <li key={change.id}>
              <time dateTime={isoDate(change.changedAt)} className="text-muted">
                {formatDate(change.changedAt)}
              </time>
              : {change.sections.join(", ")}
            </li>
          ))}
        </ul>
      ) : (
        <p className="mt-1 text-muted">No public changes since publication.</p>
      )}
    </section>
  );
}
