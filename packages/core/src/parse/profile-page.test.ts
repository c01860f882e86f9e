import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIDENCE_BANDS } from "../confidence.ts";
import { profileSchema } from "../schemas/profile.ts";
import { ProfilePageError, parseProfilePage, profileFromPage } from "./profile-page.ts";

const SEED = readFileSync(
  new URL(
    "../../../db/seed-data/profile-microsoft-azure-openai-facial-recognition-ban.txt",
    import.meta.url,
  ),
  "utf8",
);
const NAME = "Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI";
const EXTRAS = { confidence: 0.62, publishedAt: new Date("2024-05-03T00:00:00Z") };

function without(text: string, line: string): string {
  const lines = text.split("\n");
  const kept = lines.filter((candidate) => candidate !== line);
  if (kept.length === lines.length) throw new Error(`no line "${line}" to remove`);
  return kept.join("\n");
}

describe("parseProfilePage: the seed page", () => {
  const page = parseProfilePage(SEED);

  it("keeps every line once, dropping the scraper's repeats", () => {
    expect(new Set(page.lines).size).toBe(page.lines.length);
    expect(page.repeatedLines).toHaveLength(5);
    // Each repeat was kept at its first occurrence.
    for (const repeat of page.repeatedLines) expect(page.lines).toContain(repeat);
    expect(page.lines.filter((line) => line.includes("is profiled by BTW Media"))).toHaveLength(1);
  });

  it("does not repeat a line anywhere in the parsed parts", () => {
    // The intro is left out: its last line is the sentence the page also shows as a
    // Why It Matters bullet, a separate element of the page rather than a scraper repeat.
    expect(page.whyItMatters.points).toContain(page.intro[3]);
    const placed = [
      ...page.keyPoints,
      ...page.leadParagraphs,
      ...page.sections.flatMap((section) => [section.heading, ...section.paragraphs]),
      ...page.alsoRead.map((item) => item.title),
      ...page.whatItDoes.points,
      ...page.whatItDoes.notes,
      ...page.whyItMatters.points,
      ...page.whyItMatters.notes,
      ...page.whatToWatch.points,
      ...page.whatToWatch.notes,
      ...page.lockedBlocks.flatMap((block) => [block.title, block.description]),
    ];
    expect(new Set(placed).size).toBe(placed.length);
    expect(page.unplaced).toEqual([]);
  });

  it("splits the glued button from the next block's label", () => {
    expect(page.lines).not.toContain("Join Strategic CircleOnly for Leadership Alliance");
    const at = page.lines.indexOf("Join Strategic Circle");
    expect(at).toBeGreaterThan(-1);
    expect(page.lines[at + 1]).toBe("Only for Leadership Alliance");
  });

  it("reads the three locked blocks in order, with gates and buttons", () => {
    expect(page.lockedBlocks).toEqual([
      {
        label: "Member Briefing",
        title: "Deeper Profile Context",
        description: "Login is required to unlock the full profile briefing and source notes.",
        cta: null,
        gate: { kind: "members" },
      },
      {
        label: "Only for Strategic Circle",
        title: "Strategic Circle Access",
        description: "Open to all readers. Unlock profile briefings after joining and logging in.",
        cta: "Join Strategic Circle",
        gate: { kind: "tier", tier: "strategic-circle" },
      },
      {
        label: "Only for Leadership Alliance",
        title: "Leadership Alliance Access",
        description: "For owners and management of IP-holding companies. Login required to unlock.",
        cta: "Join Leadership Alliance",
        gate: { kind: "tier", tier: "leadership-alliance" },
      },
    ]);
  });

  it("reads the misspelt “Only for Strategy Circle” as Strategic Circle, and says so", () => {
    expect(page.warnings).toEqual([
      'read locked block label "Only for Strategy Circle" as "Only for Strategic Circle"',
    ]);
  });

  it("reads the intro lines", () => {
    expect(page.intro).toEqual([
      `${NAME} is profiled by BTW Media because published evidence links it to internet infrastructure, governance, operational dependencies, or market visibility.`,
      `${NAME} is tracked as a internet infrastructure institution within the internet infrastructure ecosystem.`,
      `${NAME} has public-source relevance to network operations, governance, dependency mapping, or market structure.`,
      "Public-source signals support medium-impact monitoring for infrastructure visibility and dependency analysis.",
    ]);
  });

  it("reads At A Glance and the ecosystem", () => {
    expect(page.atAGlance).toEqual({
      name: NAME,
      type: "Internet infrastructure institution",
      base: "Global",
      focus: "Institution",
      other: [],
    });
    expect(page.name).toBe(NAME);
    expect(page.ecosystem).toBe("Internet infrastructure");
  });

  it("reads Why It Matters with criticality and time horizon pulled out", () => {
    expect(page.whyItMatters).toEqual({
      points: [
        "Public-source signals support medium-impact monitoring for infrastructure visibility and dependency analysis.",
      ],
      notes: [],
      criticality: "Medium",
      timeHorizon: "Next quarter",
    });
  });

  it("reads What It Does and What To Watch, with the plain follow-up lines", () => {
    expect(page.whatItDoes).toEqual({
      points: ["Public records support monitoring of its role, services, and key relationships."],
      notes: [],
    });
    expect(page.whatToWatch).toEqual({
      points: [
        "Monitoring focuses on verified service continuity, governance changes, and relationship signals.",
      ],
      // The page's third follow-up line repeats an intro line, so it is gone as a scraper repeat.
      notes: [
        "Track verified source updates, role changes, and current public evidence.",
        "Longer-term relevance depends on verified operating, policy, and relationship changes.",
      ],
    });
  });

  it("reads the three key points", () => {
    expect(page.keyPoints).toHaveLength(3);
    expect(page.keyPoints[0]).toMatch(
      /^Microsoft bans the use of Azure OpenAI Service models like GPT-4 Turbo/,
    );
    expect(page.keyPoints[1]).toMatch(/^The policy affects law enforcement worldwide/);
    expect(page.keyPoints[2]).toMatch(/^The updated code of conduct expands prohibitions/);
    for (const point of page.keyPoints) expect(point).not.toMatch(/^- /);
  });

  it("reads the six confidence rows, which match the grading table", () => {
    expect(page.confidenceTable).toHaveLength(6);
    expect(page.confidenceTable[0]).toEqual({
      range: "0.90–1.00",
      min: 0.9,
      max: 1,
      grade: "A",
      meaning: "High — direct sources",
    });
    expect(page.confidenceTable.map((row) => [row.min, row.grade, row.meaning])).toEqual(
      CONFIDENCE_BANDS.map((band) => [band.min, band.grade, band.meaning]),
    );
  });

  it("reads the sources note", () => {
    expect(page.sourcesNote).toBe("Several public sources");
  });

  it("takes the first long untitled paragraph after the key points as the summary", () => {
    expect(page.summary).toMatch(
      /^Microsoft bans the use of its Azure OpenAI Service models for facial recognition purposes/,
    );
    expect(page.leadParagraphs).toEqual([page.summary]);
  });

  it("reads the body sections", () => {
    expect(page.sections.map((section) => section.heading)).toEqual([
      "Microsoft Proscribes AI Facial Identification",
      "Azure AI Curtails Police Surveillance",
    ]);
    expect(page.sections.map((section) => section.paragraphs.length)).toEqual([1, 1]);
    expect(page.sections[0]?.paragraphs[0]).toMatch(/^Microsoft globally proscribes/);
    expect(page.sections[1]?.paragraphs[0]).toMatch(
      /^Microsoft’s Azure OpenAI Service no longer permits/,
    );
  });

  it("reads the two Also read lines without links", () => {
    expect(page.alsoRead).toEqual([
      { title: "Microsoft signs deal with Swedish partner to capture carbon", href: null },
      {
        title: "Microsoft commits to building cloud and AI infrastructure in Thailand",
        href: null,
      },
    ]);
  });

  it("parses the same with a BOM and CRLF line endings", () => {
    expect(parseProfilePage(`\uFEFF${SEED.replace(/\n/g, "\r\n")}`)).toEqual(page);
  });
});

