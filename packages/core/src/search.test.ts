import { describe, expect, it } from "vitest";
import { SNIPPET_STOP as E, SNIPPET_START as S, snippetSegments } from "./search.ts";

describe("snippet segments", () => {
  it("splits marked and plain runs, keyed by offset", () => {
    expect(snippetSegments(`Microsoft ${S}Facial${E} ${S}Recognition${E} ban`)).toEqual([
      { key: 0, text: "Microsoft ", marked: false },
      { key: 11, text: "Facial", marked: true },
      { key: 18, text: " ", marked: false },
      { key: 20, text: "Recognition", marked: true },
      { key: 32, text: " ban", marked: false },
    ]);
  });

  it("keeps markup as text and survives an unbalanced marker", () => {
    expect(snippetSegments(`<b>x</b> ${S}open`)).toEqual([
      { key: 0, text: "<b>x</b> ", marked: false },
      { key: 10, text: "open", marked: true },
    ]);
    expect(snippetSegments("")).toEqual([]);
  });
});
