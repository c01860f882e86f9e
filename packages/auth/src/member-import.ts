import { emailSchema, hasControlCharacters, LAST_DATE, SLUG_PATTERN } from "@briefings/core";
import { type Db, schema } from "@briefings/db/client";
import { CsvError, parse } from "csv-parse/sync";
import { and, gt, inArray, isNull, or } from "drizzle-orm";
import { type Actor, recordAudit } from "./audit.ts";
import { grantTier } from "./membership.ts";
import { NO_PASSWORD_HASH } from "./password.ts";

// Importing members from a CSV file, in three steps that share one plan: parse the file,
// plan each row against the database (nothing written: the preview), and apply the plan,
// made again from the same file at that moment, one transaction per row (the import).
//
// New accounts get no password (NO_PASSWORD_HASH, which nothing matches) and an
// unverified address: the member sets a password through "forgot password", whose mailed
// link proves the address. A tier in a row becomes a complimentary grant. Running the same
// file twice changes nothing the second time: its accounts exist and hold their grants.

/** The largest file taken (bytes); a bigger one is refused with 413. */
export const IMPORT_MAX_BYTES = 1024 * 1024;
/** The most rows a file may have, besides its header; more is refused with 400. */
export const IMPORT_MAX_ROWS = 5000;
export const IMPORT_COLUMNS = ["email", "tier", "grant_ends", "note"] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];
/** The grant's reason; a row's note is added after it. */
export const IMPORT_GRANT_REASON = "Imported from CSV";
/** So that the grant's reason (at most 500 characters) holds the note whole. */
export const IMPORT_NOTE_MAX_LENGTH = 400;

/** A file that cannot be imported at all (rather than some of its rows). */
export class ImportFileError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 = 400,
  ) {
    super(message);
    this.name = "ImportFileError";
  }
}

/** One row of the file: its number (the header is row 1) and its cells by column. */
export type ImportRecord = {
  row: number;
  cells: Record<ImportColumn, string>;
  /** How many non-empty cells lie beyond the header's columns. */
  extraCells: number;
};

function decode(content: Uint8Array | string): string {
  if (typeof content === "string") return content;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(content);
  } catch {
    throw new ImportFileError(
      "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.",
    );
  }
}

function lineBreaks(cells: readonly string[]): number {
  return cells.reduce((sum, cell) => sum + (cell.match(/\r\n|\r|\n/g)?.length ?? 0), 0);
}

/**
 * Reads the file: comma-separated, UTF-8 (a byte-order mark is fine), a header row naming
 * the columns in any order and case. Blank rows are left out; rows keep the number they
 * have in the file. Whatever makes the whole file unusable throws ImportFileError.
 */
export function parseImportFile(content: Uint8Array | string): ImportRecord[] {
  const size = typeof content === "string" ? Buffer.byteLength(content) : content.byteLength;
  if (size > IMPORT_MAX_BYTES)
    throw new ImportFileError(
      `The file is larger than ${IMPORT_MAX_BYTES / 1024 / 1024} MB; split it into smaller files.`,
      413,
    );
  let parsed: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, each record comes with where it ended (the types do not model that).
    parsed = parse(decode(content), {
      bom: true,
      info: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as unknown as typeof parsed;
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines;
      throw new ImportFileError(
        `The file is not valid CSV${line ? ` (near row ${line})` : ""}: ${error.message.replace(/^Invalid [^:]*: /, "")}`,
      );
    }
    throw error;
  }
  const [header, ...body] = parsed;
  if (!header) throw new ImportFileError("The file is empty. Its first row names the columns.");
  const names = header.record.map((name) => name.trim().toLowerCase());
  const unknown = names.filter(
    (name) => name !== "" && !(IMPORT_COLUMNS as readonly string[]).includes(name),
  );
  if (unknown.length > 0)
    throw new ImportFileError(
      `Unknown column ${unknown.map((name) => `“${name}”`).join(", ")}: the columns are ${IMPORT_COLUMNS.join(", ")}.`,
    );
  const repeated = names.find((name, index) => name !== "" && names.indexOf(name) !== index);
  if (repeated) throw new ImportFileError(`The column “${repeated}” appears twice.`);
  if (!names.includes("email"))
    throw new ImportFileError(
      "The file has no “email” column. Its first row names the columns: email (required), tier, grant_ends, note.",
    );
  const records: ImportRecord[] = [];
  for (const { record, info } of body) {
    // A row of blank cells (",,," from a spreadsheet) is an empty row.
    if (record.every((cell) => cell.trim() === "")) continue;
    const cells = { email: "", tier: "", grant_ends: "", note: "" };
    let extraCells = 0;
    record.forEach((cell, index) => {
      const name = names[index];
      if (name && name !== "") cells[name as ImportColumn] = cell;
      else if (cell.trim() !== "") extraCells += 1;
    });
    records.push({ row: info.lines - lineBreaks(record), cells, extraCells });
  }
  if (records.length === 0) throw new ImportFileError("The file has a header but no rows.");
  if (records.length > IMPORT_MAX_ROWS)
    throw new ImportFileError(
      `The file has ${records.length} rows; at most ${IMPORT_MAX_ROWS} are taken at once. Split it into smaller files.`,
    );
  return records;
}

