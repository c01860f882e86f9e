import { describe, expect, it } from "vitest";
import { decodeCp1252Byte, hasMojibake, repairMojibake } from "./mojibake.ts";

/** Produces mojibake the way the bug does: UTF-8 bytes read as Windows-1252. */
function mangle(text: string): string {
  return Array.from(new TextEncoder().encode(text), decodeCp1252Byte).join("");
}

describe("decodeCp1252Byte", () => {
  // Node 20's TextDecoder("windows-1252") decodes as Latin-1, so the reference here is
  // the WHATWG index itself, spot-checked where the two encodings differ.
  it("maps 0x80–0x9F to the Windows-1252 symbols, and the five holes to C1 controls", () => {
    const expected: Record<number, string> = {
      128: "€",
      130: "‚",
      133: "…",
      138: "Š",
      145: "‘",
      146: "’",
      147: "“",
      148: "”",
      149: "•",
      150: "–",
      151: "—",
      153: "™",
      156: "œ",
      159: "Ÿ",
    };
    for (const [byte, char] of Object.entries(expected))
      expect(decodeCp1252Byte(Number(byte))).toBe(char);
    for (const hole of [0x81, 0x8d, 0x8f, 0x90, 0x9d]) {
      expect(decodeCp1252Byte(hole)).toBe(String.fromCharCode(hole));
    }
    const decoded = new Set(Array.from({ length: 32 }, (_, k) => decodeCp1252Byte(0x80 + k)));
    expect(decoded.size).toBe(32);
  });

  it("maps every other byte to the code point of the same number", () => {
    for (let byte = 0; byte <= 0xff; byte++) {
      if (byte >= 0x80 && byte <= 0x9f) continue;
      expect(decodeCp1252Byte(byte)).toBe(String.fromCharCode(byte));
    }
  });

  it("refuses values that are not bytes", () => {
    expect(() => decodeCp1252Byte(256)).toThrow(RangeError);
    expect(() => decodeCp1252Byte(-1)).toThrow(RangeError);
  });
});

describe("repairMojibake", () => {
  it.each([
    ["â€”", "—"],
    ["â€“", "–"],
    ["â€™", "’"],
    ["â€˜", "‘"],
    ["â€œ", "“"],
    ["â€¦", "…"],
    ["Ã©", "é"],
    ["Ã¼", "ü"],
    ["Ã‰", "É"],
    ["Â£", "£"],
    ["â‚¬", "€"],
  ])("repairs %s to %s", (broken, fixed) => {
    expect(repairMojibake(broken)).toBe(fixed);
  });

  it("repairs the seed article's excerpt", () => {
    const seed = "a network of partnerships â€” while its PR efforts obscure this.";
    expect(repairMojibake(seed)).toBe(
      "a network of partnerships — while its PR efforts obscure this.",
    );
  });

  it("repairs a closing quote whose last byte (0x9D) was kept as a C1 control or dropped", () => {
    expect(repairMojibake("â€œquotedâ€\u009d text")).toBe("“quoted” text");
    expect(repairMojibake("â€œquotedâ€ text")).toBe("“quoted” text");
    expect(repairMojibake("endsâ€")).toBe("ends”");
  });

  it("round-trips mangled text in many scripts", () => {
    const samples = [
      "Café, naïve, façade, Ångström, São Paulo, Zürich, Łódź, Dvořák",
      "“Quotes” — dashes – ellipses… and ‘single’ quotes",
      "Ελληνικά, русский, עברית, العربية",
      "日本語のテキスト, 한국어, 中文",
      "Emoji: 😀 🚀 and math ∑ ≤ ∞",
    ];
    for (const sample of samples) {
      expect(repairMojibake(mangle(sample))).toBe(sample);
    }
  });

  it("repairs text that was mangled twice", () => {
    expect(repairMojibake(mangle(mangle("it’s — “fine”")))).toBe("it’s — “fine”");
  });

  it("leaves correct text unchanged", () => {
    const correct = [
      "",
      "plain ASCII, nothing to do.",
      "Microsoft’s Worldwide Ban — “Azure” – 0.90–1.00",
      "café naïve résumé déjà vu São Tomé",
      "£5 © 2024 ® ™ § ¶ ° ± µ ½ ¿Qué? ¡Olé!",
      "Äpfel Öl Übung Straße",
      "Ελληνικά 日本語 😀",
      "«guillemets» and ‹single›",
    ];
    for (const text of correct) {
      expect(repairMojibake(text)).toBe(text);
      expect(hasMojibake(text)).toBe(false);
    }
  });

  it("does not invent C1 control characters out of a legitimate Â before a symbol", () => {
    expect(repairMojibake("Â€")).toBe("Â€");
  });

  it("keeps characters that do not form valid UTF-8 and repairs the rest of the run", () => {
    // `é` (0xE9) cannot start a sequence with `”` (0x94) and `s`; it stays, the `â€”` after it is fixed.
    expect(repairMojibake("é”s â€” ok")).toBe("é”s — ok");
  });

  it("rejects overlong and surrogate encodings", () => {
    // C0 80 (overlong NUL) and ED A0 80 (a surrogate) are not valid UTF-8.
    expect(repairMojibake("À€")).toBe("À€");
    expect(repairMojibake("í\u00a0€")).toBe("í\u00a0€");
  });

  it("reports mojibake with hasMojibake", () => {
    expect(hasMojibake("Ã©")).toBe(true);
  });
});
