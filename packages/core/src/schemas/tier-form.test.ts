import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { DEFAULT_TIERS, LEADERSHIP_ALLIANCE } from "../tier.ts";
import {
  currencyExponent,
  formatPrice,
  majorUnits,
  parseMajorUnits,
  tierFormSchema,
  tierFormValues,
  tierInputSchema,
} from "./tier-form.ts";

/** What a schema makes of an input: the value, or each issue's path and message. */
function outcome(schema: z.ZodType, input: unknown) {
  const result = schema.safeParse(input);
  return result.success
    ? { ok: true, value: result.data }
    : {
        ok: false,
        issues: result.error.issues.map((issue) => [issue.path.join("."), issue.message]),
      };
}

/** A form as conform hands it over: rank a number, the checkbox a boolean, empty fields absent. */
const FORM = {
  slug: "gold-circle",
  name: "Gold Circle",
  description: "For our closest readers.",
  audience: "Anyone who asks nicely",
  rank: 7,
  joinMethod: "application",
  benefits: "Everything\n\n  Gold briefings  \r\nA monthly call",
  paid: true,
  priceMonthly: "49.00",
  priceYearly: "490",
  currency: "USD",
};

describe("tierFormSchema", () => {
  it("turns the form into stored units: minor units, lower-case currency, benefit lines", () => {
    expect(outcome(tierFormSchema, FORM)).toEqual({
      ok: true,
      value: {
        slug: "gold-circle",
        name: "Gold Circle",
        description: "For our closest readers.",
        audience: "Anyone who asks nicely",
        rank: 7,
        joinMethod: "application",
        benefits: ["Everything", "Gold briefings", "A monthly call"],
        paid: true,
        priceMonthly: 4900,
        priceYearly: 49000,
        currency: "usd",
      },
    });
  });

  it("takes a free tier with only the required fields, and gives it no price", () => {
    const result = tierFormSchema.parse({
      slug: "open-door",
      name: "Open Door",
      rank: 3,
      joinMethod: "open",
    });
    expect(result).toEqual({
      slug: "open-door",
      name: "Open Door",
      description: "",
      audience: "",
      rank: 3,
      joinMethod: "open",
      benefits: [],
      paid: false,
      priceMonthly: null,
      priceYearly: null,
      currency: "usd",
    });
  });

  it("needs a price for a paid tier, and refuses one for a free tier, beside the price", () => {
    const { priceMonthly: _m, priceYearly: _y, ...unpriced } = FORM;
    expect(outcome(tierFormSchema, unpriced)).toEqual({
      ok: false,
      issues: [["priceMonthly", "A paid tier needs a monthly or a yearly price"]],
    });
    expect(outcome(tierFormSchema, { ...FORM, paid: false })).toEqual({
      ok: false,
      issues: [
        ["priceMonthly", "A free tier has no price: clear it, or tick “Paid”"],
        ["priceYearly", "A free tier has no price: clear it, or tick “Paid”"],
      ],
    });
    // One price is enough.
    const { priceYearly: _only, ...monthlyOnly } = FORM;
    expect(tierFormSchema.parse(monthlyOnly)).toMatchObject({
      priceMonthly: 4900,
      priceYearly: null,
    });
  });

  it("reads prices in the currency's own decimals", () => {
    expect(tierFormSchema.parse({ ...FORM, currency: "jpy", priceMonthly: "5000" })).toMatchObject({
      priceMonthly: 5000,
      currency: "jpy",
    });
    expect(
      outcome(tierFormSchema, {
        ...FORM,
        currency: "JPY",
        priceMonthly: "4900",
        priceYearly: "4900.50",
      }),
    ).toEqual({
      ok: false,
      issues: [["priceYearly", "JPY amounts have no decimals"]],
    });
    expect(outcome(tierFormSchema, { ...FORM, priceMonthly: "49.005" })).toEqual({
      ok: false,
      issues: [["priceMonthly", "USD amounts have at most 2 decimals"]],
    });
    expect(tierFormSchema.parse({ ...FORM, currency: "kwd", priceMonthly: "1.250" })).toMatchObject(
      { priceMonthly: 1250 },
    );
  });

  it.each([
    ["an empty slug", { slug: undefined }, "slug", "Slug is required"],
    [
      "a slug with capitals",
      { slug: "Gold Circle" },
      "slug",
      "Use lowercase letters, digits and single hyphens, e.g. gold-circle",
    ],
    ["no name", { name: undefined }, "name", "Name is required"],
    ["a name on two lines", { name: "Gold\nCircle" }, "name", "Name is one line"],
    ["a NUL in the name", { name: "Gold\u0000" }, "name", "Name contains control characters"],
    [
      "a long description",
      { description: "x".repeat(2001) },
      "description",
      "Description is at most 2000 characters",
    ],
    ["rank 0", { rank: 0 }, "rank", "Rank is a whole number from 1 to 1000"],
    ["rank 2.5", { rank: 2.5 }, "rank", "Rank is a whole number from 1 to 1000"],
    [
      "a rank that is not a number",
      { rank: Number.NaN },
      "rank",
      "Rank is a whole number from 1 to 1000",
    ],
    ["rank 1001", { rank: 1001 }, "rank", "Rank is a whole number from 1 to 1000"],
    [
      "an unknown join method",
      { joinMethod: "lottery" },
      "joinMethod",
      "Choose how members join: open, by application or by invitation",
    ],
    [
      "21 benefits",
      { benefits: Array.from({ length: 21 }, (_, i) => `Benefit ${i}`).join("\n") },
      "benefits",
      "List at most 20 benefits; you listed 21",
    ],
    [
      "a long benefit",
      { benefits: "x".repeat(301) },
      "benefits",
      "Each benefit is at most 300 characters",
    ],
    [
      "a price in words",
      { priceMonthly: "forty-nine" },
      "priceMonthly",
      "Enter an amount like 49.00",
    ],
    ["a negative price", { priceMonthly: "-49" }, "priceMonthly", "Enter an amount like 49.00"],
    ["a zero price", { priceYearly: "0.00" }, "priceYearly", "A price must be more than zero"],
    ["a huge price", { priceYearly: "99999999" }, "priceYearly", "A price is at most 1000000.00"],
    [
      "a currency of two letters",
      { currency: "US" },
      "currency",
      "Enter a three-letter currency code such as USD",
    ],
    ["a checkbox that is not one", { paid: "yes" }, "paid", "Paid is ticked or not"],
  ])("refuses %s beside its field", (_name, change, path, message) => {
    const result = outcome(tierFormSchema, { ...FORM, ...change });
    expect(result.ok).toBe(false);
    expect(result.issues).toContainEqual([path, message]);
  });

  it("shows every field's error at once, the price rule too", () => {
    const result = outcome(tierFormSchema, {
      ...FORM,
      slug: "Not A Slug",
      name: undefined,
      priceMonthly: undefined,
      priceYearly: undefined,
    });
    expect(result.issues?.map(([path]) => path).sort()).toEqual(["name", "priceMonthly", "slug"]);
  });

  it("refuses a field sent twice (an array) with its own message", () => {
    expect(outcome(tierFormSchema, { ...FORM, name: ["a", "b"] }).issues).toContainEqual([
      "name",
      "Name is required",
    ]);
    expect(outcome(tierFormSchema, { ...FORM, benefits: ["a", "b"] }).issues).toContainEqual([
      "benefits",
      "Benefits must be text",
    ]);
  });
});

