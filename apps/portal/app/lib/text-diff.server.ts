import { diffLines } from "diff";

export type DiffBlock =
  | { kind: "added" | "removed" | "same"; lines: string[] }
  /** Unchanged lines left out between two changes, shown as "… n unchanged lines …". */
  | { kind: "skipped"; count: number };

/** How long a diff may take before it is given up. */
const DIFF_TIMEOUT_MS = 500;

/** Unchanged lines kept around each change, for context. */
const CONTEXT = 3;

/**
 * A line diff of two texts, long unchanged stretches folded down to their edges; null when
 * the texts are too different to compare in reasonable time.
 */
export function lineDiff(before: string, after: string): DiffBlock[] | null {
  // Bounded, so two huge documents cannot hold the server: past it, no diff is shown.
  const parts = diffLines(before, after, { timeout: DIFF_TIMEOUT_MS });
  if (!parts) return null;
  return parts.flatMap((part, index): DiffBlock[] => {
    const lines = part.value.replace(/\n$/, "").split("\n");
    if (part.added) return [{ kind: "added", lines }];
    if (part.removed) return [{ kind: "removed", lines }];
    const keepHead = index === 0 ? 0 : CONTEXT;
    const keepTail = index === parts.length - 1 ? 0 : CONTEXT;
    if (lines.length <= keepHead + keepTail + 1) return [{ kind: "same", lines }];
    const blocks: DiffBlock[] = [];
    if (keepHead) blocks.push({ kind: "same", lines: lines.slice(0, keepHead) });
    blocks.push({ kind: "skipped", count: lines.length - keepHead - keepTail });
    if (keepTail) blocks.push({ kind: "same", lines: lines.slice(lines.length - keepTail) });
    return blocks;
  });
}

export function hasChanges(blocks: DiffBlock[] | null): boolean {
  if (!blocks) return true;
  return blocks.some((block) => block.kind === "added" || block.kind === "removed");
}