export type RowProblem = { column: ImportColumn | null; message: string };

export type PlannedAction = "create" | "grant" | "skip" | "error";

/** What importing a row will do (the preview), with what it needs to do it. */
export type PlannedRow = {
  row: number;
  /** The normalised address, or the cell as it was when it is not an address. */
  email: string;
  action: PlannedAction;
  /** The existing account, for "grant" and "skip". */
  userId: string | null;
  tierSlug: string | null;
  grantEndsAt: Date | null;
  note: string | null;
  /** Why a row is skipped. */
  reason: string | null;
  /** Why a row cannot be imported, by column; empty unless the action is "error". */
  problems: RowProblem[];
};

export type ImportPlan = { rows: PlannedRow[]; counts: Record<PlannedAction, number> };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A calendar date as the start of that day in UTC, or a message saying what is wrong. */
function parseEndDate(value: string, now: Date): Date | string {
  if (!DATE.test(value)) return "Give the date as YYYY-MM-DD, e.g. 2027-01-31";
  const date = new Date(`${value}T00:00:00.000Z`);
  if (Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value)
    return `${value} is not a date in the calendar`;
  if (date.getTime() <= now.getTime()) return "The end date must be in the future";
  if (date.getTime() > LAST_DATE.getTime()) return "The end date must be no later than 9999-12-31";
  return date;
}

type TierInfo = { slug: string; name: string; retired: boolean };

/** A row checked on its own and against the file's earlier rows (no database). */
function checkRecord(
  record: ImportRecord,
  tiers: ReadonlyMap<string, TierInfo>,
  seen: Map<string, number>,
  now: Date,
) {
  const problems: RowProblem[] = [];
  const { cells } = record;
  let email = cells.email.trim();
  if (/^[=+\-@\t\r]/.test(email)) {
    // What a spreadsheet would run as a formula: never an address we would take.
    problems.push({
      column: "email",
      message: "This cell is a spreadsheet formula, not an address",
    });
  } else {
    const parsed = emailSchema.safeParse(cells.email);
    if (!parsed.success)
      problems.push({
        column: "email",
        message: parsed.error.issues[0]?.message ?? "Not an address",
      });
    else {
      email = parsed.data;
      const first = seen.get(email);
      if (first !== undefined)
        problems.push({ column: "email", message: `The same address as row ${first}` });
      else seen.set(email, record.row);
    }
  }
  const tierCell = cells.tier.trim().toLowerCase();
  let tierSlug: string | null = null;
  if (tierCell !== "") {
    const tier = SLUG_PATTERN.test(tierCell) ? tiers.get(tierCell) : undefined;
    if (!tier)
      problems.push({
        column: "tier",
        message: `There is no tier “${cells.tier.trim().slice(0, 60)}”; the tiers are ${
          [...tiers.values()]
            .filter((known) => !known.retired)
            .map((known) => known.slug)
            .join(", ") || "not set up yet"
        }`,
      });
    else if (tier.retired)
      problems.push({ column: "tier", message: `${tier.name} is retired: nothing can be granted` });
    else tierSlug = tier.slug;
  }
  const endsCell = cells.grant_ends.trim();
  let grantEndsAt: Date | null = null;
  if (endsCell !== "") {
    const parsed = parseEndDate(endsCell, now);
    if (typeof parsed === "string") problems.push({ column: "grant_ends", message: parsed });
    else if (tierCell === "")
      problems.push({ column: "grant_ends", message: "An end date needs a tier to grant" });
    else grantEndsAt = parsed;
  } else if (tierCell !== "") {
    problems.push({
      column: "grant_ends",
      message: "Give the date the complimentary access ends (needed with a tier)",
    });
  }
  const note = cells.note.trim();
  if (hasControlCharacters(note))
    problems.push({ column: "note", message: "The note contains control characters" });
  else if (note.length > IMPORT_NOTE_MAX_LENGTH)
    problems.push({
      column: "note",
      message: `The note is at most ${IMPORT_NOTE_MAX_LENGTH} characters (this one has ${note.length})`,
    });
  if (record.extraCells > 0)
    problems.push({
      column: null,
      message: `The row has ${record.extraCells === 1 ? "a cell" : `${record.extraCells} cells`} beyond the header's columns`,
    });
  return { email, tierSlug, grantEndsAt, note: note === "" ? null : note, problems };
}

