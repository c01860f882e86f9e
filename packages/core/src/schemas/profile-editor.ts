import { z } from "zod";
import { confidenceScoreSchema, formatConfidence } from "../confidence.ts";
import { type Gate, gateFromString, gateToString } from "../gate.ts";
import { SLUG_PATTERN } from "../tier.ts";
import { BRIEFING_KINDS, type BriefingSource, briefingSchema } from "./briefing.ts";
import { webUrlSchema } from "./common.ts";
import { CRITICALITIES, PROFILE_FOCUSES, profileSchema, SOURCE_RELIABILITIES } from "./profile.ts";

/** Where a profile is in its life: readers see published ones only. */
export const PROFILE_STATUSES = ["draft", "scheduled", "published"] as const;
export type ProfileStatus = (typeof PROFILE_STATUSES)[number];

/** A briefing as an editor writes it; its position is its place in the list. */
export const editableBriefingSchema = briefingSchema.pick({
  kind: true,
  label: true,
  title: true,
  gate: true,
  body: true,
  sources: true,
});
export type EditableBriefing = z.infer<typeof editableBriefingSchema>;

/**
 * Everything an editor saves about a profile in one go: its public fields, when readers
 * see it, and its briefings. A revision stores exactly this, so a restore is a save.
 */
export const profileDocumentSchema = z
  .object({
    profile: profileSchema.omit({ publishedAt: true, updatedAt: true }),
    status: z.enum(PROFILE_STATUSES),
    /** The publication time of a scheduled profile; otherwise unused. */
    publishAt: z.coerce.date().nullable(),
    briefings: z.array(editableBriefingSchema).max(20),
  })
  .superRefine((doc, ctx) => {
    if (doc.status === "scheduled" && !doc.publishAt) {
      ctx.addIssue({
        code: "custom",
        path: ["publishAt"],
        message: "A scheduled profile needs a publication time",
      });
    }
  });
export type ProfileDocument = z.infer<typeof profileDocumentSchema>;

// ---------------------------------------------------------------------------------------
// The editor's form: flat strings as a browser posts them (lists one item per line,
// paragraphs split by a blank line), turned into a ProfileDocument by the same schema in
// the browser and on the server.

const required = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, { error: `${label} is required` })
    .max(max, { error: `${label} is longer than ${max} characters` });

const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, { error: `${label} is longer than ${max} characters` })
    .optional();

/** A textarea of bullets: one per line, blank lines dropped. */
const lines = (label: string, maxItems: number, maxLength: number) =>
  z
    .string()
    .max(maxItems * (maxLength + 2), { error: `${label} is too long` })
    .optional()
    .transform((value, ctx) => {
      const items = (value ?? "")
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter(Boolean);
      if (items.length > maxItems)
        ctx.addIssue({ code: "custom", message: `${label}: at most ${maxItems} lines` });
      const long = items.findIndex((item) => item.length > maxLength);
      if (long >= 0)
        ctx.addIssue({
          code: "custom",
          message: `${label}, line ${long + 1}: longer than ${maxLength} characters`,
        });
      return items;
    });

/** Paragraphs separated by blank lines. */
export function splitParagraphs(value: string): string[] {
  return value
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
}

/** "YYYY-MM-DD" or a full ISO time; the editor's date inputs send the former. */
const optionalDate = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
      if (Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: "custom", message: `${label} is not a date` });
        return null;
      }
      return date;
    });

/** A datetime-local value ("2026-11-24T09:30"), read as UTC: the editor labels it so. */
const optionalUtcDateTime = (label: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, ctx) => {
      if (!value) return null;
      const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value) ? `${value}Z` : value;
      const date = new Date(iso);
      if (Number.isNaN(date.getTime())) {
        ctx.addIssue({ code: "custom", message: `${label} is not a date and time` });
        return null;
      }
      return date;
    });

const gateField = z
  .string({ error: "Choose who may read this briefing" })
  .transform((value, ctx): Gate => {
    try {
      return gateFromString(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `Unknown gate "${value.slice(0, 40)}"` });
      return { kind: "public" };
    }
  });

