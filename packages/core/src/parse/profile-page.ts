import { type Gate, MEMBERS_GATE, tierGate } from "../gate.ts";
import {
  type AlsoRead,
  type Profile,
  type ProfileSection,
  type ProfileSource,
  profileSchema,
} from "../schemas/profile.ts";
import { slugify } from "../text.ts";
import { DEFAULT_TIERS, type TierRef } from "../tier.ts";
import { repairMojibake } from "./mojibake.ts";

/** One row of the page's confidence legend: `| 0.90–1.00 | A | High — direct sources |`. */
export type ConfidenceTableRow = {
  /** The range as printed, e.g. `0.90–1.00`. */
  range: string;
  min: number;
  max: number;
  grade: string;
  meaning: string;
};

/** A teaser for gated content as the page shows it: kicker, title, pitch, button. */
export type LockedBlock = {
  /** The kicker above the title, e.g. "Member Briefing" or "Only for Strategic Circle". */
  label: string;
  title: string;
  description: string;
  /** The button text, e.g. "Join Strategic Circle"; null when the block has none. */
  cta: string | null;
  gate: Gate;
};

/** A named section's content: `- ` bullets, and plain lines that follow them. */
export type PageSection = {
  points: string[];
  notes: string[];
};

export type AtAGlance = {
  name: string | null;
  type: string | null;
  base: string | null;
  /** As printed, e.g. "Institution". */
  focus: string | null;
  /** `Label: value` bullets the parser has no field for, in page order. */
  other: { label: string; value: string }[];
};

/**
 * Everything read off a scraped profile page, as printed (after mojibake repair,
 * unglueing and removal of scraper repeats). Values are not validated here;
 * `profileFromPage` does that.
 */
export type ParsedProfilePage = {
  /** Every kept line in page order: no line appears twice. */
  lines: string[];
  /** Lines dropped because an identical line came earlier, in page order. */
  repeatedLines: string[];
  /** The boilerplate opening lines ("… is profiled by …", "… is tracked as …"). */
  intro: string[];
  /** From At A Glance, else from the intro's subject. */
  name: string | null;
  /** From "within the … ecosystem", with its first letter capitalised. */
  ecosystem: string | null;
  atAGlance: AtAGlance;
  keyPoints: string[];
  confidenceTable: ConfidenceTableRow[];
  /** The line describing the evidence base when sources are not itemised ("Several public sources"). */
  sourcesNote: string | null;
  /** The first untitled long paragraph after the key points. */
  summary: string | null;
  /** All untitled paragraphs after the key points and before the first titled section; `summary` is the first. */
  leadParagraphs: string[];
  sections: ProfileSection[];
  alsoRead: AlsoRead[];
  whatItDoes: PageSection;
  whyItMatters: PageSection & { criticality: string | null; timeHorizon: string | null };
  whatToWatch: PageSection;
  /** In page order. */
  lockedBlocks: LockedBlock[];
  /** Lines the parser could not place anywhere. */
  unplaced: string[];
  /** Corrections made on the way (a misspelt tier label, an unknown tier). */
  warnings: string[];
};

export type ProfilePageOptions = {
  /** The tiers locked blocks may name; defaults to the shipped ones. */
  tiers?: readonly Pick<TierRef, "slug" | "name">[];
};

type NamedSection = "atAGlance" | "whatItDoes" | "whyItMatters" | "whatToWatch" | "keyPoints";

const NAMED_SECTIONS: ReadonlyMap<string, NamedSection> = new Map([
  ["at a glance", "atAGlance"],
  ["what it does", "whatItDoes"],
  ["why it matters", "whyItMatters"],
  ["what to watch", "whatToWatch"],
  ["key points", "keyPoints"],
]);

/**
 * Text the scraper glues onto the end of the previous element without a space
 * ("Join Strategic CircleOnly for Leadership Alliance"). A split needs one of these
 * to start right after a lowercase letter, digit or closing punctuation, which
 * ordinary prose ("Azure OpenAI") does not produce.
 */