/** The grants current now, by member, that a row's grant would repeat. */
async function currentGrants(db: Db, userIds: string[], now: Date) {
  const byUser = new Map<string, { tierSlug: string; endsAt: Date | null }[]>();
  for (let i = 0; i < userIds.length; i += 1000) {
    const rows = await db
      .select({
        userId: schema.tierGrants.userId,
        tierSlug: schema.tierGrants.tierSlug,
        endsAt: schema.tierGrants.endsAt,
      })
      .from(schema.tierGrants)
      .where(
        and(
          inArray(schema.tierGrants.userId, userIds.slice(i, i + 1000)),
          isNull(schema.tierGrants.revokedAt),
          or(isNull(schema.tierGrants.endsAt), gt(schema.tierGrants.endsAt, now)),
        ),
      );
    for (const row of rows) byUser.set(row.userId, [...(byUser.get(row.userId) ?? []), row]);
  }
  return byUser;
}

/** A current grant of the tier lasting at least as long already covers the row's. */
function alreadyGranted(
  grants: readonly { tierSlug: string; endsAt: Date | null }[] | undefined,
  tierSlug: string,
  endsAt: Date,
): boolean {
  return (grants ?? []).some(
    (grant) =>
      grant.tierSlug === tierSlug &&
      (grant.endsAt === null || grant.endsAt.getTime() >= endsAt.getTime()),
  );
}

/**
 * What importing the file would do, row by row, without writing anything: create an
 * account (and grant its tier), add a grant to an existing account, skip a row that
 * would change nothing, or refuse a row, saying which column is wrong and why.
 */
export async function planImport(
  db: Db,
  content: Uint8Array | string,
  now = new Date(),
): Promise<ImportPlan> {
  const records = parseImportFile(content);
  const tierRows = await db
    .select({ slug: schema.tiers.slug, name: schema.tiers.name, retiredAt: schema.tiers.retiredAt })
    .from(schema.tiers);
  const tiers = new Map(
    tierRows.map((tier) => [
      tier.slug,
      { slug: tier.slug, name: tier.name, retired: tier.retiredAt !== null },
    ]),
  );
  const seen = new Map<string, number>();
  const checked = records.map((record) => ({
    record,
    ...checkRecord(record, tiers, seen, now),
  }));
  const emails = checked.filter((row) => row.problems.length === 0).map((row) => row.email);
  const existing = new Map<string, string>();
  for (let i = 0; i < emails.length; i += 1000) {
    const rows = await db
      .select({ id: schema.users.id, email: schema.users.email })
      .from(schema.users)
      .where(inArray(schema.users.email, emails.slice(i, i + 1000)));
    for (const row of rows) existing.set(row.email, row.id);
  }
  const grants = await currentGrants(db, [...existing.values()], now);

  const rows = checked.map(({ record, email, tierSlug, grantEndsAt, note, problems }) => {
    const base = { row: record.row, email, tierSlug, grantEndsAt, note, problems };
    if (problems.length > 0)
      return { ...base, action: "error" as const, userId: null, reason: null };
    const userId = existing.get(email) ?? null;
    if (userId === null) return { ...base, action: "create" as const, userId, reason: null };
    if (tierSlug === null || grantEndsAt === null)
      return {
        ...base,
        action: "skip" as const,
        userId,
        reason: "An account with this address exists, and the row grants nothing",
      };
    if (alreadyGranted(grants.get(userId), tierSlug, grantEndsAt))
      return {
        ...base,
        action: "skip" as const,
        userId,
        reason: `The account already holds a grant of ${tiers.get(tierSlug)?.name ?? tierSlug} lasting at least as long`,
      };
    return { ...base, action: "grant" as const, userId, reason: null };
  });
  const counts = { create: 0, grant: 0, skip: 0, error: 0 };
  for (const row of rows) counts[row.action] += 1;
  return { rows, counts };
}

export type ImportOutcome = "created" | "granted" | "skipped" | "failed";

export type ImportResultRow = {
  row: number;
  email: string;
  outcome: ImportOutcome;
  /** Created or granted: what was done; skipped or failed: why. */
  detail: string;
  userId: string | null;
};

export type ImportReport = { rows: ImportResultRow[]; counts: Record<ImportOutcome, number> };

/** Stops a row's transaction, so nothing of the row is left behind. */
class RowFailed extends Error {}

function grantReason(note: string | null): string {
  return note ? `${IMPORT_GRANT_REASON}: ${note}` : IMPORT_GRANT_REASON;
}

