import { describe, expect, it } from "vitest";
import { hasChanges, lineDiff } from "./text-diff.server.ts";

describe("lineDiff", () => {
  it("shows removed and added lines with three lines of context, folding the rest", () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join("\n");
    const after = before.replace("line 10", "line ten");
    expect(lineDiff(before, after)).toEqual([
      { kind: "skipped", count: 6 },
      { kind: "same", lines: ["line 7", "line 8", "line 9"] },
      { kind: "removed", lines: ["line 10"] },
      { kind: "added", lines: ["line ten"] },
      { kind: "same", lines: ["line 11", "line 12", "line 13"] },
      { kind: "skipped", count: 7 },
    ]);
  });

  it("says when two texts are the same", () => {
    expect(hasChanges(lineDiff("a\nb", "a\nb"))).toBe(false);
    expect(hasChanges(lineDiff("a\nb", "a\nc"))).toBe(true);
  });
});
