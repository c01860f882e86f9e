import { dictionary } from "@zxcvbn-ts/language-common";
import { describe, expect, it } from "vitest";
import {
  hashPassword,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  passwordProblem,
  verifyAgainstDummy,
  verifyPassword,
} from "./password.ts";

const GOOD = "violet tractor umbrella sings";

describe("hashing", () => {
  it("hashes with argon2id and verifies only the right password", async () => {
    const hash = await hashPassword(GOOD);
    expect(hash.startsWith("$argon2id$")).toBe(true);
    expect(hash).not.toContain(GOOD);
    expect(await verifyPassword(hash, GOOD)).toBe(true);
    expect(await verifyPassword(hash, `${GOOD} `)).toBe(false);
    expect(await verifyPassword(hash, GOOD.toUpperCase())).toBe(false);
    expect(await verifyPassword(hash, "")).toBe(false);
    // Salted: the same password never hashes the same twice.
    expect(await hashPassword(GOOD)).not.toBe(hash);
  });

  it("treats a malformed stored hash as a failed check, not an error", async () => {
    for (const stored of ["", "not a hash", "$argon2id$v=19$m=19456,t=2,p=1$broken", "$2b$10$x"]) {
      expect(await verifyPassword(stored, GOOD)).toBe(false);
    }
  });

  it("the dummy verification always fails", async () => {
    expect(await verifyAgainstDummy("briefings-dummy-password-for-timing")).toBe(false);
    expect(await verifyAgainstDummy(GOOD)).toBe(false);
  });
});

describe("passwordProblem", () => {
  const common = new Set(
    (dictionary["passwords-common"] as string[]).map((word) => word.toLowerCase()),
  );

  it("uses words that really are (or are not) in zxcvbn's common list", () => {
    for (const word of ["1q2w3e4r5t6y", "leavemealone", "password", "dragon", "monkey"]) {
      expect(common.has(word), word).toBe(true);
    }
    for (const word of ["password123456", "123456dragon!!", "monkeymonkeymonkey", GOOD]) {
      expect(common.has(word), word).toBe(false);
    }
  });

  it("refuses short passwords and says how long this one is", async () => {
    expect(PASSWORD_MIN_LENGTH).toBe(12);
    expect(await passwordProblem("")).toMatch(/at least 12 .*has 0/);
    expect(await passwordProblem("short pass!")).toMatch(/at least 12 characters.*has 11/);
    expect(await passwordProblem("violet tract")).toBeNull(); // exactly 12
  });

  it("refuses passwords over the maximum length", async () => {
    const words = ["violet", "tractor", "umbrella", "sings", "quietly", "harbour"];
    const long = Array.from({ length: 60 }, (_, i) => words[i % words.length]).join(" ");
    expect(long.length).toBeGreaterThan(PASSWORD_MAX_LENGTH);
    expect(await passwordProblem(long)).toMatch(/at most 256/);
    expect(await passwordProblem(long.slice(0, PASSWORD_MAX_LENGTH))).toBeNull();
  });

  it("refuses common passwords, in any case", async () => {
    expect(await passwordProblem("1q2w3e4r5t6y")).toMatch(/most common/);
    expect(await passwordProblem("LeaveMeAlone")).toMatch(/most common/);
  });

  it("refuses a common password with digits or symbols added", async () => {
    expect(await passwordProblem("password123456")).toMatch(/common password with/);
    expect(await passwordProblem("123456dragon!!")).toMatch(/common password with/);
    expect(await passwordProblem("!!Monkey2024!!")).toMatch(/common password with/);
  });

  it("refuses repeated characters and repeated common words", async () => {
    expect(await passwordProblem("aaaaaaaaaaaa")).toMatch(/repeats/);
    expect(await passwordProblem("abababababab")).toMatch(/repeats/);
    expect(await passwordProblem("monkeymonkeymonkey")).toMatch(/common password/);
    expect(await passwordProblem("dragondragon2024")).toMatch(/common password/);
  });

  it("refuses keyboard and number sequences", async () => {
    expect(await passwordProblem("abcdefghijklmnop")).toMatch(/sequence/);
    expect(await passwordProblem("0123456789ab")).toMatch(/sequence/);
    expect(await passwordProblem("qwertyuiopzz")).toMatch(/sequence/);
  });

  it("refuses the e-mail's local part and the site's name", async () => {
    const email = "ada.lovelace@example.org";
    expect(await passwordProblem("my Ada.Lovelace key", { email })).toMatch(/e-mail/);
    // Without the context the same password is fine.
    expect(await passwordProblem("my Ada.Lovelace key")).toBeNull();
    // A very short local part is not held against anyone.
    expect(await passwordProblem("violet bob tractor", { email: "bob@example.org" })).toBeNull();
    expect(await passwordProblem("I read Briefings daily")).toMatch(/name of this site/);
  });

  it("accepts a good passphrase", async () => {
    expect(await passwordProblem(GOOD, { email: "ada@example.org" })).toBeNull();
    expect(await passwordProblem("correct horse battery staple")).toBeNull();
  });

  it("counts unicode passphrases by code points", async () => {
    // Six emoji are twelve UTF-16 units but six characters.
    const six = "🦊🐻🐼🐨🐯🦁";
    expect(six.length).toBe(12);
    expect(await passwordProblem(six)).toMatch(/has 6\)/);
    expect(await passwordProblem("🦊🐻🐼🐨🐯🦁🐸🐵🐔🐧🐦🐤")).toBeNull();
    expect(await passwordProblem("żółta łódź płynie")).toBeNull();
    // 256 code points (512 UTF-16 units) is still within the limit.
    const maxEmoji = "🦊🐻🐼🐨".repeat(64);
    expect(maxEmoji.length).toBe(512);
    expect(await passwordProblem(maxEmoji)).toBeNull();
    expect(await passwordProblem(`${maxEmoji}🐸`)).toMatch(/at most/);
  });
});