const GLUE =
  /(?<=[a-z0-9.!?)])(?=Only for |Join |Member Briefing\b|At A Glance\b|What It Does\b|Why It Matters\b|What To Watch\b|Also read:)/g;

const LOCKED_LABEL = /^(?:members? briefing|members only|only for\s+(.+))$/i;
const CTA = /^(?:join|apply|sign in|log in|subscribe|upgrade|become)\b/i;
const ALSO_READ = /^also read:\s*(.+)$/i;
const BULLET = /^[-•*]\s+(.*)$/;
const TABLE_ROW = /^\|.*\|$/;
const SOURCES_NOTE =
  /^(?:several|multiple|many|a few|few|limited|no|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\b[\w\s-]*\bsources?\.?$/i;
const RANGE = /^(\d+(?:\.\d+)?)\s*[–—-]\s*(\d+(?:\.\d+)?)$/;
const MINOR_WORDS = new Set(
  "a an and as at but by for from in into nor of off on or out over per the to up via vs with its".split(
    " ",
  ),
);

export function parseProfilePage(
  text: string,
  options: ProfilePageOptions = {},
): ParsedProfilePage {
  const tiers = options.tiers ?? DEFAULT_TIERS;
  const warnings: string[] = [];

  const candidates = repairMojibake(text.replace(/^\uFEFF/, ""))
    .split(/\r\n?|\n/)
    .flatMap((line) => line.split(GLUE))
    .map((line) => dedupeSentences(line.replace(/\s+/g, " ").trim()))
    .filter((line) => line.length > 0);

  const seen = new Set<string>();
  const lines: string[] = [];
  const repeatedLines: string[] = [];
  for (const line of candidates) {
    if (seen.has(line)) repeatedLines.push(line);
    else {
      seen.add(line);
      lines.push(line);
    }
  }

  const page: ParsedProfilePage = {
    lines,
    repeatedLines,
    intro: [],
    name: null,
    ecosystem: null,
    atAGlance: { name: null, type: null, base: null, focus: null, other: [] },
    keyPoints: [],
    confidenceTable: [],
    sourcesNote: null,
    summary: null,
    leadParagraphs: [],
    sections: [],
    alsoRead: [],
    whatItDoes: { points: [], notes: [] },
    whyItMatters: { points: [], notes: [], criticality: null, timeHorizon: null },
    whatToWatch: { points: [], notes: [] },
    lockedBlocks: [],
    unplaced: [],
    warnings,
  };

  let named: NamedSection | null = null;
  let section: ProfileSection | null = null;
  // Intro lines are the plain lines before any structured content.
  let pastIntro = false;

  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const next = lines[i + 1];

    if (LOCKED_LABEL.test(line)) {
      const { block, end } = readLockedBlock(lines, i, tiers, warnings);
      page.lockedBlocks.push(block);
      named = null;
      section = null;
      i = end;
      continue;
    }

    const header = NAMED_SECTIONS.get(line.toLowerCase());
    if (header) {
      named = header;
      section = null;
      pastIntro = true;
      i++;
      continue;
    }

    const startsSection = isHeading(line) && next !== undefined && isParagraph(next);
    if (named && !startsSection) {
      addToNamedSection(page, named, line);
      i++;
      continue;
    }
    named = null;

    const alsoRead = ALSO_READ.exec(line);
    if (alsoRead) {
      page.alsoRead.push({ title: (alsoRead[1] as string).trim(), href: null });
    } else if (TABLE_ROW.test(line)) {
      const row = parseConfidenceRow(line);
      if (row) page.confidenceTable.push(row);
      pastIntro = true;
    } else if (SOURCES_NOTE.test(line) && page.sourcesNote === null) {
      page.sourcesNote = line;
      pastIntro = true;
    } else if (startsSection) {
      section = { heading: line, paragraphs: [] };
      page.sections.push(section);
      pastIntro = true;
    } else if (section) {
      section.paragraphs.push(stripBullet(line));
    } else if (BULLET.test(line)) {
      page.keyPoints.push(stripBullet(line));
      pastIntro = true;
    } else if (!pastIntro) {
      page.intro.push(line);
    } else if (isParagraph(line)) {
      page.leadParagraphs.push(line);
    } else {
      page.unplaced.push(line);
    }
    i++;
  }

  page.summary = page.leadParagraphs[0] ?? null;
  page.name = page.atAGlance.name ?? introSubject(page.intro);
  page.ecosystem = findEcosystem(lines);
  return page;
}