/** Briefing sources, one per line: "Title | https://url | note" (URL and note optional). */
const briefingSourceLines = z
  .string()
  .max(200 * 2400, { error: "Sources are too long" })
  .optional()
  .transform((value, ctx): BriefingSource[] => {
    const out: BriefingSource[] = [];
    const rows = (value ?? "").split(/\r?\n/);
    rows.forEach((row, index) => {
      if (!row.trim()) return;
      const [title = "", url = "", ...note] = row.split("|").map((part) => part.trim());
      const where = `Source line ${index + 1}`;
      if (!title) ctx.addIssue({ code: "custom", message: `${where}: the title is missing` });
      if (title.length > 300)
        ctx.addIssue({ code: "custom", message: `${where}: the title is too long` });
      const parsedUrl = url ? webUrlSchema.safeParse(url) : null;
      if (parsedUrl && !parsedUrl.success)
        ctx.addIssue({
          code: "custom",
          message: `${where}: ${parsedUrl.error.issues[0]?.message}`,
        });
      out.push({ title, url: parsedUrl?.success ? parsedUrl.data : null, note: note.join(" | ") });
    });
    if (out.length > 200) ctx.addIssue({ code: "custom", message: "At most 200 sources" });
    return out;
  });

export const profileFormSchema = z
  .object({
    slug: required("Slug", 120).regex(SLUG_PATTERN, {
      error: "Slug: lower-case letters, digits and single hyphens only",
    }),
    name: required("Name", 300),
    type: required("Type", 200),
    ecosystem: required("Ecosystem", 200),
    base: required("Base", 100),
    focus: z.enum(PROFILE_FOCUSES, { error: "Choose a focus" }),
    summary: required("Summary", 5000),
    whatItDoes: lines("What it does", 30, 1000),
    whyItMatters: lines("Why it matters", 30, 1000),
    criticality: z.enum(CRITICALITIES, { error: "Choose a criticality" }),
    timeHorizon: required("Time horizon", 100),
    whatToWatch: lines("What to watch", 30, 1000),
    keyPoints: lines("Key points", 30, 1000),
    sourcesNote: optionalText("Sources note", 300),
    topics: z
      .string()
      .max(4000)
      .optional()
      .transform((value, ctx) => {
        const items = [
          ...new Set(
            (value ?? "")
              .split(",")
              .map((topic) => topic.trim())
              .filter(Boolean),
          ),
        ];
        if (items.length > 30) ctx.addIssue({ code: "custom", message: "At most 30 topics" });
        if (items.some((item) => item.length > 100))
          ctx.addIssue({ code: "custom", message: "A topic is longer than 100 characters" });
        return items;
      }),
    confidence: z.coerce
      .number({ error: "Confidence must be a number between 0 and 1" })
      .pipe(confidenceScoreSchema),
    lastReviewedAt: optionalDate("Last reviewed"),
    status: z.enum(PROFILE_STATUSES, { error: "Choose draft, scheduled or published" }),
    publishAt: optionalUtcDateTime("Publish at"),
    sections: z
      .array(
        z.object({
          heading: required("Heading", 200),
          body: required("Section text", 50 * 5000).transform(splitParagraphs),
        }),
      )
      .max(50)
      .default([]),
    sources: z
      .array(
        z.object({
          title: required("Source title", 300),
          publisher: required("Publisher", 200),
          url: webUrlSchema,
          publishedAt: optionalDate("Source date"),
          reliability: z.enum(SOURCE_RELIABILITIES).optional(),
        }),
      )
      .max(100)
      .default([]),
    alsoRead: z
      .array(
        z.object({
          title: required("Title", 300),
          href: z.string().trim().max(2048).optional(),
        }),
      )
      .max(30)
      .default([]),
    briefings: z
      .array(
        z.object({
          kind: z.enum(BRIEFING_KINDS, { error: "Choose a kind" }),
          label: required("Label", 100),
          title: required("Title", 300),
          gate: gateField,
          body: z
            .string()
            .max(200_000, { error: "The text is longer than 200,000 characters" })
            .optional(),
          sources: briefingSourceLines,
        }),
      )
      .max(20)
      .default([]),
  })
  .transform((form, ctx): ProfileDocument => {
    const document = {
      profile: {
        slug: form.slug,
        name: form.name,
        type: form.type,
        ecosystem: form.ecosystem,
        base: form.base,
        focus: form.focus,
        summary: form.summary,
        whatItDoes: form.whatItDoes,
        whyItMatters: form.whyItMatters,
        criticality: form.criticality,
        timeHorizon: form.timeHorizon,
        whatToWatch: form.whatToWatch,
        keyPoints: form.keyPoints,
        sections: form.sections.map((s) => ({ heading: s.heading, paragraphs: s.body })),
        sources: form.sources.map((s) => ({
          title: s.title,
          publisher: s.publisher,
          url: s.url,
          publishedAt: s.publishedAt,
          reliability: s.reliability ?? null,
        })),
        sourcesNote: form.sourcesNote || null,
        alsoRead: form.alsoRead.map((r) => ({ title: r.title, href: r.href || null })),
        topics: form.topics,
        confidence: form.confidence,
        lastReviewedAt: form.lastReviewedAt,
      },
      status: form.status,
      publishAt: form.publishAt,
      briefings: form.briefings.map((b) => ({
        kind: b.kind,
        label: b.label,
        title: b.title,
        gate: b.gate,
        body: b.body ?? "",
        sources: b.sources,
      })),
    };
    if (form.status === "scheduled" && !form.publishAt) {
      ctx.addIssue({ code: "custom", path: ["publishAt"], message: "Choose when to publish" });
    } else if (form.status === "scheduled" && form.publishAt && form.publishAt <= new Date()) {
      ctx.addIssue({
        code: "custom",
        path: ["publishAt"],
        message: "The publication time has passed: publish now, or choose a later time",
      });
    }
    // The document's own rules (href shapes and the like) speak through the form.
    const checked = profileDocumentSchema.safeParse(document);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const path = formPath(issue.path);
        ctx.addIssue({ code: "custom", path, message: issue.message });
      }
      return z.NEVER;
    }
    return checked.data;
  });
