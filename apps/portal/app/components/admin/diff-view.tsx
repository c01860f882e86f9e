import { useId } from "react";

export type DiffViewBlock =
  | { kind: "added" | "removed" | "same"; lines: string[] }
  | { kind: "skipped"; count: number };

const STYLE = {
  added: "bg-emerald-50 text-emerald-900",
  removed: "bg-red-50 text-red-900 line-through decoration-red-300",
  same: "text-muted",
} as const;

const MARK = { added: "+", removed: "−", same: " " } as const;
const SPOKEN = { added: "Added", removed: "Removed", same: "" } as const;

/** A line diff: removed lines struck through, added ones highlighted, both also said in words. */
export function DiffView({ blocks, label }: { blocks: DiffViewBlock[]; label: string }) {
  const headingId = useId();
  const changed = blocks.some((block) => block.kind === "added" || block.kind === "removed");
  return (
    <section aria-labelledby={headingId} className="mt-3">
      <h3 id={headingId} className="text-sm font-semibold">
        {label}
      </h3>
      {changed ? (
        <div className="mt-1 overflow-x-auto rounded-md border border-slate-200 bg-white font-mono text-xs">
          {blocks.map((block, index) =>
            block.kind === "skipped" ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: a diff is static
              <p key={index} className="bg-slate-100 px-2 py-0.5 text-muted">
                … {block.count} unchanged {block.count === 1 ? "line" : "lines"} …
              </p>
            ) : (
              block.lines.map((line, lineIndex) => (
                <p
                  // biome-ignore lint/suspicious/noArrayIndexKey: a diff is static
                  key={`${index}-${lineIndex}`}
                  className={`whitespace-pre-wrap break-words px-2 ${STYLE[block.kind]}`}
                  data-diff={block.kind}
                >
                  <span aria-hidden="true">{MARK[block.kind]} </span>
                  {SPOKEN[block.kind] ? (
                    <span className="sr-only">{SPOKEN[block.kind]}: </span>
                  ) : null}
                  {line || "\u00a0"}
                </p>
              ))
            ),
          )}
        </div>
      ) : (
        <p className="mt-1 text-sm text-muted">No differences.</p>
      )}
    </section>
  );
}