function addToNamedSection(page: ParsedProfilePage, named: NamedSection, line: string): void {
  const bullet = BULLET.exec(line);
  const content = bullet ? (bullet[1] as string).trim() : line;
  switch (named) {
    case "atAGlance": {
      const pair = /^([^:]{1,40}):\s*(.+)$/.exec(content);
      if (!bullet || !pair) {
        page.unplaced.push(line);
        return;
      }
      const label = (pair[1] as string).trim();
      const value = (pair[2] as string).trim();
      const glance = page.atAGlance;
      switch (label.toLowerCase()) {
        case "name":
          glance.name ??= value;
          return;
        case "type":
          glance.type ??= value;
          return;
        case "base":
          glance.base ??= value;
          return;
        case "profile focus":
        case "focus":
          glance.focus ??= value;
          return;
        default:
          glance.other.push({ label, value });
          return;
      }
    }
    case "keyPoints":
      if (bullet) page.keyPoints.push(content);
      else page.unplaced.push(line);
      return;
    case "whyItMatters": {
      const why = page.whyItMatters;
      if (bullet) {
        const criticality = /^operational criticality:\s*(.+)$/i.exec(content);
        const horizon = /^time horizon:\s*(.+)$/i.exec(content);
        if (criticality) why.criticality ??= (criticality[1] as string).trim();
        else if (horizon) why.timeHorizon ??= (horizon[1] as string).trim();
        else why.points.push(content);
      } else why.notes.push(line);
      return;
    }
    case "whatItDoes":
    case "whatToWatch":
      if (bullet) page[named].points.push(content);
      else page[named].notes.push(line);
      return;
  }
}

function readLockedBlock(
  lines: readonly string[],
  start: number,
  tiers: readonly Pick<TierRef, "slug" | "name">[],
  warnings: string[],
): { block: LockedBlock; end: number } {
  const rawLabel = lines[start] as string;
  let i = start + 1;
  const endsBlock = (line: string) =>
    LOCKED_LABEL.test(line) || NAMED_SECTIONS.has(line.toLowerCase()) || isCta(line);

  let title: string | null = null;
  const first = lines[i];
  if (first !== undefined && !endsBlock(first)) {
    title = first;
    i++;
  }
  const description: string[] = [];
  // Teaser pitches are a sentence or two; a cap keeps a missing button from
  // swallowing whatever follows the block.
  while (i < lines.length && description.length < 3 && !endsBlock(lines[i] as string)) {
    description.push(lines[i] as string);
    i++;
  }
  let cta: string | null = null;
  const maybeCta = lines[i];
  if (maybeCta !== undefined && isCta(maybeCta)) {
    cta = maybeCta;
    i++;
  }

  const { gate, label } = resolveGate(rawLabel, title, tiers, warnings);
  if (title === null) warnings.push(`locked block "${rawLabel}" has no title; using its label`);
  return {
    block: { label, title: title ?? label, description: description.join(" "), cta, gate },
    end: i,
  };
}

