import { z } from "zod";
import { hasControlCharacters } from "../control-characters.ts";
import { SLUG_PATTERN, type Tier, tierJoinMethodSchema } from "../tier.ts";

/**
 * The admin's tier form (create and edit), shared by the portal's form (conform, in the
 * browser and in the route's action) and by @briefings/auth's tier services.
 *
 * Two schemas, because the form and the service do not speak the same units:
 * - `tierFormSchema` takes what the form sends (conform turns the rank into a number and
 *   the "paid" checkbox into a boolean): prices in major units as typed ("49.00"),
 *   benefits one per line, a currency code in any case. Its output is a `TierInput`.
 * - `tierInputSchema` checks a `TierInput` again in the service: prices in the currency's
 *   minor unit (4900), benefits as a list, the currency lower-case, as the tiers table
 *   stores them.
 * Both hold the rule that joins fields: a paid tier has at least one price, a free tier none.
 *
 * Tier texts are written by admins and shown to every reader; like the grant reason
 * (forms.ts), they may hold bidirectional marks (right-to-left names are legitimate), but
 * not control characters, and the one-line fields no line breaks.
 */

export const TIER_FORM_LIMITS = {
  slug: 100,
  name: 100,
  description: 2000,
  audience: 500,
  benefit: 300,
  benefits: 20,
  rankMin: 1,
  rankMax: 1000,
  /** The largest price, in minor units: a million dollars, a hundred million yen. */
  priceMax: 100_000_000,
} as const;

// ---------------------------------------------------------------------------------------
// Money: what an admin types ("49.00") and what is stored (4900, in the minor unit).

/** Currencies without a minor unit, and those with three decimals (ISO 4217). */
const ZERO_DECIMAL = new Set(
  "bif clp djf gnf isk jpy kmf krw mga pyg rwf ugx uyi vnd vuv xaf xof xpf".split(" "),
);
const THREE_DECIMAL = new Set("bhd iqd jod kwd lyd omr tnd".split(" "));

