import { randomBytes, randomUUID } from "node:crypto";
import {
  ANONYMOUS,
  type Article,
  DEFAULT_TIERS,
  type Gate,
  LEADERSHIP_ALLIANCE,
  type Profile,
  type RedactedBriefing,
  type Role,
  STRATEGIC_CIRCLE,
  type Viewer,
} from "@briefings/core";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tiers } from "../schema.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  articleSlug,
  articlesForProfile,
  latestArticles,
  latestProfiles,
  listArticles,
  listProfiles,
  loadArticlePage,
  loadDirectoryFacets,
  loadProfilePage,
  loadTierCatalogue,
} from "./index.ts";
import { type BriefingInput, saveArticles, saveProfiles, saveTiers } from "./save-content.ts";

const GATES = ["public", "members", "strategic-circle", "leadership-alliance"] as const;
type GateName = (typeof GATES)[number];
const gateFor: Record<GateName, Gate> = {
  public: { kind: "public" },
  members: { kind: "members" },
  "strategic-circle": { kind: "tier", tier: STRATEGIC_CIRCLE },
  "leadership-alliance": { kind: "tier", tier: LEADERSHIP_ALLIANCE },
};
const SEALED_GATES = ["members", "strategic-circle", "leadership-alliance"] as const;

type Parent = "profile" | "article";
/** One canary per parent, gate and place (body, source title, source note, source URL). */
const canary = (parent: Parent, gate: GateName, place: string) =>
  `CANARY-${parent}-${gate}-${place}-${CANARY_RUN}`;
const CANARY_RUN = randomUUID();

/** Sealed premium text: random, so it can only appear in output by being copied there. */
const sealed = (parent: Parent, gate: GateName) => ({
  ciphertext: randomBytes(48).toString("base64"),
  iv: randomBytes(16).toString("base64"),
  tag: `${parent}-${gate}`,
});
const SEALED = Object.fromEntries(
  (["profile", "article"] as const).flatMap((parent) =>
    SEALED_GATES.map((gate) => [`${parent}:${gate}`, sealed(parent, gate)]),
  ),
) as Record<string, ReturnType<typeof sealed>>;
const sealedSecrets = Object.values(SEALED).flatMap((s) => [s.ciphertext, s.iv]);

function gatedBriefings(parent: Parent): BriefingInput[] {
  const open = GATES.map(
    (gate, position): BriefingInput => ({
      kind: "analysis",
      label: `Label ${gate}`,
      title: `Briefing behind ${gate}`,
      gate: gateFor[gate],
      position,
      body: `## Assessment\n\nThe hidden finding is ${canary(parent, gate, "body")}.`,
      sources: [
        {
          title: `Source ${canary(parent, gate, "source-title")}`,
          url: `https://example.org/${canary(parent, gate, "source-url")}`,
          note: canary(parent, gate, "source-note"),
        },
      ],
      sealed: null,
    }),
  );
  const premium = SEALED_GATES.map((gate, i): BriefingInput => {
    const secret = SEALED[`${parent}:${gate}`] as ReturnType<typeof sealed>;
    return {
      kind: "premium-text",
      label: "Premium analysis",
      title: `Sealed behind ${gate}`,
      gate: gateFor[gate],
      position: GATES.length + i,
      body: "",
      sources: [],
      sealed: { ciphertext: secret.ciphertext, iv: secret.iv, bytes: 48 },
    };
  });
  return [...open, ...premium];
}

const PROFILE: Profile = {
  slug: "canary-profile",
  name: "Canary Profile",
  type: "Network operator",
  ecosystem: "Internet infrastructure",
  base: "Global",
  focus: "Network",
  summary: "A profile whose gated briefings carry canaries.",
  whatItDoes: ["Carries canaries."],
  whyItMatters: ["Leaks would show."],
  criticality: "High",
  timeHorizon: "Next quarter",
  whatToWatch: [],
  keyPoints: [],
  sections: [{ heading: "Public section", paragraphs: ["Public text."] }],
  sources: [],
  sourcesNote: "Several public sources",
  alsoRead: [],
  topics: ["Canaries"],
  confidence: 0.7,
  publishedAt: new Date("2024-06-01T00:00:00Z"),
  lastReviewedAt: null,
  updatedAt: new Date("2024-06-01T00:00:00Z"),
};