function resolveGate(
  rawLabel: string,
  title: string | null,
  tiers: readonly Pick<TierRef, "slug" | "name">[],
  warnings: string[],
): { gate: Gate; label: string } {
  const named = (LOCKED_LABEL.exec(rawLabel)?.[1] ?? "").trim();
  if (!named) return { gate: MEMBERS_GATE, label: rawLabel };

  // The title ("Strategic Circle Access") is checked as well as the label because
  // the label is where the seed page has its typo ("Only for Strategy Circle").
  const fromTitle = title ? (/^(.+?)\s+access$/i.exec(title)?.[1] ?? null) : null;
  const tier =
    findTier(named, tiers, false) ??
    (fromTitle ? findTier(fromTitle, tiers, false) : null) ??
    findTier(named, tiers, true) ??
    (fromTitle ? findTier(fromTitle, tiers, true) : null);

  if (!tier) {
    warnings.push(
      `locked block "${rawLabel}" names no known tier; gated as tier:${slugify(named)}`,
    );
    return { gate: tierGate(slugify(named)), label: rawLabel };
  }
  const label = `Only for ${tier.name}`;
  if (label !== rawLabel) warnings.push(`read locked block label "${rawLabel}" as "${label}"`);
  return { gate: tierGate(tier.slug), label };
}

function findTier<T extends Pick<TierRef, "slug" | "name">>(
  name: string,
  tiers: readonly T[],
  fuzzy: boolean,
): T | null {
  const wanted = words(name);
  for (const tier of tiers) {
    const have = words(tier.name);
    if (have.length !== wanted.length) continue;
    if (
      have.every(
        (word, k) => word === wanted[k] || (fuzzy && similarWords(word, wanted[k] as string)),
      )
    ) {
      return tier;
    }
  }
  return null;
}

const words = (value: string): string[] => value.toLowerCase().split(/\s+/).filter(Boolean);

/** Same stem, different ending ("strategy" / "strategic"): enough for a typo, not for a different word. */
function similarWords(a: string, b: string): boolean {
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return common >= 5 && common >= Math.min(a.length, b.length) - 2;
}

function parseConfidenceRow(line: string): ConfidenceTableRow | null {
  const cells = line
    .slice(1, -1)
    .split("|")
    .map((cell) => cell.trim());
  if (cells.length < 3) return null;
  const [range, grade, ...meaning] = cells as [string, string, ...string[]];
  const bounds = RANGE.exec(range);
  if (!bounds || !grade) return null;
  return {
    range,
    min: Number(bounds[1]),
    max: Number(bounds[2]),
    grade,
    meaning: meaning.join(" | "),
  };
}

function isCta(line: string): boolean {
  return CTA.test(line) && line.length <= 60 && !/[.!?]$/.test(line);
}

/** A short title-case line without closing punctuation. */
function isHeading(line: string): boolean {
  if (line.length < 3 || line.length > 120) return false;
  if (BULLET.test(line) || TABLE_ROW.test(line) || ALSO_READ.test(line)) return false;
  if (/[.!?,;:]$/.test(line) || !/^[\p{Lu}\p{N}]/u.test(line)) return false;
  const tokens = line.split(" ");
  if (tokens.length > 14) return false;
  return tokens.every((token) => {
    const word = token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, "");
    if (!word || MINOR_WORDS.has(word.toLowerCase())) return true;
    return /^[\p{Lu}\p{N}]/u.test(word);
  });
}

/** Running text: not structure, and long or sentence-shaped. */
function isParagraph(line: string): boolean {
  if (BULLET.test(line) || TABLE_ROW.test(line) || ALSO_READ.test(line) || LOCKED_LABEL.test(line))
    return false;
  if (NAMED_SECTIONS.has(line.toLowerCase())) return false;
  return line.length >= 80 || /[.!?…"”’)]$/.test(line);
}

const stripBullet = (line: string): string => (BULLET.exec(line)?.[1] ?? line).trim();

/** Drops a sentence that already appeared earlier in the same line. */
function dedupeSentences(line: string): string {
  const sentences = line.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}"“‘(])/u);
  if (sentences.length < 2) return line;
  const seen = new Set<string>();
  return sentences
    .filter((sentence) => {
      if (seen.has(sentence)) return false;
      seen.add(sentence);
      return true;
    })
    .join(" ");
}