/** How many decimals the currency's minor unit has: 2 for USD (cents), 0 for JPY. */
export function currencyExponent(currency: string): number {
  const code = currency.toLowerCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

const CURRENCY_PATTERN = /^[A-Za-z]{3}$/;
const AMOUNT_PATTERN = /^\d{1,12}(?:\.\d{1,6})?$/;

export type AmountResult = { ok: true; value: number } | { ok: false; message: string };

/** "49.00" or "49" in `currency` → 4900 minor units, exactly (no floating point). */
export function parseMajorUnits(text: string, currency: string): AmountResult {
  const value = text.trim();
  if (!AMOUNT_PATTERN.test(value)) return { ok: false, message: "Enter an amount like 49.00" };
  const exponent = currencyExponent(currency);
  const [whole = "0", fraction = ""] = value.split(".");
  const code = currency.toUpperCase();
  if (fraction.length > exponent) {
    return {
      ok: false,
      message:
        exponent === 0
          ? `${code} amounts have no decimals`
          : `${code} amounts have at most ${exponent} decimals`,
    };
  }
  const minor = Number(whole) * 10 ** exponent + Number(fraction.padEnd(exponent, "0") || "0");
  if (minor <= 0) return { ok: false, message: "A price must be more than zero" };
  if (minor > TIER_FORM_LIMITS.priceMax) {
    return {
      ok: false,
      message: `A price is at most ${majorUnits(TIER_FORM_LIMITS.priceMax, currency)}`,
    };
  }
  return { ok: true, value: minor };
}

/** 4900 minor units of USD → "49.00", as the form shows it. */
export function majorUnits(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  if (exponent === 0) return String(minor);
  const scale = 10 ** exponent;
  return `${Math.floor(minor / scale)}.${String(minor % scale).padStart(exponent, "0")}`;
}

/** 4900 minor units of USD → "US$49.00", for reading. */
export function formatPrice(minor: number, currency: string): string {
  const exponent = currencyExponent(currency);
  return new Intl.NumberFormat("en-GB", {
    style: "currency",
    currency: currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  }).format(minor / 10 ** exponent);
}

// ---------------------------------------------------------------------------------------
// Fields.

const noControlCharacters = (value: string) => !hasControlCharacters(value);

function oneLine(label: string, max: number, required: boolean) {
  const base = z
    .string({ error: required ? `${label} is required` : `${label} must be text` })
    .trim()
    .max(max, { error: `${label} is at most ${max} characters` })
    .refine(noControlCharacters, { error: `${label} contains control characters` })
    .refine((value) => !/[\r\n]/.test(value), { error: `${label} is one line` });
  return required ? base.refine((value) => value.length > 0, `${label} is required`) : base;
}

const slugField = z
  .string({ error: "Slug is required" })
  .trim()
  .min(1, { error: "Slug is required", abort: true })
  .max(TIER_FORM_LIMITS.slug, { error: `Slug is at most ${TIER_FORM_LIMITS.slug} characters` })
  .regex(SLUG_PATTERN, {
    error: "Use lowercase letters, digits and single hyphens, e.g. gold-circle",
  });

const nameField = oneLine("Name", TIER_FORM_LIMITS.name, true);

const descriptionField = z
  .string({ error: "Description must be text" })
  .trim()
  .max(TIER_FORM_LIMITS.description, {
    error: `Description is at most ${TIER_FORM_LIMITS.description} characters`,
  })
  .refine(noControlCharacters, {
    error: "Description contains control characters",
  });

const audienceField = oneLine("Audience", TIER_FORM_LIMITS.audience, false);

const RANK_ERROR = `Rank is a whole number from ${TIER_FORM_LIMITS.rankMin} to ${TIER_FORM_LIMITS.rankMax}`;
const rankField = z
  .number({ error: RANK_ERROR })
  .int({ error: RANK_ERROR })
  .min(TIER_FORM_LIMITS.rankMin, { error: RANK_ERROR })
  .max(TIER_FORM_LIMITS.rankMax, { error: RANK_ERROR });

const joinMethodField = z.enum(tierJoinMethodSchema.options, {
  error: "Choose how members join: open, by application or by invitation",
});

const benefitField = oneLine("A benefit", TIER_FORM_LIMITS.benefit, true);

/** The benefits textarea: one per line, blank lines dropped. */
const benefitLinesField = z.string({ error: "Benefits must be text" }).transform((text, ctx) => {
  const lines = text
    .split(/\r\n|\r|\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length > TIER_FORM_LIMITS.benefits) {
    ctx.addIssue({
      code: "custom",
      message: `List at most ${TIER_FORM_LIMITS.benefits} benefits; you listed ${lines.length}`,
    });
    return z.NEVER;
  }
  for (const line of lines) {
    if (line.length > TIER_FORM_LIMITS.benefit) {
      ctx.addIssue({
        code: "custom",
        message: `Each benefit is at most ${TIER_FORM_LIMITS.benefit} characters`,
      });
      return z.NEVER;
    }
    if (hasControlCharacters(line)) {
      ctx.addIssue({ code: "custom", message: "Benefits contain control characters" });
      return z.NEVER;
    }
  }
  return lines;
});

const amountField = (label: string) =>
  z
    .string({ error: `${label} must be an amount like 49.00` })
    .trim()
    .regex(AMOUNT_PATTERN, { error: "Enter an amount like 49.00" });

const currencyField = z
  .string({ error: "Enter a three-letter currency code such as USD" })
  .trim()
  .regex(CURRENCY_PATTERN, { error: "Enter a three-letter currency code such as USD" });

const paidField = z.boolean({ error: "Paid is ticked or not" });

/**
 * A rule across fields runs even when a field failed (a missing name would otherwise hide
 * the price errors until it is fixed); it must then check the values it reads itself.
 */
const EVEN_WITH_FIELD_ERRORS = {
  when: (payload: { value: unknown }) =>
    typeof payload.value === "object" && payload.value !== null,
};

const NEEDS_PRICE = "A paid tier needs a monthly or a yearly price";
const FREE_HAS_NO_PRICE = "A free tier has no price: clear it, or tick “Paid”";

// ---------------------------------------------------------------------------------------
// The service's input: stored units.

const minorUnitsField = (label: string) =>
  z
    .number({ error: `${label} must be a whole number of minor units` })
    .int({ error: `${label} must be a whole number of minor units` })
    .positive({ error: "A price must be more than zero" })
    .max(TIER_FORM_LIMITS.priceMax, { error: `${label} is too large` });

export const tierInputSchema = z
  .object({
    slug: slugField,
    name: nameField,
    description: descriptionField,
    audience: audienceField,
    rank: rankField,
    joinMethod: joinMethodField,
    benefits: z
      .array(benefitField, { error: "Benefits must be a list" })
      .max(TIER_FORM_LIMITS.benefits, {
        error: `List at most ${TIER_FORM_LIMITS.benefits} benefits`,
      }),
    paid: paidField,
    priceMonthly: minorUnitsField("The monthly price").nullable(),
    priceYearly: minorUnitsField("The yearly price").nullable(),
    currency: z
      .string({ error: "Enter a three-letter currency code such as USD" })
      .regex(/^[a-z]{3}$/, { error: "Enter a three-letter currency code such as usd" }),
  })
  .superRefine((tier, ctx) => {
    const prices = [
      ["priceMonthly", tier.priceMonthly],
      ["priceYearly", tier.priceYearly],
    ] as const;
    if (tier.paid === true && prices.every(([, price]) => price === null)) {
      ctx.addIssue({ code: "custom", path: ["priceMonthly"], message: NEEDS_PRICE });
    }
    if (tier.paid === false) {
      for (const [path, price] of prices) {
        if (price !== null && price !== undefined)
          ctx.addIssue({ code: "custom", path: [path], message: FREE_HAS_NO_PRICE });
      }
    }
  }, EVEN_WITH_FIELD_ERRORS);
/** A tier as the services create or update it. */
export type TierInput = z.output<typeof tierInputSchema>;

// ---------------------------------------------------------------------------------------
// The form.

export const tierFormSchema = z
  .object({
    slug: slugField,
    name: nameField,
    // conform sends an empty field as nothing at all: the optional texts default to "".
    description: descriptionField.optional().default(""),
    audience: audienceField.optional().default(""),
    rank: rankField,
    joinMethod: joinMethodField,
    benefits: benefitLinesField.optional().default([]),
    paid: paidField.optional().default(false),
    priceMonthly: amountField("The monthly price").optional(),
    priceYearly: amountField("The yearly price").optional(),
    currency: currencyField.optional().default("usd"),
  })
  .superRefine((form, ctx) => {
    // Runs even when other fields failed, so that every error is shown at once: the values
    // here may be unchecked, and are looked at with care.
    const prices = [
      ["priceMonthly", form.priceMonthly],
      ["priceYearly", form.priceYearly],
    ] as const;
    if (form.paid === true && prices.every(([, price]) => price === undefined)) {
      ctx.addIssue({ code: "custom", path: ["priceMonthly"], message: NEEDS_PRICE });
    }
    if (form.paid === false) {
      for (const [path, price] of prices) {
        if (price !== undefined)
          ctx.addIssue({ code: "custom", path: [path], message: FREE_HAS_NO_PRICE });
      }
      return;
    }
    if (typeof form.currency !== "string" || !CURRENCY_PATTERN.test(form.currency)) return;
    for (const [path, price] of prices) {
      if (typeof price !== "string" || !AMOUNT_PATTERN.test(price)) continue;
      const parsed = parseMajorUnits(price, form.currency);
      if (!parsed.ok) ctx.addIssue({ code: "custom", path: [path], message: parsed.message });
    }
  }, EVEN_WITH_FIELD_ERRORS)
  .transform((form): TierInput => {
    const currency = form.currency.toLowerCase();
    const minor = (price: string | undefined) => {
      if (!form.paid || price === undefined) return null;
      const parsed = parseMajorUnits(price, currency);
      // The refinement above refused every price that does not parse.
      if (!parsed.ok) throw new Error(parsed.message);
      return parsed.value;
    };
    return {
      slug: form.slug,
      name: form.name,
      description: form.description,
      audience: form.audience,
      rank: form.rank,
      joinMethod: form.joinMethod,
      benefits: form.benefits,
      paid: form.paid,
      priceMonthly: minor(form.priceMonthly),
      priceYearly: minor(form.priceYearly),
      currency,
    };
  });

/** A tier as its edit form shows it: the form's own units, as the admin would type them. */
export function tierFormValues(tier: Tier) {
  const currency = tier.currency ?? "usd";
  const price = (minor: number | null | undefined) =>
    minor === null || minor === undefined ? "" : majorUnits(minor, currency);
  return {
    slug: tier.slug,
    name: tier.name,
    description: tier.description,
    audience: tier.audience,
    rank: String(tier.rank),
    joinMethod: tier.joinMethod,
    benefits: tier.benefits.join("\n"),
    paid: tier.paid,
    priceMonthly: price(tier.priceMonthly),
    priceYearly: price(tier.priceYearly),
    currency: currency.toUpperCase(),
  };
}
