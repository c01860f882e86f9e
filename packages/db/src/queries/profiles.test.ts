import {
  ANONYMOUS,
  type ConfidenceGrade,
  CRITICALITIES,
  PROFILE_SORTS,
  type Profile,
  type ProfileSort,
  slugify,
  type Viewer,
} from "@briefings/core";
import { asc, eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { profiles } from "../schema.ts";
import { generateDemoProfiles, loadSeedProfile, seedDemoContent } from "../seed/index.ts";
import { openTestDatabase, type TestDatabase, testDrivers } from "../testing.ts";
import {
  countProfiles,
  encodeCursor,
  InvalidCursorError,
  latestProfiles,
  listProfiles,
  loadDirectoryFacets,
  loadProfilePage,
  loadTierCatalogue,
  type ProfileCard,
  type ProfileFilters,
  saveProfiles,
} from "./index.ts";
import type { ProfileInput } from "./save-content.ts";

const ADMIN: Viewer = {
  kind: "member",
  userId: "00000000-0000-4000-8000-0000000000ad",
  role: "admin",
  tiers: [],
  applications: {},
};

/** The seed page's grading table, written out here rather than taken from the code under test. */
const GRADE_TABLE: { grade: ConfidenceGrade; min: number; max: number; maxIncluded: boolean }[] = [
  { grade: "A", min: 0.9, max: 1, maxIncluded: true },
  { grade: "A/B", min: 0.75, max: 0.9, maxIncluded: false },
  { grade: "B/C", min: 0.55, max: 0.75, maxIncluded: false },
  { grade: "C/D", min: 0.35, max: 0.55, maxIncluded: false },
  { grade: "D", min: 0, max: 0.35, maxIncluded: false },
];
const inGrade = (confidence: number, grade: ConfidenceGrade): boolean => {
  const row = GRADE_TABLE.find((g) => g.grade === grade);
  if (!row) throw new Error(`no grade ${grade}`);
  return confidence >= row.min && (row.maxIncluded ? confidence <= row.max : confidence < row.max);
};

/** Hand-made profiles on each side of every grade boundary, with the grade each must land in. */
const BOUNDARIES: [number, ConfidenceGrade][] = [
  [0.09, "D"],
  [0.1, "D"],
  [0.34, "D"],
  [0.35, "C/D"],
  [0.5499, "C/D"],
  [0.55, "B/C"],
  [0.74, "B/C"],
  [0.75, "A/B"],
  [0.89, "A/B"],
  [0.9, "A"],
  [1.0, "A"],
];
const boundarySlug = (confidence: number) =>
  `grade-boundary-${String(confidence).replace(".", "-")}`;

const TIE_DATE = new Date("2023-06-15T00:00:00Z");

function handMade(slug: string, overrides: Partial<Profile> = {}): ProfileInput {
  const publishedAt = overrides.publishedAt ?? new Date("2022-03-01T12:00:00Z");
  return {
    profile: {
      slug,
      name: `Hand-made ${slug}`,
      type: "Hand-made fixture",
      ecosystem: "Test fixtures",
      base: "Fixtureland",
      focus: "Technology",
      summary: `A hand-made profile (${slug}) for the directory tests.`,
      whatItDoes: ["Exists for a test."],
      whyItMatters: ["It pins down an edge case."],
      criticality: "Low",
      timeHorizon: "Next quarter",
      whatToWatch: [],
      keyPoints: [],
      sections: [],
      sources: [],
      sourcesNote: null,
      alsoRead: [],
      topics: ["Fixtures"],
      confidence: 0.5,
      publishedAt,
      lastReviewedAt: null,
      updatedAt: publishedAt,
      ...overrides,
    },
    briefings: [],
  };
}

const boundaryProfiles = BOUNDARIES.map(([confidence]) =>
  handMade(boundarySlug(confidence), {
    name: `Grade boundary ${confidence}`,
    type: "Grade boundary fixture",
    criticality: "Critical",
    topics: ["Grade boundaries"],
    confidence,
  }),
);

/** Same publishedAt, same confidence and same name: a tie in every sort order. */
const tiedProfiles = Array.from({ length: 7 }, (_, i) =>
  handMade(`tied-profile-${i + 1}`, {
    name: "Tied Profile",
    publishedAt: TIE_DATE,
    confidence: 0.42,
    base: "Tie City",
    topics: ["Ties", "Fixtures"],
  }),
);

/** Every value this profile carries is carried by drafts only; it would lead every sort. */
const draftOnly = handMade("draft-only-profile", {
  name: "AAA Draft-only profile",
  type: "Draft-only type",
  base: "Draft-only base",
  focus: "Person",
  topics: ["Draft-only topic"],
  confidence: 1,
  publishedAt: new Date("2030-01-01T00:00:00Z"),
});

const demo = generateDemoProfiles(60);
const seedProfile = loadSeedProfile();
const handMadeProfiles = [...boundaryProfiles, ...tiedProfiles, draftOnly];
const allInputs = [seedProfile, ...demo, ...handMadeProfiles].map((input) => input.profile);

/** Drafts: the draft-only profile, one of the tie group, one demo profile. */
const DRAFT_SLUGS = [
  draftOnly.profile.slug,
  "tied-profile-4",
  (demo[0] as ProfileInput).profile.slug,
];
const published = allInputs.filter((p) => !DRAFT_SLUGS.includes(p.slug));

async function walk(db: TestDatabase["db"], filters: ProfileFilters, pageSize: number) {
  const pages: ProfileCard[][] = [];
  let after: string | undefined;
  for (let guard = 0; guard < 1000; guard++) {
    const page = await listProfiles(db, { ...filters, after }, pageSize);
    pages.push(page.items);
    if (!page.nextCursor) return { pages, items: pages.flat() };
    after = page.nextCursor;
  }
  throw new Error("pagination did not end after 1000 pages");
}

const slugsOf = (items: { slug: string }[]) => items.map((item) => item.slug);

describe.each(testDrivers())("profile directory on %s", (driver) => {
  let database: TestDatabase;
  /** Every published profile's slug in the order each sort must show them. */
  const order = {} as Record<ProfileSort, string[]>;

  beforeAll(async () => {
    database = await openTestDatabase(driver);
    const { db } = database;
    await seedDemoContent(db, { demoProfiles: 60, demoArticles: 0 });
    await saveProfiles(db, handMadeProfiles);
    await db.update(profiles).set({ status: "draft" }).where(inArray(profiles.slug, DRAFT_SLUGS));

    const rows = await db
      .select({ slug: profiles.slug, id: profiles.id })
      .from(profiles)
      .where(eq(profiles.status, "published"));
    const idOf = new Map(rows.map((row) => [row.slug, row.id]));
    expect([...idOf.keys()].sort()).toEqual(slugsOf(published).sort());
    // Postgres orders uuids bytewise, which is the order of their lowercase hex text.
    const byIdDesc = (a: Profile, b: Profile) => {
      const [x, y] = [idOf.get(a.slug) as string, idOf.get(b.slug) as string];
      return x < y ? 1 : x > y ? -1 : 0;
    };
    order.newest = slugsOf(
      [...published].sort(
        (a, b) => b.publishedAt.getTime() - a.publishedAt.getTime() || byIdDesc(a, b),
      ),
    );
    order.confidence = slugsOf(
      [...published].sort((a, b) => b.confidence - a.confidence || byIdDesc(a, b)),
    );
    // Names compare by the database's collation, so that order comes from a plain query.
    order.name = slugsOf(
      await db
        .select({ slug: profiles.slug })
        .from(profiles)
        .where(eq(profiles.status, "published"))
        .orderBy(asc(profiles.name), asc(profiles.id)),
    );
  }, 120_000);

  afterAll(async () => {
    await database?.dispose();
  });

  it("has ties in every sort order, so the tie-breaks are exercised", () => {
    const keys: ((p: Profile) => number | string)[] = [
      (p) => p.publishedAt.getTime(),
      (p) => p.confidence,
      (p) => p.name,
    ];
    for (const key of keys) {
      const values = published.map(key);
      expect(new Set(values).size).toBeLessThan(values.length);
    }
  });

  it.each(PROFILE_SORTS.flatMap((sort) => [1, 4, 7].map((size) => [sort, size] as const)))(
    "walks every page sorted by %s, %i per page, seeing each profile once in order",
    async (sort, size) => {
      const { pages, items } = await walk(database.db, { sort }, size);
      expect(slugsOf(items)).toEqual(order[sort]);
      // Full pages until the last, which is not empty.
      for (const page of pages.slice(0, -1)) expect(page).toHaveLength(size);
      expect(pages.at(-1)?.length).toBeGreaterThan(0);
      expect(pages.at(-1)?.length).toBeLessThanOrEqual(size);
    },
  );

  it("keeps profiles with the same sort key together, ordered by id, across page boundaries", async () => {
    const sameKey: Record<ProfileSort, (p: Profile) => boolean> = {
      newest: (p) => p.publishedAt.getTime() === TIE_DATE.getTime(),
      confidence: (p) => p.confidence === 0.42,
      name: (p) => p.name === "Tied Profile",
    };
    for (const sort of PROFILE_SORTS) {
      const group = slugsOf(published.filter(sameKey[sort]));
      // Larger than a page, so the group is split by at least one cursor.
      expect(group.length, sort).toBeGreaterThan(4);
      const { items } = await walk(database.db, { sort }, 4);
      const positions = items
        .map((item, i) => (group.includes(item.slug) ? i : -1))
        .filter((i) => i >= 0);
      expect(positions, sort).toHaveLength(group.length);
      expect((positions.at(-1) as number) - (positions[0] as number), sort).toBe(group.length - 1);
      const ids = positions.map((i) => (items[i] as ProfileCard).id);
      const ascending = [...ids].sort();
      expect(ids, sort).toEqual(sort === "name" ? ascending : ascending.reverse());
    }
  });

  it("treats an omitted sort as newest first", async () => {
    const { items } = await walk(database.db, {}, 9);
    expect(slugsOf(items)).toEqual(order.newest);
    expect(slugsOf(await latestProfiles(database.db, 3))).toEqual(order.newest.slice(0, 3));
  });

  type FilterCase = [string, ProfileFilters, (p: Profile) => boolean];
  const distinct = (pick: (p: Profile) => string) => [...new Set(published.map(pick))].sort();
  const filterCases = (): FilterCase[] => [
    ...distinct((p) => p.type).map(
      (type): FilterCase => [`type ${type}`, { type }, (p) => p.type === type],
    ),
    ...distinct((p) => p.base).map(
      (base): FilterCase => [`base ${base}`, { base }, (p) => p.base === base],
    ),
    ...distinct((p) => p.focus).map(
      (focus): FilterCase => [`focus ${focus}`, { focus }, (p) => p.focus === focus],
    ),
    ...CRITICALITIES.map(
      (criticality): FilterCase => [
        `criticality ${criticality}`,
        { criticality },
        (p) => p.criticality === criticality,
      ],
    ),
    ...[...new Set(published.flatMap((p) => p.topics.map((name) => slugify(name))))].map(
      (topic): FilterCase => [
        `topic ${topic}`,
        { topic },
        (p) => p.topics.some((name) => slugify(name) === topic),
      ],
    ),
    [
      "type and criticality together",
      { type: "Grade boundary fixture", criticality: "Critical", topic: "grade-boundaries" },
      (p) => p.type === "Grade boundary fixture",
    ],
  ];

  it("returns exactly the matching profiles for every filter value, in every sort, and counts them", async () => {
    const cases = filterCases();
    expect(cases.length).toBeGreaterThan(30);
    for (const [label, filters, matches] of cases) {
      const matching = new Set(slugsOf(published.filter(matches)));
      expect(matching.size, label).toBeGreaterThan(0);
      for (const sort of PROFILE_SORTS) {
        const { items } = await walk(database.db, { ...filters, sort }, 5);
        expect(slugsOf(items), `${label}, ${sort}`).toEqual(
          order[sort].filter((slug) => matching.has(slug)),
        );
        expect(await countProfiles(database.db, { ...filters, sort }), label).toBe(items.length);
      }
    }
  });

  it("cards show the profile's own values", async () => {
    const { items } = await walk(database.db, { type: "Grade boundary fixture" }, 50);
    for (const card of items) {
      const input = published.find((p) => p.slug === card.slug) as Profile;
      expect(card).toMatchObject({
        name: input.name,
        type: input.type,
        base: input.base,
        focus: input.focus,
        criticality: input.criticality,
        confidence: input.confidence,
        publishedAt: input.publishedAt,
        topics: ["Grade boundaries"],
        isDemo: false,
      });
    }
  });

  it("returns nothing, and counts zero, for values no profile has", async () => {
    for (const filters of [
      { type: "No such type" },
      { base: "Atlantis" },
      { focus: "Nothing" },
      { topic: "no-such-topic" },
      { type: "Grade boundary fixture", criticality: "Low" as const },
    ]) {
      expect(await listProfiles(database.db, filters, 5)).toEqual({ items: [], nextCursor: null });
      expect(await countProfiles(database.db, filters)).toBe(0);
    }
  });

  it.each(BOUNDARIES)(
    "files a profile with confidence %d under grade %s, and under no other",
    async (confidence, grade) => {
      const slug = boundarySlug(confidence);
      for (const { grade: candidate } of GRADE_TABLE) {
        const { items } = await walk(database.db, { grade: candidate, sort: "confidence" }, 50);
        const card = items.find((item) => item.slug === slug);
        if (candidate === grade) expect(card?.grade).toBe(grade);
        else expect(card, `listed under ${candidate}`).toBeUndefined();
      }
    },
  );

  it("grade filters partition the directory by the seed's grading table", async () => {
    let total = 0;
    for (const { grade } of GRADE_TABLE) {
      const matching = new Set(slugsOf(published.filter((p) => inGrade(p.confidence, grade))));
      const { items } = await walk(database.db, { grade, sort: "confidence" }, 6);
      expect(slugsOf(items), grade).toEqual(order.confidence.filter((slug) => matching.has(slug)));
      expect(
        items.every((card) => card.grade === grade),
        grade,
      ).toBe(true);
      expect(await countProfiles(database.db, { grade }), grade).toBe(items.length);
      total += items.length;
    }
    expect(total).toBe(published.length);
    expect(await countProfiles(database.db, {})).toBe(published.length);
  });

  it("rejects a tampered cursor with InvalidCursorError, in every sort", async () => {
    const { nextCursor } = await listProfiles(database.db, { sort: "name" }, 3);
    expect(nextCursor).toEqual(expect.any(String));
    const real = nextCursor as string;
    const reencoded = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const tampered = [
      "not a cursor!",
      real.slice(0, -6),
      reencoded({ name: "Demo", id: "00000000-0000-4000-8000-000000000000" }),
      reencoded(["Demo", "not-a-uuid"]),
      reencoded(["Demo", "00000000-0000-4000-8000-000000000000", "extra"]),
      reencoded([null, "00000000-0000-4000-8000-000000000000"]),
      reencoded("Demo"),
    ];
    for (const sort of PROFILE_SORTS) {
      for (const after of tampered) {
        await expect(
          listProfiles(database.db, { sort, after }, 3),
          `${sort} ${after}`,
        ).rejects.toBeInstanceOf(InvalidCursorError);
      }
    }
  });

  // A cursor of the right shape but the wrong key for its sort once reached the
  // timestamp encoder and became a 500; each sort now checks its key's type.
  it("rejects a well-formed newest cursor whose date is not a date with InvalidCursorError", async () => {
    const [first] = (await listProfiles(database.db, { sort: "newest" }, 1)).items;
    const after = encodeCursor(["not a date", (first as ProfileCard).id]);
    await expect(listProfiles(database.db, { sort: "newest", after }, 3)).rejects.toBeInstanceOf(
      InvalidCursorError,
    );
  });

  it("rejects a cursor whose key has the wrong type for its sort", async () => {
    const [first] = (await listProfiles(database.db, { sort: "newest" }, 1)).items;
    const id = (first as ProfileCard).id;
    const cases = [
      { sort: "newest", after: encodeCursor([12345, id]) },
      { sort: "name", after: encodeCursor([0.5, id]) },
      { sort: "confidence", after: encodeCursor(["0.5", id]) },
    ] as const;
    for (const filters of cases) {
      await expect(listProfiles(database.db, filters, 3), filters.sort).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    }
  });

  it("lists each type, base, focus and topic of published profiles once", async () => {
    const facets = await loadDirectoryFacets(database.db);
    expect([...facets.types].sort()).toEqual(distinct((p) => p.type));
    expect([...facets.bases].sort()).toEqual(distinct((p) => p.base));
    expect([...facets.focuses].sort()).toEqual(distinct((p) => p.focus));
    const topicSlugs = facets.topics.map((t) => t.slug);
    expect(new Set(topicSlugs).size).toBe(topicSlugs.length);
    const expectedTopics = new Map(
      published.flatMap((p) => p.topics.map((name) => [slugify(name), name] as const)),
    );
    for (const [slug, name] of expectedTopics) expect(facets.topics).toContainEqual({ slug, name });
    // Every listed topic actually filters to something.
    for (const slug of topicSlugs.filter((s) => s !== "draft-only-topic")) {
      expect(await countProfiles(database.db, { topic: slug }), slug).toBeGreaterThan(0);
    }
  });

  it("keeps draft profiles out of lists, counts, type/base/focus facets and pages", async () => {
    const { db } = database;
    for (const sort of PROFILE_SORTS) {
      const { items } = await walk(db, { sort }, 10);
      expect(
        slugsOf(items).filter((slug) => DRAFT_SLUGS.includes(slug)),
        sort,
      ).toEqual([]);
    }
    expect(await countProfiles(db, {})).toBe(published.length);
    expect(await countProfiles(db, { base: "Tie City" })).toBe(tiedProfiles.length - 1);
    for (const filters of [
      { type: "Draft-only type" },
      { base: "Draft-only base" },
      { focus: "Person" },
      { topic: "draft-only-topic" },
    ]) {
      expect(await listProfiles(db, filters, 5)).toEqual({ items: [], nextCursor: null });
      expect(await countProfiles(db, filters)).toBe(0);
    }
    const facets = await loadDirectoryFacets(db);
    expect(facets.types).not.toContain("Draft-only type");
    expect(facets.bases).not.toContain("Draft-only base");
    expect(facets.focuses).not.toContain("Person");
    expect(slugsOf(await latestProfiles(db, 1))).toEqual([seedProfile.profile.slug]);

    const tiers = await loadTierCatalogue(db);
    for (const slug of DRAFT_SLUGS) {
      expect(await loadProfilePage(db, slug, ANONYMOUS, tiers), slug).toBeNull();
      expect(await loadProfilePage(db, slug, ADMIN, tiers), slug).toBeNull();
    }
    const page = await loadProfilePage(db, "tied-profile-3", ANONYMOUS, tiers);
    expect(page?.profile.name).toBe("Tied Profile");
  });

  // A topic carried only by drafts would be a filter that always returns nothing.
  it("does not offer a topic that only draft profiles carry", async () => {
    const facets = await loadDirectoryFacets(database.db);
    expect(facets.topics.map((t) => t.slug)).not.toContain("draft-only-topic");
  });
});
