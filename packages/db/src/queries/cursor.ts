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

/** A cursor whose key is a timestamp (ISO 8601 string). */
export function decodeDateCursor(value: string): [Date, string] {
  const [key, id] = decode(value);
  const at = typeof key === "string" ? new Date(key) : new Date(Number.NaN);
  if (Number.isNaN(at.getTime())) throw new InvalidCursorError();
  return [at, id];
}

export function decodeTextCursor(value: string): [string, string] {
  const [key, id] = decode(value);
  if (typeof key !== "string") throw new InvalidCursorError();
  return [key, id];
}

export function decodeNumberCursor(value: string): [number, string] {
  const [key, id] = decode(value);
  if (typeof key !== "number" || !Number.isFinite(key)) throw new InvalidCursorError();
  return [key, id];
}