const ARTICLE: Article = {
  category: "news",
  title: "Canary news",
  excerpt: "A public excerpt.",
  publishedDateTime: new Date("2024-06-02T00:00:00Z"),
  webUrl: "https://news.example.com/canary",
  type: "article",
  quality: 50,
  heat: 50,
  published: true,
  provider: { name: "Example News", domain: "news.example.com" },
  topics: ["Canaries"],
  images: [],
  related: [],
  body: "Public body.",
};

const member = (
  role: Role,
  held: string[],
  applications: Extract<Viewer, { kind: "member" }>["applications"] = {},
): Viewer => ({
  kind: "member",
  userId: "00000000-0000-4000-8000-000000000001",
  role,
  tiers: held,
  applications,
});

const ALL: GateName[] = [...GATES];
const VIEWERS: [string, Viewer, GateName[]][] = [
  ["anonymous", ANONYMOUS, ["public"]],
  ["member without tier", member("member", []), ["public", "members"]],
  [
    "Strategic Circle member",
    member("member", [STRATEGIC_CIRCLE]),
    ["public", "members", "strategic-circle"],
  ],
  ["Leadership Alliance member", member("member", [LEADERSHIP_ALLIANCE]), ALL],
  [
    "member with a pending Leadership Alliance application",
    member("member", [], { [LEADERSHIP_ALLIANCE]: "pending" }),
    ["public", "members"],
  ],
  [
    "Strategic Circle member with a pending Leadership Alliance application",
    member("member", [STRATEGIC_CIRCLE], { [LEADERSHIP_ALLIANCE]: "pending" }),
    ["public", "members", "strategic-circle"],
  ],
  [
    "member approved for Leadership Alliance who has not paid yet",
    member("member", [], { [LEADERSHIP_ALLIANCE]: "approved" }),
    ["public", "members"],
  ],
  ["member holding a tier nobody defined", member("member", ["platinum"]), ["public", "members"]],
  ["editor", member("editor", []), ALL],
  ["admin", member("admin", []), ALL],
  ["owner", member("owner", []), ALL],
];

const PLACES = ["body", "source-title", "source-note", "source-url"];

