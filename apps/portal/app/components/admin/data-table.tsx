import type { ReactNode } from "react";

/**
 * A table that scrolls sideways on small screens instead of squeezing its columns. The
 * caption names it for assistive technology (visually hidden unless `showCaption`).
 * Cells come from the caller: header cells as <th scope="col">, row headers as
 * <th scope="row">.
 */
export function DataTable({
  caption,
  showCaption = false,
  head,
  children,
}: {
  caption: string;
  showCaption?: boolean;
  head: readonly string[];
  children: ReactNode;
}) {
  return (
    <div className="mt-4 overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="min-w-full divide-y divide-slate-200 text-left text-sm">
        <caption
          className={showCaption ? "px-4 py-2 text-left text-sm font-medium text-muted" : "sr-only"}
        >
          {caption}
        </caption>
        <thead className="bg-slate-50">
          <tr>
            {head.map((label) => (
              <th key={label} scope="col" className="whitespace-nowrap px-4 py-2 font-semibold">
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">{children}</tbody>
      </table>
    </div>
  );
}

export const CELL = "px-4 py-2 align-top";
export const NOWRAP_CELL = "whitespace-nowrap px-4 py-2 align-top";

/** A message in place of an empty table. */
export function EmptyState({ children }: { children: ReactNode }) {
  return (
    <p className="mt-4 rounded-lg border border-dashed border-slate-300 bg-white p-6 text-sm text-muted">
      {children}
    </p>
  );
}
