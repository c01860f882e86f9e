import {
  changedFields,
  type EditableBriefing,
  type ProfileDocument,
  type ProfileStatus,
  profileDocumentSchema,
  slugify,
} from "@briefings/core";
import { and, asc, desc, eq, ilike, inArray, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  briefings,
  profileAlsoRead,
  profileRedirects,
  profileRevisions,
  profileSections,
  profileSources,
  profiles,
  profileTopics,
  tiers,
  topics,
} from "../schema.ts";
import { type AuditActor, recordAudit } from "./audit.ts";
import { decodeDateCursor, encodeCursor } from "./cursor.ts";
import { publicChangedSections, recordProfileChange } from "./profile-changes.ts";
import { ContentWriteError, ensureTopics, profileColumns, type Tx } from "./save-content.ts";

// The editorial side of profiles: staff routes only (the portal checks the role before it
// calls any of these). Unlike the readers' queries, these return briefings unredacted.

export type EditorListItem = {
  id: string;
  slug: string;
  name: string;
  status: ProfileStatus;
  version: number;
  publishedAt: Date;
  updatedAt: Date;
  isDemo: boolean;
};

export type EditorListFilters = { q?: string; status?: ProfileStatus; after?: string };

/** Profiles for the editors' list, last edited first, by keyset on (updated_at, id). */
export async function listProfilesForEditing(
  db: Db,
  filters: EditorListFilters,
  limit = 50,
): Promise<{ items: EditorListItem[]; next: string | null }> {
  const conditions: SQL[] = [];
  if (filters.status) conditions.push(eq(profiles.status, filters.status));
  if (filters.q) {
    const pattern = `%${filters.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conditions.push(or(ilike(profiles.name, pattern), ilike(profiles.slug, pattern)) as SQL);
  }
  if (filters.after) {
    const [at, id] = decodeDateCursor(filters.after);
    conditions.push(
      or(lt(profiles.updatedAt, at), and(eq(profiles.updatedAt, at), lt(profiles.id, id))) as SQL,
    );
  }
  const rows = await db
    .select({
      id: profiles.id,
      slug: profiles.slug,
      name: profiles.name,
      status: profiles.status,
      version: profiles.version,
      publishedAt: profiles.publishedAt,
      updatedAt: profiles.updatedAt,
      isDemo: profiles.isDemo,
    })
    .from(profiles)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(profiles.updatedAt), desc(profiles.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items,
    next:
      rows.length > limit && last ? encodeCursor([last.updatedAt.toISOString(), last.id]) : null,
  };
}

export type EditableProfile = {
  id: string;
  version: number;
  status: ProfileStatus;
  publishedAt: Date;
  updatedAt: Date;
  isDemo: boolean;
  document: ProfileDocument;
};

/** A profile as its editor sees it: every field and every briefing, whatever its gate. */
export async function loadEditableProfile(
  db: Db | Tx,
  id: string,
): Promise<EditableProfile | null> {
  const [row] = await db.select().from(profiles).where(eq(profiles.id, id)).limit(1);
  if (!row) return null;
  const [sections, sources, alsoRead, topicRows, briefingRows] = await Promise.all([
    db
      .select()
      .from(profileSections)
      .where(eq(profileSections.profileId, id))
      .orderBy(asc(profileSections.position)),
    db
      .select()
      .from(profileSources)
      .where(eq(profileSources.profileId, id))
      .orderBy(asc(profileSources.position)),
    db
      .select()
      .from(profileAlsoRead)
      .where(eq(profileAlsoRead.profileId, id))
      .orderBy(asc(profileAlsoRead.position)),
    db
      .select({ name: topics.name })
      .from(profileTopics)
      .innerJoin(topics, eq(topics.id, profileTopics.topicId))
      .where(eq(profileTopics.profileId, id))
      .orderBy(asc(topics.name)),
    db.select().from(briefings).where(eq(briefings.profileId, id)).orderBy(asc(briefings.position)),
  ]);
  const document: ProfileDocument = {
    profile: {
      slug: row.slug,
      name: row.name,
      type: row.type,
      ecosystem: row.ecosystem,
      base: row.base,
      focus: row.focus as ProfileDocument["profile"]["focus"],
      summary: row.summary,
      whatItDoes: row.whatItDoes,
      whyItMatters: row.whyItMatters,
      criticality: row.criticality,
      timeHorizon: row.timeHorizon,
      whatToWatch: row.whatToWatch,
      keyPoints: row.keyPoints,
      sections: sections.map((s) => ({ heading: s.heading, paragraphs: s.paragraphs })),
      sources: sources.map((s) => ({
        title: s.title,
        publisher: s.publisher,
        url: s.url,
        publishedAt: s.publishedAt,
        reliability: s.reliability,
      })),
      sourcesNote: row.sourcesNote,
      alsoRead: alsoRead.map((r) => ({ title: r.title, href: r.href })),
      topics: topicRows.map((t) => t.name),
      confidence: row.confidence,
      lastReviewedAt: row.lastReviewedAt,
    },
    status: row.status,
    publishAt: row.status === "scheduled" ? row.publishedAt : null,
    briefings: briefingRows.map(
      (b): EditableBriefing => ({
        kind: b.kind,
        label: b.label,
        title: b.title,
        gate:
          b.gateKind === "tier" && b.gateTier
            ? { kind: "tier", tier: b.gateTier }
            : { kind: b.gateKind === "members" ? "members" : "public" },
        body: b.body,
        sources: b.sources,
      }),
    ),
  };
  return {
    id: row.id,
    version: row.version,
    status: row.status,
    publishedAt: row.publishedAt,
    updatedAt: row.updatedAt,
    isDemo: row.isDemo,
    document,
  };
}

export type SaveProfileResult =
  | { ok: true; id: string; version: number; slug: string }
  | {
      ok: false;
      reason: "conflict";
      /** The version saved meanwhile, who saved it and when. */
      current: { version: number; author: string; at: Date };
    }
  | { ok: false; reason: "slug-taken"; slug: string }
  | { ok: false; reason: "unknown-tier"; tier: string }
  | { ok: false; reason: "not-found" };

/** Thrown inside a transaction to roll it back with a result for the caller. */
class SaveRefused extends Error {
  constructor(readonly result: Exclude<SaveProfileResult, { ok: true }>) {
    super(result.reason);
  }
}

/** A Postgres error's code and constraint, wherever drizzle wrapped it. */
function databaseError(error: unknown): { code: string; constraint: string } | null {
  for (let e = error; e instanceof Error; e = e.cause) {
    const { code, constraint_name, constraint } = e as {
      code?: unknown;
      constraint_name?: unknown;
      constraint?: unknown;
    };
    if (typeof code === "string")
      return { code, constraint: String(constraint_name ?? constraint ?? "") };
  }
  return null;
}

/**
 * The result of a refused save, or the failure as a ContentWriteError: drizzle's own errors
 * quote every bound value (briefing bodies included), which must never reach a log.
 */
function refusedOrThrow(error: unknown, slug: string): SaveProfileResult {
  if (error instanceof SaveRefused) return error.result;
  const cause = databaseError(error);
  // Two editors taking the same new address at once: the slower one is told so.
  if (cause?.code === "23505" && cause.constraint === "profiles_slug_unique")
    return { ok: false, reason: "slug-taken", slug };
  throw new ContentWriteError("the profile", error);
}

async function checkTiers(tx: Tx, document: ProfileDocument): Promise<void> {
  const named = [
    ...new Set(document.briefings.flatMap((b) => (b.gate.kind === "tier" ? [b.gate.tier] : []))),
  ];
  if (named.length === 0) return;
  // Locked until the save commits, so no tier is renamed under the briefings' gates.
  const known = await tx
    .select({ slug: tiers.slug })
    .from(tiers)
    .where(inArray(tiers.slug, named))
    .for("share");
  const missing = named.find((slug) => !known.some((row) => row.slug === slug));
  if (missing) throw new SaveRefused({ ok: false, reason: "unknown-tier", tier: missing });
}

async function checkSlugFree(tx: Tx, slug: string, ownId: string | null): Promise<void> {
  const [other] = await tx
    .select({ id: profiles.id })
    .from(profiles)
    .where(eq(profiles.slug, slug))
    .limit(1);
  if (other && other.id !== ownId) throw new SaveRefused({ ok: false, reason: "slug-taken", slug });
}

/** Replaces a profile's lists and briefings with the document's. */
async function writeChildren(tx: Tx, profileId: string, document: ProfileDocument) {
  const { profile } = document;
  for (const table of [profileSections, profileSources, profileAlsoRead, profileTopics]) {
    await tx.delete(table).where(eq(table.profileId, profileId));
  }
  await tx.delete(briefings).where(eq(briefings.profileId, profileId));
  if (profile.sections.length)
    await tx
      .insert(profileSections)
      .values(profile.sections.map((s, position) => ({ profileId, position, ...s })));
  if (profile.sources.length)
    await tx.insert(profileSources).values(
      profile.sources.map((s, position) => ({
        profileId,
        position,
        title: s.title,
        publisher: s.publisher,
        url: s.url,
        publishedAt: s.publishedAt,
        reliability: s.reliability ?? null,
      })),
    );
  if (profile.alsoRead.length)
    await tx
      .insert(profileAlsoRead)
      .values(profile.alsoRead.map((r, position) => ({ profileId, position, ...r })));
  if (profile.topics.length) {
    const ids = await ensureTopics(tx, profile.topics);
    const topicIds = [...new Set(profile.topics.map((name) => ids.get(slugify(name)) as string))];
    await tx.insert(profileTopics).values(topicIds.map((topicId) => ({ profileId, topicId })));
  }
  if (document.briefings.length)
    await tx.insert(briefings).values(
      document.briefings.map((b, position) => ({
        profileId,
        kind: b.kind,
        label: b.label,
        title: b.title,
        gateKind: b.gate.kind,
        gateTier: b.gate.kind === "tier" ? b.gate.tier : null,
        position,
        body: b.body,
        sources: b.sources,
      })),
    );
}

function publicColumns(document: ProfileDocument) {
  return { ...profileColumns(document.profile), status: document.status };
}

/** A snapshot as stored: the document as JSON (dates as ISO strings). */
function snapshotOf(document: ProfileDocument): Record<string, unknown> {
  return JSON.parse(JSON.stringify(document)) as Record<string, unknown>;
}

async function recordRevision(
  tx: Tx,
  profileId: string,
  version: number,
  document: ProfileDocument,
  actor: Pick<AuditActor, "id" | "name">,
) {
  await tx
    .insert(profileRevisions)
    .values({
      profileId,
      version,
      status: document.status,
      snapshot: snapshotOf(document),
      authorId: actor.id,
      author: actor.name,
    })
    .onConflictDoNothing();
}

/** Keeps the old address working: it redirects to the profile wherever it moves next. */
async function keepRedirect(tx: Tx, profileId: string, oldSlug: string, newSlug: string) {
  // The new address now belongs to this profile, not to whatever redirected from it.
  await tx.delete(profileRedirects).where(eq(profileRedirects.fromSlug, newSlug));
  if (oldSlug === newSlug) return;
  await tx
    .insert(profileRedirects)
    .values({ fromSlug: oldSlug, profileId })
    .onConflictDoUpdate({ target: profileRedirects.fromSlug, set: { profileId } });
}

/** A new profile at version 1, with its first revision and an audit entry. */
export async function createProfile(
  db: Db,
  actor: AuditActor,
  document: ProfileDocument,
  now = new Date(),
): Promise<SaveProfileResult> {
  try {
    return await db.transaction(async (tx) => {
      await checkSlugFree(tx, document.profile.slug, null);
      await checkTiers(tx, document);
      const [row] = await tx
        .insert(profiles)
        .values({
          ...publicColumns(document),
          version: 1,
          publishedAt:
            document.status === "scheduled" && document.publishAt ? document.publishAt : now,
          createdAt: now,
          updatedAt: now,
        })
        .returning({ id: profiles.id });
      const id = (row as { id: string }).id;
      await writeChildren(tx, id, document);
      await keepRedirect(tx, id, document.profile.slug, document.profile.slug);
      await recordRevision(tx, id, 1, document, actor);
      await recordAudit(tx, actor, {
        action: "profile.create",
        targetType: "profile",
        targetId: id,
        after: { version: 1, slug: document.profile.slug, status: document.status },
      });
      return { ok: true as const, id, version: 1, slug: document.profile.slug };
    });
  } catch (error) {
    return refusedOrThrow(error, document.profile.slug);
  }
}

export type UpdateOptions = {
  /** Set when the document is an old revision being restored. */
  restoredFrom?: number;
  now?: Date;
};

/**
 * Saves a new version of a profile, if nobody saved one since `expectedVersion` (the
 * version the editor opened): otherwise nothing is written and the caller learns who
 * saved what and when. The row is locked for the check, so two saves never interleave.
 */
export async function updateProfile(
  db: Db,
  actor: AuditActor,
  id: string,
  expectedVersion: number,
  document: ProfileDocument,
  options: UpdateOptions = {},
): Promise<SaveProfileResult> {
  const now = options.now ?? new Date();
  try {
    return await db.transaction(async (tx) => {
      const [locked] = await tx
        .select({ version: profiles.version })
        .from(profiles)
        .where(eq(profiles.id, id))
        .for("update");
      if (!locked) throw new SaveRefused({ ok: false, reason: "not-found" });
      if (locked.version !== expectedVersion) {
        const [latest] = await tx
          .select({ author: profileRevisions.author, at: profileRevisions.createdAt })
          .from(profileRevisions)
          .where(
            and(eq(profileRevisions.profileId, id), eq(profileRevisions.version, locked.version)),
          );
        throw new SaveRefused({
          ok: false,
          reason: "conflict",
          current: {
            version: locked.version,
            author: latest?.author ?? "someone",
            at: latest?.at ?? now,
          },
        });
      }
      const before = (await loadEditableProfile(tx, id)) as EditableProfile;
      await checkSlugFree(tx, document.profile.slug, id);
      await checkTiers(tx, document);
      // Content saved before the editor existed (seed, import) gets its revision now, so the
      // first edit has something to be compared with and restored.
      await recordRevision(tx, id, before.version, before.document, {
        id: null,
        name: "(before the first edit)",
      });
      const version = before.version + 1;
      const publishedAt =
        document.status === "scheduled" && document.publishAt
          ? document.publishAt
          : document.status === "published" && before.status !== "published"
            ? now
            : before.publishedAt;
      await tx
        .update(profiles)
        .set({ ...publicColumns(document), version, publishedAt, updatedAt: now })
        .where(eq(profiles.id, id));
      await writeChildren(tx, id, document);
      await keepRedirect(tx, id, before.document.profile.slug, document.profile.slug);
      await recordRevision(tx, id, version, document, actor);
      // Readers and followers see which public sections changed (never briefing text);
      // only while the profile is public before and after: a publication is not a change.
      if (before.status === "published" && document.status === "published") {
        await recordProfileChange(tx, {
          profileId: id,
          version,
          sections: publicChangedSections(before.document, document),
          at: now,
        });
      }
      await recordAudit(tx, actor, {
        action: options.restoredFrom ? "profile.restore" : "profile.update",
        targetType: "profile",
        targetId: id,
        before: {
          version: before.version,
          slug: before.document.profile.slug,
          status: before.status,
        },
        after: {
          version,
          slug: document.profile.slug,
          status: document.status,
          changed: changedFields(before.document, document),
          ...(options.restoredFrom ? { restoredFrom: options.restoredFrom } : {}),
        },
      });
      return { ok: true as const, id, version, slug: document.profile.slug };
    });
  } catch (error) {
    return refusedOrThrow(error, document.profile.slug);
  }
}

/**
 * Publishes scheduled profiles whose time has come. The server runs it every few seconds;
 * each publication is in the audit log under "scheduler".
 */
export async function publishDueProfiles(db: Db, now = new Date()): Promise<string[]> {
  return db.transaction(async (tx) => {
    // A publication is a new version, like any save: an editor who opened the scheduled
    // version and saves it later is told that it changed meanwhile.
    const due = await tx
      .update(profiles)
      .set({ status: "published", version: sql`${profiles.version} + 1` })
      .where(
        and(
          eq(profiles.status, "scheduled"),
          sql`${profiles.publishedAt} <= ${sql.param(now, profiles.publishedAt)}`,
        ),
      )
      .returning({ id: profiles.id, slug: profiles.slug, version: profiles.version });
    const scheduler = { id: null, name: "scheduler" };
    for (const row of due) {
      const published = (await loadEditableProfile(tx, row.id)) as EditableProfile;
      await recordRevision(tx, row.id, row.version, published.document, scheduler);
      await recordAudit(tx, scheduler, {
        action: "profile.publish",
        targetType: "profile",
        targetId: row.id,
        before: { status: "scheduled", version: row.version - 1 },
        after: { status: "published", version: row.version, slug: row.slug },
      });
    }
    return due.map((row) => row.id);
  });
}

export type RevisionSummary = {
  version: number;
  status: ProfileStatus;
  author: string;
  createdAt: Date;
};

export async function listProfileRevisions(db: Db, profileId: string): Promise<RevisionSummary[]> {
  return db
    .select({
      version: profileRevisions.version,
      status: profileRevisions.status,
      author: profileRevisions.author,
      createdAt: profileRevisions.createdAt,
    })
    .from(profileRevisions)
    .where(eq(profileRevisions.profileId, profileId))
    .orderBy(desc(profileRevisions.version));
}

/** One stored revision, parsed back into a document (null when there is none). */
export async function loadProfileRevision(
  db: Db,
  profileId: string,
  version: number,
): Promise<ProfileDocument | null> {
  const [row] = await db
    .select({ snapshot: profileRevisions.snapshot })
    .from(profileRevisions)
    .where(and(eq(profileRevisions.profileId, profileId), eq(profileRevisions.version, version)));
  if (!row) return null;
  return profileDocumentSchema.parse(row.snapshot);
}

/** Where an old address of a profile now lives: the current slug of a published profile. */
export async function findProfileRedirect(db: Db, slug: string): Promise<string | null> {
  const [row] = await db
    .select({ slug: profiles.slug })
    .from(profileRedirects)
    .innerJoin(profiles, eq(profiles.id, profileRedirects.profileId))
    .where(and(eq(profileRedirects.fromSlug, slug), eq(profiles.status, "published")))
    .limit(1);
  return row && row.slug !== slug ? row.slug : null;
}