describe.each(testDrivers())("briefing redaction on %s", (driver) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const { db } = database;
    await saveTiers(db, DEFAULT_TIERS);
    await saveProfiles(db, [{ profile: PROFILE, briefings: gatedBriefings("profile") }]);
    await saveArticles(db, [
      { article: ARTICLE, briefings: gatedBriefings("article"), mentions: [PROFILE.slug] },
    ]);
  }, 60_000);
  afterAll(async () => {
    await database?.dispose();
  });

  const pages = async (viewer: Viewer) => {
    const { db } = database;
    const catalogue = await loadTierCatalogue(db);
    const profilePage = await loadProfilePage(db, PROFILE.slug, viewer, catalogue);
    const articlePage = await loadArticlePage(db, articleSlug(ARTICLE), viewer, catalogue);
    expect(profilePage).not.toBeNull();
    expect(articlePage).not.toBeNull();
    return { profile: profilePage, article: articlePage };
  };

  it.each(VIEWERS)(
    "shows the %s exactly the canaries of the gates it is admitted to",
    async (_, viewer, admitted) => {
      const output = await pages(viewer);
      for (const parent of ["profile", "article"] as const) {
        const json = JSON.stringify(output[parent]);
        const found =
          json.match(
            /CANARY-[a-z]+-[a-z-]+?-(?:body|source-title|source-note|source-url)-[0-9a-f-]{36}/g,
          ) ?? [];
        const expected = admitted.flatMap((gate) =>
          PLACES.map((place) => canary(parent, gate, place)),
        );
        // Canaries of any parent, gate and place: a leak from elsewhere would show up too.
        expect(new Set(found), parent).toEqual(new Set(expected));
        for (const gate of GATES.filter((g) => !admitted.includes(g))) {
          expect(json, `${parent} ${gate}`).not.toContain(canary(parent, gate, "body"));
          expect(json, `${parent} ${gate}`).not.toContain(`CANARY-${parent}-${gate}-`);
        }
      }
    },
  );

  it.each(VIEWERS)("never shows the %s a sealed ciphertext or IV", async (_, viewer, admitted) => {
    const output = await pages(viewer);
    for (const parent of ["profile", "article"] as const) {
      const json = JSON.stringify(output[parent]);
      for (const secret of sealedSecrets) expect(json).not.toContain(secret);
      const premium = (output[parent]?.briefings ?? []).filter((b) => b.kind === "premium-text");
      expect(premium).toHaveLength(SEALED_GATES.length);
      for (const briefing of premium) {
        const gate = SEALED_GATES.find((g) => briefing.title === `Sealed behind ${g}`) as GateName;
        if (admitted.includes(gate)) {
          // Admitted, but the text exists only sealed: the page says so and shows nothing.
          expect(briefing).toMatchObject({
            state: "unlocked",
            sealed: true,
            body: "",
            sources: [],
          });
        } else {
          expect(briefing).toMatchObject({
            state: "locked",
            withheld: { sections: 1, sources: 0, words: null },
          });
        }
      }
    }
  });

  it("tells each locked-out viewer the step that would open the gate", async () => {
    const steps = async (viewer: Viewer) =>
      ((await pages(viewer)).profile?.briefings ?? [])
        .slice(0, GATES.length)
        .map((b: RedactedBriefing) => (b.state === "locked" ? b.nextStep.action : b.state));
    expect(await steps(ANONYMOUS)).toEqual(["unlocked", "sign-in", "join", "apply"]);
    expect(await steps(member("member", []))).toEqual(["unlocked", "unlocked", "join", "apply"]);
    expect(
      await steps(member("member", [STRATEGIC_CIRCLE], { [LEADERSHIP_ALLIANCE]: "pending" })),
    ).toEqual(["unlocked", "unlocked", "unlocked", "application-pending"]);
    expect(await steps(member("member", [], { [LEADERSHIP_ALLIANCE]: "approved" }))).toEqual([
      "unlocked",
      "unlocked",
      "join",
      "pay",
    ]);
    expect(await steps(member("editor", []))).toEqual([
      "unlocked",
      "unlocked",
      "unlocked",
      "unlocked",
    ]);
  });

  it("keeps a locked briefing's teaser to its public head and a measure of what is withheld", async () => {
    const { profile } = await pages(ANONYMOUS);
    const locked = profile?.briefings.find(
      (b) => b.title === "Briefing behind leadership-alliance",
    );
    expect(locked).toEqual({
      id: expect.any(String),
      kind: "analysis",
      label: "Label leadership-alliance",
      title: "Briefing behind leadership-alliance",
      gate: { kind: "tier", tier: LEADERSHIP_ALLIANCE },
      position: 3,
      state: "locked",
      withheld: { sections: 1, sources: 1, words: expect.any(Number) },
      nextStep: expect.objectContaining({ action: "apply" }),
    });
  });

  it("lists, facets and related-article cards carry no gated text at all", async () => {
    const { db } = database;
    const outputs = [
      await listProfiles(db, {}),
      await listProfiles(db, { sort: "name" }),
      await latestProfiles(db),
      await loadDirectoryFacets(db),
      await listArticles(db, {}),
      await latestArticles(db),
      await articlesForProfile(db, (await latestProfiles(db, 1))[0]?.id as string),
    ];
    expect(outputs[0]).toMatchObject({ items: [{ slug: PROFILE.slug }] });
    expect(outputs[6]).toMatchObject([{ title: ARTICLE.title }]);
    for (const output of outputs) {
      const json = JSON.stringify(output);
      expect(json).not.toContain("CANARY-");
      for (const secret of sealedSecrets) expect(json).not.toContain(secret);
    }
  });

  it("refuses to delete a tier that still gates briefings", async () => {
    const { db } = database;
    await expect(db.delete(tiers).where(eq(tiers.slug, STRATEGIC_CIRCLE))).rejects.toThrow();
    const { profile } = await pages(member("member", [STRATEGIC_CIRCLE]));
    expect(JSON.stringify(profile)).toContain(canary("profile", "strategic-circle", "body"));
  });
});
