import { readFileSync } from "node:fs";
import path from "node:path";
import {
  type Briefing,
  base64Length,
  DEFAULT_TIERS,
  formatParseIssue,
  type LockedBlock,
  parseArticleFile,
  parseProfilePage,
  profileFromPage,
  STRATEGIC_CIRCLE,
} from "@briefings/core";
import { sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { projectRoot } from "../paths.ts";
import {
  type ArticleInput,
  type BriefingInput,
  type ProfileInput,
  saveArticles,
  saveProfiles,
  saveTiers,
} from "../queries/save-content.ts";
import { queryRows } from "../rows.ts";
import { generateDemoArticles, generateDemoProfiles } from "./demo-content.ts";

export { generateDemoArticles, generateDemoProfiles, seededRandom } from "./demo-content.ts";

export const SEED_PROFILE_FILE = "profile-microsoft-azure-openai-facial-recognition-ban.txt";
export const SEED_ARTICLE_FILE = "article-microsoft-police-state.md";

const seedDataDir = () => path.join(projectRoot(), "packages", "db", "seed-data");

/** Gated text for the seed profile's three locked blocks. The page itself withholds it, so it is written here. */
const SEED_BRIEFING_BODIES: Record<string, Pick<Briefing, "body" | "sources" | "kind">> = {
  members: {
    kind: "profile-briefing",
    body: [
      "## Profile context",
      "Demo briefing text for this installation. Microsoft's prohibition applies to the Azure OpenAI Service terms of use, not to Azure's separate Face API, so police departments' exposure depends on which contract vehicle they buy through.",
      "## Dependencies",
      "Public-sector tenants reach Azure OpenAI through government cloud regions and resellers; the code of conduct binds all of them, which makes the reseller channel the place to watch for exceptions.",
    ].join("\n\n"),
    sources: [
      {
        title: "Azure OpenAI Service code of conduct",
        url: "https://learn.microsoft.com/legal/cognitive-services/openai/code-of-conduct",
        note: "The policy text this profile tracks.",
      },
    ],
  },
  [`tier:${STRATEGIC_CIRCLE}`]: {
    kind: "analysis",
    body: [
      "## Strategic assessment",
      "Demo briefing text for this installation. The ban narrows the market for real-time facial identification on hyperscale AI platforms and shifts demand to specialised vendors and on-premises deployments.",
      "## Signals",
      "Watch for carve-outs in national-security contracts, and for other hyperscalers aligning their acceptable-use policies.",
    ].join("\n\n"),
    sources: [],
  },
  "tier:leadership-alliance": {
    kind: "source-notes",
    body: [
      "## Leadership notes",
      "Demo briefing text for this installation. For operators hosting AI workloads, the policy is a template for acceptable-use clauses that customers will ask about.",
      "## Source notes",
      "The code of conduct was updated in the first half of 2024; press coverage tied it to policing and to the Paris Olympics.",
      "## Outlook",
      "Expect the policy to be referenced in procurement rules for public-sector AI.",
    ].join("\n\n"),
    sources: [
      {
        title: "Microsoft Azure OpenAI Service code of conduct",
        url: "https://learn.microsoft.com/legal/cognitive-services/openai/code-of-conduct",
        note: "Primary source.",
      },
      { title: "Press coverage of the update", url: null, note: "Several outlets, May 2024." },
    ],
  },
};

function gateKey(block: LockedBlock): string {
  return block.gate.kind === "tier" ? `tier:${block.gate.tier}` : block.gate.kind;
}

/** The seed profile page, through the real parser. */
export function loadSeedProfile(): ProfileInput {
  const text = readFileSync(path.join(seedDataDir(), SEED_PROFILE_FILE), "utf8");
  const parsed = parseProfilePage(text);
  const profile = profileFromPage(parsed, {
    // The page prints the grading table but not this profile's own score; "Several
    // public sources" and "medium-impact monitoring" put it in the Medium band.
    confidence: 0.62,
    publishedAt: new Date("2024-05-03T09:00:00Z"),
    lastReviewedAt: new Date("2024-05-03T09:00:00Z"),
    topics: ["Azure", "Facial recognition", "AI governance"],
  });
  const briefings: BriefingInput[] = parsed.lockedBlocks.map((block, position) => {
    const content = SEED_BRIEFING_BODIES[gateKey(block)];
    if (!content)
      throw new Error(
        `The seed profile has a locked block with an unexpected gate: ${gateKey(block)}`,
      );
    return {
      ...content,
      label: block.label,
      title: block.title,
      gate: block.gate,
      position,
      sealed: null,
    };
  });
  return { profile, briefings };
}

/** The seed article file, through the real parser; its premium text stays sealed. */
export function loadSeedArticle(mentions: string[]): ArticleInput {
  const text = readFileSync(path.join(seedDataDir(), SEED_ARTICLE_FILE), "utf8");
  const result = parseArticleFile(text, SEED_ARTICLE_FILE);
  if (!result.ok) {
    throw new Error(
      `The seed article does not parse:\n${result.errors.map(formatParseIssue).join("\n")}`,
    );
  }
  const { article } = result;
  const briefings: BriefingInput[] = [];
  if (article.secured) {
    const [ciphertext, iv] = article.secured.split(";") as [string, string];
    briefings.push({
      kind: "premium-text",
      label: "Premium analysis",
      title: "Premium briefing on this article",
      gate: { kind: "tier", tier: STRATEGIC_CIRCLE },
      position: 0,
      body: "",
      sources: [],
      sealed: { ciphertext, iv, bytes: base64Length(ciphertext) },
    });
  }
  return { article: { ...article, secured: undefined }, briefings, mentions };
}

export type SeedSummary = { tiers: number; profiles: number; articles: number };

export type SeedOptions = { demoProfiles?: number; demoArticles?: number };

/** Tiers, the two seed files and generated demo content. Safe to run twice: everything is upserted. */
export async function seedDemoContent(db: Db, options: SeedOptions = {}): Promise<SeedSummary> {
  const { demoProfiles = 40, demoArticles = 45 } = options;
  await saveTiers(db, DEFAULT_TIERS);
  const seedProfile = loadSeedProfile();
  const demo = generateDemoProfiles(demoProfiles);
  await saveProfiles(db, [seedProfile, ...demo]);
  const seedArticle = loadSeedArticle([seedProfile.profile.slug]);
  const demoNews = generateDemoArticles(
    demoArticles,
    demo.map((item) => item.profile.slug),
  );
  await saveArticles(db, [seedArticle, ...demoNews]);
  // PGlite has no autovacuum daemon: without this the planner never has statistics.
  await db.execute(sql`ANALYZE`);
  return { tiers: DEFAULT_TIERS.length, profiles: 1 + demo.length, articles: 1 + demoNews.length };
}

export async function isDatabaseEmpty(db: Db): Promise<boolean> {
  const [row] = await queryRows<{ empty: boolean }>(
    db,
    sql`SELECT NOT EXISTS (SELECT 1 FROM tiers) AND NOT EXISTS (SELECT 1 FROM profiles) AS empty`,
  );
  return row?.empty === true;
}

export async function seedDemoContentIfEmpty(
  db: Db,
  options?: SeedOptions,
): Promise<SeedSummary | null> {
  if (!(await isDatabaseEmpty(db))) return null;
  return seedDemoContent(db, options);
}
