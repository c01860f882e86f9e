import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@briefings/core";
import { hash, verify } from "@node-rs/argon2";

// OWASP's argon2id baseline: 19 MiB, two passes, one lane.
const ARGON2_OPTIONS = {
  algorithm: 2, // Algorithm.Argon2id (a const enum, not importable at run time)
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

// The bounds are core's, shared with the portal's forms; re-exported for this package's users.
export { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/**
 * The stored hash of an account that has no password yet (a member imported by an admin,
 * who sets one through "forgot password"). No password ever matches it: it is not an
 * argon2 hash, and `verifyPassword` refuses it before trying.
 */
export const NO_PASSWORD_HASH = "!no-password";

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (passwordHash === NO_PASSWORD_HASH) {
    // As long as a real check, so sign-in does not reveal which accounts have no password.
    await verifyAgainstDummy(password);
    return false;
  }
  try {
    return await verify(passwordHash, password);
  } catch {
    // A malformed stored hash is a failed check, never a crash of the sign-in form.
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the time of one verification when there is no account to check against, so
 * sign-in takes as long for an unknown e-mail as for a wrong password.
 */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword("briefings-dummy-password-for-timing");
  await verifyPassword(await dummyHash, password);
  return false;
}

let commonPasswords: Promise<Set<string>> | undefined;

/** zxcvbn-ts's list of ~49,000 common passwords, loaded once on first use. */
function loadCommonPasswords(): Promise<Set<string>> {
  commonPasswords ??= import("@zxcvbn-ts/language-common").then(
    ({ dictionary }) =>
      new Set((dictionary["passwords-common"] as string[]).map((p) => p.toLowerCase())),
  );
  return commonPasswords;
}

/**
 * Why a new password is refused, or null when it is acceptable. Following NIST SP 800-63B:
 * a minimum length, no composition rules, and a check against common and context-specific
 * choices (a common password with digits or symbols stuck on, the account's e-mail).
 */
export async function passwordProblem(
  password: string,
  context: { email?: string } = {},
): Promise<string | null> {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH)
    return `Use at least ${PASSWORD_MIN_LENGTH} characters (this one has ${length})`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters`;
  const lower = password.toLowerCase();
  if (new Set(lower).size < 4)
    return "This password repeats too few characters; choose a less predictable one";
  const common = await loadCommonPasswords();
  if (common.has(lower)) return "This is one of the most common passwords; choose another";
  const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/g, "");
  if (core.length >= 3 && (common.has(core) || isRepeatedCommon(core, common)))
    return "This is a common password with a few characters added; choose another";
  if (/^(?:0123456789|1234567890|9876543210|abcdefghijkl|qwertyuiop)/.test(lower))
    return "This password is a keyboard or number sequence; choose another";
  const local = context.email?.split("@")[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local))
    return "Do not use your e-mail address in your password";
  if (lower.includes("briefings")) return "Do not use the name of this site in your password";
  return null;
}

/** "passwordpassword", "monkeymonkeymonkey": a common word said again. */
function isRepeatedCommon(core: string, common: Set<string>): boolean {
  for (let size = 3; size <= core.length / 2; size++) {
    if (core.length % size !== 0) continue;
    const unit = core.slice(0, size);
    if (unit.repeat(core.length / size) === core && common.has(unit)) return true;
  }
  return false;
}
