import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { generateToken, hashToken, isWellFormedToken, TOKEN_BYTES } from "./tokens.ts";

describe("generateToken", () => {
  it("is 32 characters of lower-case base32 from at least 20 random bytes", () => {
    expect(TOKEN_BYTES).toBeGreaterThanOrEqual(20);
    for (let i = 0; i < 20; i++) {
      const token = generateToken();
      expect(token).toMatch(/^[a-z2-7]{32}$/);
      expect(isWellFormedToken(token)).toBe(true);
    }
  });

  it("never repeats and uses the whole alphabet", () => {
    const tokens = Array.from({ length: 500 }, generateToken);
    expect(new Set(tokens).size).toBe(tokens.length);
    // 500 × 32 characters: every one of the 32 symbols shows up if the bytes are random.
    expect(new Set(tokens.join("")).size).toBe(32);
  });
});

describe("hashToken", () => {
  it("is the hex SHA-256 of the token's UTF-8 bytes", () => {
    const token = generateToken();
    const expected = createHash("sha256").update(token, "utf8").digest("hex");
    expect(hashToken(token)).toBe(expected);
    expect(hashToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashToken("abc")).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it("differs between tokens and never contains the token", () => {
    const a = generateToken();
    const b = generateToken();
    expect(hashToken(a)).not.toBe(hashToken(b));
    expect(hashToken(a)).not.toContain(a);
  });
});

describe("isWellFormedToken", () => {
  it("rejects wrong lengths, characters outside the alphabet and non-strings", () => {
    const token = generateToken();
    const rejected: unknown[] = [
      "",
      token.slice(1),
      `${token}a`,
      token.toUpperCase(),
      `${token.slice(0, 31)}0`, // 0, 1, 8 and 9 are not base32
      `${token.slice(0, 31)}1`,
      `${token.slice(0, 31)}8`,
      `${token.slice(0, 31)}=`,
      `${token.slice(0, 31)} `,
      ` ${token.slice(1)}`,
      `${token}\n`,
      `${token.slice(0, 31)}é`,
      hashToken(token),
      undefined,
      null,
      42,
      { toString: () => token },
      [token],
      new String(token),
    ];
    for (const value of rejected) expect(isWellFormedToken(value), String(value)).toBe(false);
    expect(isWellFormedToken("a".repeat(32))).toBe(true);
    expect(isWellFormedToken("234567abcdefghijklmnopqrstuvwxyz")).toBe(true);
  });
});