describe("parseProfilePage: scraper noise", () => {
  it("drops a sentence repeated within one line", () => {
    const page = parseProfilePage("Intro one. Intro two. Intro one.\n");
    expect(page.lines).toEqual(["Intro one. Intro two."]);
  });

  it("does not split words that merely contain an inner capital", () => {
    const page = parseProfilePage("Azure OpenAI and iPhone users Join in.\n");
    expect(page.lines).toEqual(["Azure OpenAI and iPhone users Join in."]);
  });

  it("splits a block label glued to the end of a sentence", () => {
    const page = parseProfilePage("Login is required to unlock.Only for Leadership Alliance\n");
    expect(page.lines).toEqual(["Login is required to unlock.", "Only for Leadership Alliance"]);
  });

  it("repairs mojibake", () => {
    const page = parseProfilePage("Microsoftâ€™s profile â€” intro line.\n");
    expect(page.intro).toEqual(["Microsoft’s profile — intro line."]);
  });

  it("gates a block naming an unknown tier by that tier's slug, and warns", () => {
    const page = parseProfilePage("Only for Founders Club\nFounders Club Access\nBy invitation.\n");
    expect(page.lockedBlocks).toEqual([
      {
        label: "Only for Founders Club",
        title: "Founders Club Access",
        description: "By invitation.",
        cta: null,
        gate: { kind: "tier", tier: "founders-club" },
      },
    ]);
    expect(page.warnings).toHaveLength(1);
  });

  it("recognises tiers passed in by the caller", () => {
    const page = parseProfilePage(
      "Only for Founders Club\nFounders Club Access\nBy invitation.\n",
      {
        tiers: [{ slug: "founders", name: "Founders Club" }],
      },
    );
    expect(page.lockedBlocks[0]?.gate).toEqual({ kind: "tier", tier: "founders" });
    expect(page.warnings).toEqual([]);
  });
});

