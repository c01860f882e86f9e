/**
 * Account administration from the command line, for what the app cannot do for itself:
 * creating the first owner or admin, and changing a role.
 *
 *   npm run users -- create <email> [--role member|editor|admin|owner]
 *       Creates a verified account and prints a generated password once.
 *   npm run users -- set-role <email> <member|editor|admin|owner>
 *       Changes the role; the account's sessions end.
 *
 * Uses the same database as the portal (DATABASE_URL, or the PGlite folder). Stop the
 * portal first when it runs on PGlite: only one process may open that folder.
 */
import { randomBytes } from "node:crypto";
import { ROLES, type Role } from "@briefings/core";
import { openDatabaseFromEnv, schema } from "@briefings/db/client";
import { eq } from "drizzle-orm";
import { emailSchema, setUserRole } from "../accounts.ts";
import { recordAudit } from "../audit.ts";
import { hashPassword } from "../password.ts";

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function parseRole(value: string | undefined): Role {
  if (!value || !(ROLES as readonly string[]).includes(value))
    fail(`Role must be one of ${ROLES.join(", ")}${value ? `, not "${value}"` : ""}.`);
  return value as Role;
}

const [command, rawEmail, ...rest] = process.argv.slice(2);
if (command !== "create" && command !== "set-role") {
  fail("Usage: npm run users -- create <email> [--role R] | set-role <email> <role>");
}
const email = emailSchema.safeParse(rawEmail ?? "");
if (!email.success) fail(`"${rawEmail ?? ""}" is not an e-mail address.`);

const handle = await openDatabaseFromEnv();
try {
  await handle.migrate();
  const { db } = handle;
  const [existing] = await db
    .select({ id: schema.users.id })
    .from(schema.users)
    .where(eq(schema.users.email, email.data));
  if (command === "create") {
    const roleFlag = rest.indexOf("--role");
    const role = roleFlag >= 0 ? parseRole(rest[roleFlag + 1]) : "member";
    if (existing) fail(`An account for ${email.data} exists already; use set-role.`);
    // 18 random bytes: 24 characters of base64url, far past every password rule.
    const password = randomBytes(18).toString("base64url");
    const passwordHash = await hashPassword(password);
    await db.transaction(async (tx) => {
      const [created] = await tx
        .insert(schema.users)
        .values({ email: email.data, passwordHash, role, emailVerifiedAt: new Date() })
        .returning({ id: schema.users.id });
      if (!created) throw new Error("insert returned no row");
      await recordAudit(
        tx as unknown as typeof db,
        { id: null, name: "cli (npm run users)" },
        {
          action: "user.create",
          targetType: "user",
          targetId: created.id,
          after: { email: email.data, role },
        },
      );
    });
    console.log(`Created ${email.data} (${role}). Password, shown once: ${password}`);
    console.log("Sign in and change it under Account → Change password.");
  } else {
    const role = parseRole(rest[0]);
    if (!existing) fail(`There is no account for ${email.data}.`);
    await setUserRole(db, existing.id, role, { id: null, name: "cli (npm run users)" });
    console.log(`${email.data} is now ${role}; their sessions have ended.`);
  }
} finally {
  await handle.close();
}
