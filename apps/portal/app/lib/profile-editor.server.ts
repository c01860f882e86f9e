import {
  BRIEFING_KIND_LABELS,
  BRIEFING_KINDS,
  type ProfileDocument,
  profileDocumentText,
  profileFormSchema,
} from "@briefings/core";
import { listTiers, loadProfileRevision, type SaveProfileResult } from "@briefings/db/queries";
import { parseWithZod } from "@conform-to/zod/v4";
import { data } from "react-router";
import { z } from "zod";
import { db } from "./db.server.ts";
import { notFound } from "./http.server.ts";
import { type DiffBlock, lineDiff } from "./text-diff.server.ts";

// What the profile editor's routes share: the choices its selects offer, reading and
// answering a submission, and the conflict report when someone else saved first.

export const PRIVATE = { "Cache-Control": "private, no-store" } as const;

/** The id in the address; anything that is not a UUID is a 404 without a query. */
export function profileId(value: string | undefined): string {
  const parsed = z.uuid().safeParse(value);
  if (!parsed.success) notFound("There is no profile at this address.");
  return parsed.data;
}

export type Choice = { value: string; label: string };

/**
 * The gates a briefing may have: public, members, or any current tier. A retired tier
 * (it takes no new members) is offered only where a briefing of this profile already uses it.
 */
export async function gateChoices(inUse: readonly string[] = []): Promise<Choice[]> {
  const tiers = await listTiers(await db());
  return [
    { value: "public", label: "Public: everyone" },
    { value: "members", label: "Members: any signed-in reader" },
    ...tiers
      .filter((tier) => !tier.retiredAt || inUse.includes(`tier:${tier.slug}`))
      .map((tier) => ({
        value: `tier:${tier.slug}`,
        label: `${tier.name} and above${tier.retiredAt ? " (retired)" : ""}`,
      })),
  ];
}

/**
 * The readers an editor can preview a profile as: anonymous, any signed-in member, and a
 * member of each current tier (holding exactly that tier; higher ranks include lower ones).
 */
export async function previewPersonas(): Promise<Choice[]> {
  const tiers = await listTiers(await db());
  return [
    { value: "anonymous", label: "Anonymous reader" },
    { value: "member", label: "Signed-in member" },
    ...tiers
      .filter((tier) => !tier.retiredAt)
      .map((tier) => ({ value: tier.slug, label: tier.name })),
  ];
}

export const KIND_CHOICES: Choice[] = BRIEFING_KINDS.map((kind) => ({
  value: kind,
  label: BRIEFING_KIND_LABELS[kind],
}));

/** A profile form is at most a few megabytes; anything far past that is refused unread. */
const MAX_FORM_BYTES = 16 * 1024 * 1024;

/** The posted form, once its declared size is known to be reasonable (413 otherwise). */
export async function readEditorForm(request: Request): Promise<FormData> {
  const length = Number(request.headers.get("Content-Length") ?? Number.NaN);
  if (!Number.isFinite(length))
    throw data(
      { message: "The form was sent without a Content-Length" },
      { status: 411, headers: PRIVATE },
    );
  if (length > MAX_FORM_BYTES)
    throw data(
      {
        message: `The form is ${Math.round(length / 1024 / 1024)} MB; a profile may take at most 16 MB`,
      },
      { status: 413, headers: PRIVATE },
    );
  return request.formData();
}

export function parseProfileSubmission(formData: FormData) {
  return parseWithZod(formData, { schema: profileFormSchema });
}

type Submission = ReturnType<typeof parseProfileSubmission>;

/**
 * The answer to a submission that is not a save: a list button (add, remove, move) that
 * the server applied for a browser without JavaScript, or invalid fields.
 */
export function replyUnsaved(submission: Submission) {
  const invalid = submission.status === "error";
  return data(
    { result: submission.reply(), conflict: null },
    { status: invalid ? 400 : 200, headers: PRIVATE },
  );
}

export type ConflictReport = {
  version: number;
  author: string;
  at: string;
  /** What the other save changed, compared with the version this editor opened. */
  diff: DiffBlock[] | null;
};

/** A refused save, as the form shows it: the reason beside the field or above the form. */
export async function replyRefused(
  submission: Submission,
  result: Exclude<SaveProfileResult, { ok: true }>,
  context: { profileId?: string; baseVersion?: number } = {},
) {
  if (result.reason === "not-found") notFound("There is no profile at this address.");
  if (result.reason === "slug-taken") {
    return data(
      {
        result: submission.reply({
          fieldErrors: { slug: [`Another profile already has the address "${result.slug}"`] },
        }),
        conflict: null,
      },
      { status: 409, headers: PRIVATE },
    );
  }
  if (result.reason === "unknown-tier") {
    return data(
      {
        result: submission.reply({
          formErrors: [`No tier is called "${result.tier}": choose another gate`],
        }),
        conflict: null,
      },
      { status: 400, headers: PRIVATE },
    );
  }
  const { current } = result;
  let diff: DiffBlock[] | null = null;
  if (context.profileId && context.baseVersion !== undefined) {
    const database = await db();
    const [base, latest] = await Promise.all([
      loadProfileRevision(database, context.profileId, context.baseVersion),
      loadProfileRevision(database, context.profileId, current.version),
    ]);
    if (base && latest) diff = documentDiff(base, latest);
  }
  const conflict: ConflictReport = {
    version: current.version,
    author: current.author,
    at: current.at.toISOString(),
    diff,
  };
  return data(
    {
      result: submission.reply({
        formErrors: [
          `Not saved: ${current.author} saved a newer version (${current.version}) after you opened this one. Your changes are still in the form.`,
        ],
      }),
      conflict,
    },
    { status: 409, headers: PRIVATE },
  );
}

export function documentDiff(before: ProfileDocument, after: ProfileDocument): DiffBlock[] | null {
  return lineDiff(profileDocumentText(before), profileDocumentText(after));
}

/** The version a save builds on: the one opened, or the newer one an editor chose to replace. */
export function baseVersionOf(formData: FormData): number | null {
  const raw = formData.get("overwrite") ?? formData.get("baseVersion");
  const parsed = z.coerce.number().int().min(1).safeParse(raw);
  return parsed.success ? parsed.data : null;
}