describe("profileFromPage", () => {
  it("builds a schema-valid profile from the seed page", () => {
    const profile = profileFromPage(parseProfilePage(SEED), EXTRAS);
    expect(profileSchema.parse(profile)).toEqual(profile);
    expect(profile).toMatchObject({
      slug: "microsofts-worldwide-ban-facial-recognition-out-of-azure-openai",
      name: NAME,
      type: "Internet infrastructure institution",
      ecosystem: "Internet infrastructure",
      base: "Global",
      focus: "Institution",
      criticality: "Medium",
      timeHorizon: "Next quarter",
      sourcesNote: "Several public sources",
      confidence: 0.62,
      publishedAt: EXTRAS.publishedAt,
      updatedAt: EXTRAS.publishedAt,
      lastReviewedAt: null,
      sources: [],
      topics: [],
    });
    expect(profile.summary).toMatch(
      /^Microsoft bans the use of its Azure OpenAI Service models for facial recognition/,
    );
    expect(profile.keyPoints).toHaveLength(3);
    expect(profile.sections).toHaveLength(2);
    expect(profile.alsoRead).toHaveLength(2);
    expect(profile.whatToWatch).toHaveLength(3);
  });

  it("uses the extras it is given", () => {
    const updatedAt = new Date("2024-06-01T00:00:00Z");
    const profile = profileFromPage(parseProfilePage(SEED), {
      ...EXTRAS,
      slug: "azure-openai-facial-recognition-ban",
      updatedAt,
      lastReviewedAt: updatedAt,
      topics: ["Azure", "AI policy"],
    });
    expect(profile.slug).toBe("azure-openai-facial-recognition-ban");
    expect(profile.updatedAt).toEqual(updatedAt);
    expect(profile.lastReviewedAt).toEqual(updatedAt);
    expect(profile.topics).toEqual(["Azure", "AI policy"]);
  });

  it("names the missing field when the page lacks one", () => {
    const page = parseProfilePage(without(SEED, "- Time horizon: Next quarter"));
    expect(() => profileFromPage(page, EXTRAS)).toThrow(ProfilePageError);
    expect(() => profileFromPage(page, EXTRAS)).toThrow("profile page is missing timeHorizon");
  });

  it("names every missing field", () => {
    const text = without(without(SEED, "- Base: Global"), "- Operational criticality: Medium");
    try {
      profileFromPage(parseProfilePage(text), EXTRAS);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ProfilePageError);
      expect((error as ProfilePageError).fields).toEqual(["base", "criticality"]);
      expect((error as Error).message).toBe("profile page is missing base, criticality");
    }
  });

  it("names an invalid field", () => {
    const text = SEED.replace(
      "- Operational criticality: Medium",
      "- Operational criticality: Severe",
    );
    expect(() => profileFromPage(parseProfilePage(text), EXTRAS)).toThrow(/criticality/);
  });

  it("refuses a confidence outside [0, 1]", () => {
    expect(() => profileFromPage(parseProfilePage(SEED), { ...EXTRAS, confidence: 1.5 })).toThrow(
      /confidence: confidence must be between 0 and 1/,
    );
  });
});