function describeGrant(tierSlug: string, endsAt: Date): string {
  return `${tierSlug} until ${endsAt.toISOString().slice(0, 10)}`;
}

/** Grants the row's tier in `tx`, or throws RowFailed with the reason it was refused. */
async function grantRow(tx: Db, actor: Actor, userId: string, row: PlannedRow): Promise<void> {
  if (row.tierSlug === null || row.grantEndsAt === null) return;
  const granted = await grantTier(tx, actor, userId, {
    tierSlug: row.tierSlug,
    endsAt: row.grantEndsAt,
    reason: grantReason(row.note),
  });
  if (!granted.ok) throw new RowFailed(granted.formError ?? "The grant was refused");
}

/** Applies one planned row in its own transaction. */
async function applyRow(
  db: Db,
  actor: Actor,
  row: PlannedRow,
  now: Date,
): Promise<Omit<ImportResultRow, "row" | "email">> {
  if (row.action === "error")
    return {
      outcome: "failed",
      detail: row.problems
        .map((problem) =>
          problem.column ? `${problem.column}: ${problem.message}` : problem.message,
        )
        .join("; "),
      userId: null,
    };
  if (row.action === "skip")
    return { outcome: "skipped", detail: row.reason ?? "Nothing to do", userId: row.userId };
  try {
    return await db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      let userId = row.userId;
      if (row.action === "create") {
        const [created] = await tx
          .insert(schema.users)
          .values({ email: row.email, passwordHash: NO_PASSWORD_HASH })
          .onConflictDoNothing({ target: schema.users.email })
          .returning({ id: schema.users.id });
        if (created) {
          await recordAudit(tx, actor, {
            action: "user.import",
            targetType: "user",
            targetId: created.id,
            after: { email: row.email, row: row.row, source: "csv" },
          });
          await grantRow(tx, actor, created.id, row);
          return {
            outcome: "created" as const,
            detail:
              row.tierSlug && row.grantEndsAt
                ? `New account, with ${describeGrant(row.tierSlug, row.grantEndsAt)}`
                : "New account",
            userId: created.id,
          };
        }
        // Someone made the account between the plan and now: it is an existing account.
        const [found] = await tx
          .select({ id: schema.users.id })
          .from(schema.users)
          .where(inArray(schema.users.email, [row.email]));
        if (!found) throw new RowFailed("The account could not be created");
        userId = found.id;
        if (row.tierSlug === null)
          return {
            outcome: "skipped" as const,
            detail: "An account with this address was made meanwhile; the row grants nothing",
            userId,
          };
      }
      if (userId === null || row.tierSlug === null || row.grantEndsAt === null)
        throw new RowFailed("Nothing to grant");
      // Checked again here: a grant made since the plan must not be repeated.
      const grants = await currentGrants(tx, [userId], now);
      if (alreadyGranted(grants.get(userId), row.tierSlug, row.grantEndsAt))
        return {
          outcome: "skipped" as const,
          detail: "The account already holds a grant of this tier lasting at least as long",
          userId,
        };
      await grantRow(tx, actor, userId, row);
      return {
        outcome: "granted" as const,
        detail: `Existing account, granted ${describeGrant(row.tierSlug, row.grantEndsAt)}`,
        userId,
      };
    });
  } catch (error) {
    if (error instanceof RowFailed)
      return { outcome: "failed", detail: error.message, userId: row.userId };
    throw error;
  }
}

/**
 * Imports the file: plans it again against the database as it is now (the preview may be
 * stale, and the file is checked anew), then applies each row in its own transaction, so
 * a failed row leaves nothing of itself behind and the other rows stand. Each new account
 * is recorded in the audit log as "user.import"; each grant as "grant.create".
 */
export async function applyImport(
  db: Db,
  actor: Actor,
  content: Uint8Array | string,
  now = new Date(),
  options: {
    /** Mails each new account an invitation, after its row is written. */
    invite?: (userId: string, email: string) => Promise<void>;
  } = {},
): Promise<ImportReport> {
  const plan = await planImport(db, content, now);
  const rows: ImportResultRow[] = [];
  for (const planned of plan.rows) {
    const result = await applyRow(db, actor, planned, now);
    if (options.invite && result.outcome === "created" && result.userId) {
      try {
        await options.invite(result.userId, planned.email);
        result.detail += "; invitation sent";
      } catch {
        // The account stands; the member can still ask for a link on the sign-in page.
        result.detail += "; the invitation could not be sent";
      }
    }
    rows.push({ row: planned.row, email: planned.email, ...result });
  }
  const counts = { created: 0, granted: 0, skipped: 0, failed: 0 };
  for (const row of rows) counts[row.outcome] += 1;
  return { rows, counts };
}
