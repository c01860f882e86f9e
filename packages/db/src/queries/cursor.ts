import { z } from "zod";

/** A keyset cursor: the sort value and id of the last row of a page, opaque to clients. */
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

export function decodeCursor(value: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(value, "base64url").toString("utf8")));
  } catch {
    throw new InvalidCursorError();
  }
}