function introSubject(intro: readonly string[]): string | null {
  for (const line of intro) {
    const match = /^(.+?) is (?:profiled|tracked) /.exec(line);
    if (match) return (match[1] as string).trim();
  }
  return null;
}

function findEcosystem(lines: readonly string[]): string | null {
  for (const line of lines) {
    const match = /\bwithin the (.+?) ecosystem\b/i.exec(line);
    if (match) {
      const value = (match[1] as string).trim();
      return value.charAt(0).toUpperCase() + value.slice(1);
    }
  }
  return null;
}

/** What a profile needs that a scraped page does not carry. */
export type ProfilePageExtras = {
  /** Defaults to the slug of the page's name. */
  slug?: string;
  confidence: number;
  publishedAt: Date;
  /** Defaults to `publishedAt`. */
  updatedAt?: Date;
  lastReviewedAt?: Date | null;
  topics?: string[];
  /** Itemised public sources, when known; the page itself only has a note. */
  sources?: ProfileSource[];
};

/** Thrown by `profileFromPage`; `fields` names every field that is missing or invalid. */
export class ProfilePageError extends Error {
  readonly fields: string[];
  constructor(message: string, fields: string[]) {
    super(message);
    this.name = "ProfilePageError";
    this.fields = fields;
  }
}

/** Builds a schema-valid profile from a parsed page, or throws a `ProfilePageError` naming what is missing. */
export function profileFromPage(parsed: ParsedProfilePage, extras: ProfilePageExtras): Profile {
  const required = {
    name: parsed.name,
    type: parsed.atAGlance.type,
    ecosystem: parsed.ecosystem,
    base: parsed.atAGlance.base,
    focus: parsed.atAGlance.focus,
    summary: parsed.summary,
    criticality: parsed.whyItMatters.criticality,
    timeHorizon: parsed.whyItMatters.timeHorizon,
  };
  const missing = Object.entries(required)
    .filter(([, value]) => value === null || value.trim() === "")
    .map(([field]) => field);
  if (missing.length > 0) {
    throw new ProfilePageError(`profile page is missing ${missing.join(", ")}`, missing);
  }
  const name = required.name as string;

  const candidate = {
    slug: extras.slug ?? slugify(name),
    name,
    type: required.type,
    ecosystem: required.ecosystem,
    base: required.base,
    // "Profile focus" may list several ("Institution, Policy"); the profile keeps the first.
    focus: capitalise((required.focus as string).split(/[,;/]/)[0] as string),
    summary: required.summary,
    whatItDoes: [...parsed.whatItDoes.points, ...parsed.whatItDoes.notes],
    whyItMatters: [...parsed.whyItMatters.points, ...parsed.whyItMatters.notes],
    criticality: capitalise(required.criticality as string),
    timeHorizon: required.timeHorizon,
    whatToWatch: [...parsed.whatToWatch.points, ...parsed.whatToWatch.notes],
    keyPoints: parsed.keyPoints,
    sections: parsed.sections,
    sources: extras.sources ?? [],
    sourcesNote: parsed.sourcesNote,
    alsoRead: parsed.alsoRead,
    topics: extras.topics ?? [],
    confidence: extras.confidence,
    publishedAt: extras.publishedAt,
    lastReviewedAt: extras.lastReviewedAt ?? null,
    updatedAt: extras.updatedAt ?? extras.publishedAt,
  };

  const result = profileSchema.safeParse(candidate);
  if (!result.success) {
    const fields = result.error.issues.map(
      (issue) => issue.path.map(String).join(".") || "(profile)",
    );
    const details = result.error.issues
      .map((issue, k) => `${fields[k]}: ${issue.message}`)
      .join("; ");
    throw new ProfilePageError(`profile page has invalid ${details}`, [...new Set(fields)]);
  }
  return result.data;
}

function capitalise(value: string): string {
  const trimmed = value.trim().toLowerCase();
  return trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
}
