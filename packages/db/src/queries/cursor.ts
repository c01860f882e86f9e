import { z } from "zod";

/** A keyset cursor: the sort key and id of the last row of a page, opaque to clients. */
const cursorSchema = z.tuple([z.union([z.string(), z.number()]), z.uuid()]);
export type Cursor = z.infer<typeof cursorSchema>;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

export class InvalidCursorError extends Error {
  constructor() {
    super("The page cursor is not valid; start again from the first page.");
    this.name = "InvalidCursorError";
  }
}

function decode(value: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    throw new InvalidCursorError();
  }
}

/** Exactly what `Date.prototype.toISOString` writes for years 1000–9999. */
const ISO_INSTANT = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A cursor whose key is a timestamp, as `toISOString` wrote it. */
export function decodeDateCursor(value: string): [Date, string] {
  const [key, id] = decode(value);
  if (typeof key !== "string" || !ISO_INSTANT.test(key)) throw new InvalidCursorError();
  const at = new Date(key);
  if (Number.isNaN(at.getTime())) throw new InvalidCursorError();
  return [at, id];
}

export function decodeTextCursor(value: string): [string, string] {
  const [key, id] = decode(value);
  // Postgres text cannot hold NUL; such a key can only be forged.
  if (typeof key !== "string" || key.includes("\u0000") || key.length > 500) {
    throw new InvalidCursorError();
  }
  return [key, id];
}

export function decodeNumberCursor(value: string): [number, string] {
  const [key, id] = decode(value);
  if (typeof key !== "number" || !Number.isFinite(key)) throw new InvalidCursorError();
  return [key, id];
}