describe("tierInputSchema", () => {
  it("takes what the form schema gives, unchanged", () => {
    const input = tierFormSchema.parse(FORM);
    expect(tierInputSchema.parse(input)).toEqual(input);
  });

  it("holds the price rule and the stored units", () => {
    const input = tierFormSchema.parse(FORM);
    expect(outcome(tierInputSchema, { ...input, priceMonthly: null, priceYearly: null })).toEqual({
      ok: false,
      issues: [["priceMonthly", "A paid tier needs a monthly or a yearly price"]],
    });
    expect(outcome(tierInputSchema, { ...input, paid: false }).ok).toBe(false);
    expect(outcome(tierInputSchema, { ...input, priceMonthly: 49.5 }).issues).toContainEqual([
      "priceMonthly",
      "The monthly price must be a whole number of minor units",
    ]);
    expect(outcome(tierInputSchema, { ...input, currency: "USD" }).ok).toBe(false);
  });
});

describe("money", () => {
  it("knows the minor unit of zero- and three-decimal currencies", () => {
    expect([currencyExponent("usd"), currencyExponent("JPY"), currencyExponent("kwd")]).toEqual([
      2, 0, 3,
    ]);
  });

  it("converts without floating point error, both ways", () => {
    // 0.29 * 100 is 28.999999999999996 in floating point.
    expect(parseMajorUnits("0.29", "usd")).toEqual({ ok: true, value: 29 });
    expect(parseMajorUnits("1234567.8", "jpy")).toEqual({
      ok: false,
      message: "JPY amounts have no decimals",
    });
    expect(parseMajorUnits("19.9", "usd")).toEqual({ ok: true, value: 1990 });
    expect(majorUnits(4900, "usd")).toBe("49.00");
    expect(majorUnits(5, "usd")).toBe("0.05");
    expect(majorUnits(5000, "jpy")).toBe("5000");
    expect(majorUnits(1250, "kwd")).toBe("1.250");
    expect(formatPrice(4900, "usd")).toBe("US$49.00");
    expect(formatPrice(5000, "jpy")).toBe("JP¥5,000");
  });

  it("shows a stored tier in the form's units, which read back as the same tier", () => {
    const alliance = DEFAULT_TIERS.find((tier) => tier.slug === LEADERSHIP_ALLIANCE);
    if (!alliance) throw new Error("no Leadership Alliance");
    const values = tierFormValues(alliance);
    expect(values).toMatchObject({ priceMonthly: "49.00", priceYearly: "490.00", currency: "USD" });
    // As conform would hand the form back: the rank a number, empty fields absent.
    const again = tierFormSchema.parse({ ...values, rank: Number(values.rank) });
    expect(again).toMatchObject({
      slug: alliance.slug,
      rank: alliance.rank,
      benefits: alliance.benefits,
      priceMonthly: 4900,
      priceYearly: 49000,
      currency: "usd",
    });
  });
});
