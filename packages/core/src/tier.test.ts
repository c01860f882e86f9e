import { describe, expect, it } from "vitest";
import { tierCatalogue } from "./access.ts";
import {
  admittedTierGates,
  DEFAULT_TIERS,
  gainedTierGates,
  LEADERSHIP_ALLIANCE,
  lostTierGates,
  moveInOrder,
  rankOrder,
  ranksForOrder,
  STRATEGIC_CIRCLE,
  type TierRef,
  tierSchema,
  withRanks,
} from "./tier.ts";

const tier = (slug: string, rank: number): TierRef => ({
  slug,
  name: slug,
  rank,
  joinMethod: "open",
  paid: false,
});

// bronze 1 < silver 2 < gold 3
const CATALOGUE = tierCatalogue([tier("bronze", 1), tier("silver", 2), tier("gold", 3)]);

describe("the default tiers", () => {
  it("are valid tiers, Leadership Alliance with its demo prices", () => {
    for (const item of DEFAULT_TIERS) expect(tierSchema.parse(item)).toEqual(item);
    expect(DEFAULT_TIERS.find((t) => t.slug === LEADERSHIP_ALLIANCE)).toMatchObject({
      paid: true,
      priceMonthly: 4900,
      priceYearly: 49000,
      currency: "usd",
    });
    expect(DEFAULT_TIERS.find((t) => t.slug === STRATEGIC_CIRCLE)?.priceMonthly).toBeUndefined();
  });
});

describe("admittedTierGates", () => {
  it("admits a held tier's own gate and every lower-ranked one", () => {
    expect(admittedTierGates(["silver"], CATALOGUE)).toEqual(["bronze", "silver"]);
    expect(admittedTierGates(["gold"], CATALOGUE)).toEqual(["bronze", "gold", "silver"]);
    expect(admittedTierGates([], CATALOGUE)).toEqual([]);
  });

  it("does not let equal ranks admit each other, nor a tier the catalogue lacks admit anything", () => {
    const tied = tierCatalogue([tier("left", 2), tier("right", 2), tier("low", 1)]);
    expect(admittedTierGates(["left"], tied)).toEqual(["left", "low"]);
    expect(admittedTierGates(["gone"], CATALOGUE)).toEqual([]);
  });
});

describe("lostTierGates and gainedTierGates", () => {
  // gold moved below silver: silver 2 → 3, gold 3 → 2.
  const swapped = withRanks(
    CATALOGUE,
    new Map([
      ["silver", 3],
      ["gold", 2],
    ]),
  );

  it("names the gates a member would no longer pass", () => {
    expect(lostTierGates(["gold"], CATALOGUE, swapped)).toEqual(["silver"]);
    expect(lostTierGates(["silver"], CATALOGUE, swapped)).toEqual([]);
    expect(lostTierGates(["bronze"], CATALOGUE, swapped)).toEqual([]);
    // Holding both keeps everything: silver's own gate, and gold's through silver's new rank.
    expect(lostTierGates(["gold", "silver"], CATALOGUE, swapped)).toEqual([]);
  });

  it("names the gates a member would newly pass", () => {
    expect(gainedTierGates(["silver"], CATALOGUE, swapped)).toEqual(["gold"]);
    expect(gainedTierGates(["gold"], CATALOGUE, swapped)).toEqual([]);
  });

  it("sees nothing lost when nothing moves", () => {
    expect(lostTierGates(["gold"], CATALOGUE, withRanks(CATALOGUE, new Map()))).toEqual([]);
  });
});

describe("ordering", () => {
  it("orders by rank, ties by slug", () => {
    expect(
      rankOrder([
        { slug: "b", rank: 2 },
        { slug: "a", rank: 2 },
        { slug: "c", rank: 1 },
      ]),
    ).toEqual(["c", "a", "b"]);
  });

  it("moves a tier one place, and not past either end", () => {
    const order = ["bronze", "silver", "gold"];
    expect(moveInOrder(order, "gold", "up")).toEqual(["bronze", "gold", "silver"]);
    expect(moveInOrder(order, "bronze", "down")).toEqual(["silver", "bronze", "gold"]);
    expect(moveInOrder(order, "bronze", "up")).toBeNull();
    expect(moveInOrder(order, "gold", "down")).toBeNull();
    expect(moveInOrder(order, "platinum", "up")).toBeNull();
    expect(order).toEqual(["bronze", "silver", "gold"]);
  });

  it("swaps two neighbours' ranks and leaves the others alone", () => {
    const tiers = [
      { slug: "bronze", rank: 1 },
      { slug: "silver", rank: 5 },
      { slug: "gold", rank: 9 },
    ];
    expect(ranksForOrder(tiers, ["bronze", "gold", "silver"])).toEqual(
      new Map([
        ["bronze", 1],
        ["gold", 5],
        ["silver", 9],
      ]),
    );
  });

  it("keeps ranks positive and distinct even from tied ranks", () => {
    const tiers = [
      { slug: "a", rank: 2 },
      { slug: "b", rank: 2 },
      { slug: "c", rank: 2 },
    ];
    const ranks = ranksForOrder(tiers, ["c", "a", "b"]);
    expect(ranks).toEqual(
      new Map([
        ["c", 2],
        ["a", 3],
        ["b", 4],
      ]),
    );
  });

  it("refuses an order that is not exactly the tiers", () => {
    const tiers = [
      { slug: "a", rank: 1 },
      { slug: "b", rank: 2 },
    ];
    expect(ranksForOrder(tiers, ["a"])).toBeNull();
    expect(ranksForOrder(tiers, ["a", "a"])).toBeNull();
    expect(ranksForOrder(tiers, ["a", "c"])).toBeNull();
    expect(ranksForOrder(tiers, ["a", "b", "c"])).toBeNull();
  });
});