export type ProfileFormInput = z.input<typeof profileFormSchema>;

/** A document issue's path, as the form field it came from. */
function formPath(path: readonly PropertyKey[]): (string | number)[] {
  const [head, ...rest] = path.map((part) => (typeof part === "symbol" ? String(part) : part));
  if (head === "profile") {
    // sections[i].paragraphs → sections[i].body
    return rest.map((part) => (part === "paragraphs" ? "body" : part));
  }
  return head === undefined ? [] : [head, ...rest];
}

function isoDay(date: Date | null | undefined): string {
  return date ? date.toISOString().slice(0, 10) : "";
}

/** A document as the editor's form shows it: the inverse of profileFormSchema. */
export function profileFormValues(document: ProfileDocument) {
  const { profile } = document;
  return {
    slug: profile.slug,
    name: profile.name,
    type: profile.type,
    ecosystem: profile.ecosystem,
    base: profile.base,
    focus: profile.focus,
    summary: profile.summary,
    whatItDoes: profile.whatItDoes.join("\n"),
    whyItMatters: profile.whyItMatters.join("\n"),
    criticality: profile.criticality,
    timeHorizon: profile.timeHorizon,
    whatToWatch: profile.whatToWatch.join("\n"),
    keyPoints: profile.keyPoints.join("\n"),
    sourcesNote: profile.sourcesNote ?? "",
    topics: profile.topics.join(", "),
    confidence: formatConfidence(profile.confidence),
    lastReviewedAt: isoDay(profile.lastReviewedAt),
    status: document.status,
    publishAt: document.publishAt ? document.publishAt.toISOString().slice(0, 16) : "",
    sections: profile.sections.map((s) => ({
      heading: s.heading,
      body: s.paragraphs.join("\n\n"),
    })),
    sources: profile.sources.map((s) => ({
      title: s.title,
      publisher: s.publisher,
      url: s.url,
      publishedAt: isoDay(s.publishedAt),
      reliability: s.reliability ?? "",
    })),
    alsoRead: profile.alsoRead.map((r) => ({ title: r.title, href: r.href ?? "" })),
    briefings: document.briefings.map((b) => ({
      kind: b.kind,
      label: b.label,
      title: b.title,
      gate: gateToString(b.gate),
      body: b.body,
      sources: b.sources
        .map((s) => [s.title, s.url ?? "", s.note].join(" | ").replace(/( \| )+$/, ""))
        .join("\n"),
    })),
  };
}

