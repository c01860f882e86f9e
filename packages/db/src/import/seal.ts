/**
 * The publisher's sealed premium text: an article file's `secured` field holds
 * `base64(ciphertext);base64(IV)`, AES-256-CBC with PKCS#7 padding and a 16-byte IV of
 * the file's own. The key is ARTICLE_SEAL_KEY (decision 017).
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

export const SEAL_KEY_BYTES = 32;
const CIPHER = "aes-256-cbc";

/** ARTICLE_SEAL_KEY is set but is not a key; the message never repeats the value. */
export class SealKeyError extends Error {
  override name = "SealKeyError";
}

/**
 * A 32-byte key written as 64 hexadecimal characters, or as standard base64 (44
 * characters ending in "="; the padding may be left out). The two cannot be confused:
 * 64 characters of base64 would be 48 bytes. Surrounding white space is ignored.
 */
export function parseSealKey(value: string, name = "ARTICLE_SEAL_KEY"): Buffer {
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    const key = Buffer.from(text, "base64");
    // The last character carries 2 padding bits; a non-zero one is not canonical base64.
    if (key.length === SEAL_KEY_BYTES && key.toString("base64").startsWith(text.slice(0, 43)))
      return key;
  }
  throw new SealKeyError(
    `${name} must be a 32-byte key written as 64 hexadecimal characters or as base64 ` +
      `(44 characters ending in "="); the value set has ${text.length} characters. ` +
      "Generate one with: openssl rand -hex 32",
  );
}

/** The key the environment configures, or null when ARTICLE_SEAL_KEY is unset or empty. */
export function readSealKey(env: NodeJS.ProcessEnv = process.env): Buffer | null {
  const value = env.ARTICLE_SEAL_KEY;
  return value?.trim() ? parseSealKey(value) : null;
}

export type UnsealResult = { ok: true; text: string } | { ok: false; message: string };

/**
 * Decrypts a `secured` value that already passed the article schema (two base64 parts,
 * a 16-byte IV, whole blocks). A wrong key shows as bad padding, except about once in
 * 256 keys, when the padding happens to look right: the text must then also be UTF-8,
 * which random bytes of any length practically never are.
 */
export function unsealText(secured: string, key: Buffer): UnsealResult {
  if (key.length !== SEAL_KEY_BYTES) throw new SealKeyError("the seal key must be 32 bytes");
  const [ciphertext = "", iv = ""] = secured.split(";");
  let bytes: Buffer;
  try {
    const decipher = createDecipheriv(CIPHER, key, Buffer.from(iv, "base64"));
    bytes = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64")), decipher.final()]);
  } catch {
    return {
      ok: false,
      message:
        "does not decrypt with ARTICLE_SEAL_KEY (bad padding): it was sealed with another key, or the ciphertext is damaged",
    };
  }
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return {
      ok: false,
      message:
        "decrypts with ARTICLE_SEAL_KEY to bytes that are not UTF-8 text: it was sealed with another key, or the ciphertext is damaged",
    };
  }
}

/**
 * Seals `text` the way the publisher does: the inverse of `unsealText`. For building
 * test and benchmark files; the portal itself never seals anything.
 */
export function sealText(text: string, key: Buffer, iv: Buffer = randomBytes(16)): string {
  const cipher = createCipheriv(CIPHER, key, iv);
  const ciphertext = Buffer.concat([cipher.update(text, "utf8"), cipher.final()]);
  return `${ciphertext.toString("base64")};${iv.toString("base64")}`;
}
