import { describe, expect, it } from "vitest";
import { hasBidiControls, hasControlCharacters } from "./control-characters.ts";
import { hasUnsafeApplicationCharacters } from "./membership.ts";

describe("hasControlCharacters", () => {
  it.each(["\u0000", "\u0007", "\u000b", "\u000c", "\u001b", "\u001f", "\u007f"])(
    "finds %j",
    (char) => {
      expect(hasControlCharacters(`a${char}b`)).toBe(true);
    },
  );

  it("keeps tab and line breaks, unicode, markup and bidirectional marks", () => {
    for (const text of ["a\tb\r\nc\nd", "Zoë 株式会社 🇩🇪", "<script>x</script>", "a\u202Eb", ""]) {
      expect(hasControlCharacters(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe("hasBidiControls", () => {
  it.each([
    "\u202a",
    "\u202b",
    "\u202c",
    "\u202d",
    "\u202e",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
  ])("finds %j", (char) => {
    expect(hasBidiControls(`Example ${char}gnp.exe`)).toBe(true);
  });

  it("keeps right-to-left letters and the implicit marks", () => {
    for (const text of ["שלום", "مرحبا", "a\u200eb\u200fc", "a\u0000b"]) {
      expect(hasBidiControls(text), JSON.stringify(text)).toBe(false);
    }
  });
});

describe("an application's text", () => {
  it("refuses both kinds", () => {
    expect(hasUnsafeApplicationCharacters("Ex\u0000ample")).toBe(true);
    expect(hasUnsafeApplicationCharacters("Example \u202Egnp.exe")).toBe(true);
    expect(hasUnsafeApplicationCharacters("Zoë 株式会社\r\n\t🇩🇪")).toBe(false);
  });
});