/** A blank profile for the "new profile" form: a draft with the seed page's three gates. */
export function newProfileDocument(): ProfileDocument {
  return {
    profile: {
      slug: "",
      name: "",
      type: "",
      ecosystem: "",
      base: "",
      focus: "Institution",
      summary: "",
      whatItDoes: [],
      whyItMatters: [],
      criticality: "Medium",
      timeHorizon: "",
      whatToWatch: [],
      keyPoints: [],
      sections: [],
      sources: [],
      sourcesNote: null,
      alsoRead: [],
      topics: [],
      confidence: 0.5,
      lastReviewedAt: null,
    },
    status: "draft",
    publishAt: null,
    briefings: [],
  };
}

/**
 * A document as readable text, one field per block, for the revision diff. Everything an
 * editor can change appears, so a diff of two of these shows every change.
 */
export function profileDocumentText(document: ProfileDocument): string {
  const { profile: p } = document;
  const out: string[] = [
    `Status: ${document.status}${document.publishAt ? ` at ${document.publishAt.toISOString()}` : ""}`,
    `Slug: ${p.slug}`,
    `Name: ${p.name}`,
    `Type: ${p.type}`,
    `Ecosystem: ${p.ecosystem}`,
    `Base: ${p.base}`,
    `Focus: ${p.focus}`,
    `Criticality: ${p.criticality}`,
    `Time horizon: ${p.timeHorizon}`,
    `Confidence: ${p.confidence}`,
    `Last reviewed: ${isoDay(p.lastReviewedAt) || "—"}`,
    `Topics: ${p.topics.join(", ")}`,
    "",
    "Summary:",
    p.summary,
    "",
  ];
  const list = (title: string, items: string[]) => {
    out.push(`${title}:`, ...items.map((item) => `- ${item}`), "");
  };
  list("What it does", p.whatItDoes);
  list("Why it matters", p.whyItMatters);
  list("What to watch", p.whatToWatch);
  list("Key points", p.keyPoints);
  for (const section of p.sections) out.push(`## ${section.heading}`, ...section.paragraphs, "");
  list(
    "Sources",
    p.sources.map(
      (s) =>
        `${s.title} — ${s.publisher}, ${s.url}${s.publishedAt ? `, ${isoDay(s.publishedAt)}` : ""}${s.reliability ? ` (reliability ${s.reliability})` : ""}`,
    ),
  );
  out.push(`Sources note: ${p.sourcesNote ?? "—"}`, "");
  list(
    "Also read",
    p.alsoRead.map((r) => (r.href ? `${r.title} <${r.href}>` : r.title)),
  );
  document.briefings.forEach((b, i) => {
    out.push(`=== Briefing ${i + 1}: ${b.label} — ${b.title} [${b.kind}, ${gateToString(b.gate)}]`);
    out.push(b.body, "");
    for (const s of b.sources)
      out.push(`Source: ${s.title}${s.url ? ` <${s.url}>` : ""} ${s.note}`.trim());
    out.push("");
  });
  return out.join("\n");
}

/** Names of the top-level things that differ between two documents, for the audit log. */
export function changedFields(before: ProfileDocument, after: ProfileDocument): string[] {
  const changed: string[] = [];
  const keys = Object.keys(after.profile) as (keyof ProfileDocument["profile"])[];
  // Topics are a set: stored ones come back in name order.
  const comparable = (document: ProfileDocument, key: (typeof keys)[number]) =>
    JSON.stringify(key === "topics" ? [...document.profile.topics].sort() : document.profile[key]);
  for (const key of keys) {
    if (comparable(before, key) !== comparable(after, key)) changed.push(key);
  }
  if (before.status !== after.status) changed.push("status");
  if (before.publishAt?.getTime() !== after.publishAt?.getTime()) changed.push("publishAt");
  if (JSON.stringify(before.briefings) !== JSON.stringify(after.briefings))
    changed.push("briefings");
  return changed;
}
