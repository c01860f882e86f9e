import ipaddr from "ipaddr.js";
import { z } from "zod";
import { hasBidiControls, hasControlCharacters } from "./control-characters.ts";
import { webUrlSchema } from "./schemas/common.ts";
import type { ApplicationStatus, Role, Viewer } from "./viewer.ts";

// ---------------------------------------------------------------------------------------
// Entitlements: the one place a member's tiers are computed.

/** Why a member may hold a tier, over which period. `endsAt` null: until further notice. */
export type EntitlementSource = {
  tierSlug: string;
  via: "join" | "approval" | "grant" | "subscription";
  startsAt: Date;
  endsAt: Date | null;
};

/** A source counts from its start (inclusive) to its end (exclusive). */
export function isSourceActive(source: EntitlementSource, now: Date): boolean {
  const t = now.getTime();
  return source.startsAt.getTime() <= t && (source.endsAt === null || t < source.endsAt.getTime());
}

/** The slugs of the tiers held at `now`, each once, sorted. */
export function activeTierSlugs(sources: readonly EntitlementSource[], now: Date): string[] {
  const held = new Set(sources.filter((s) => isSourceActive(s, now)).map((s) => s.tierSlug));
  return [...held].sort();
}

/** Builds the viewer of a signed-in member from their role, entitlement sources and applications. */
export function memberViewer(input: {
  userId: string;
  role: Role;
  sources: readonly EntitlementSource[];
  applications: Readonly<Record<string, ApplicationStatus>>;
  now: Date;
}): Viewer {
  return {
    kind: "member",
    userId: input.userId,
    role: input.role,
    tiers: activeTierSlugs(input.sources, input.now),
    applications: { ...input.applications },
  };
}

// ---------------------------------------------------------------------------------------
// Evidence of IP holdings, as given in a Leadership Alliance application.

export const MAX_EVIDENCE_ITEMS = 50;

/** Ranges no organisation can hold: AS_TRANS, documentation, private use and reserved. */
const RESERVED_ASNS: readonly [number, number, string][] = [
  [0, 0, "reserved"],
  [23456, 23456, "reserved (AS_TRANS)"],
  [64496, 64511, "reserved for documentation"],
  [64512, 65534, "for private use"],
  [65535, 65535, "reserved"],
  [65536, 65551, "reserved for documentation"],
  [65552, 131071, "reserved"],
  [4200000000, 4294967294, "for private use"],
  [4294967295, 4294967295, "reserved"],
];

export type EvidenceResult = { ok: true; value: string } | { ok: false; message: string };

/** "AS8075", "as8075" or "8075" → "AS8075". */
export function parseAsn(input: string): EvidenceResult {
  const match = /^(?:AS)?(\d{1,10})$/i.exec(input.trim());
  if (!match?.[1]) return { ok: false, message: `"${clip(input)}" is not an AS number` };
  const asn = Number(match[1]);
  if (asn > 4294967295) return { ok: false, message: `AS${asn} is out of range` };
  const reserved = RESERVED_ASNS.find(([from, to]) => asn >= from && asn <= to);
  if (reserved) return { ok: false, message: `AS${asn} is ${reserved[2]}` };
  return { ok: true, value: `AS${asn}` };
}

/** "192.0.2.0/24" or "2001:db8::/32", public unicast, with no host bits set. */
export function parsePrefix(input: string): EvidenceResult {
  const text = input.trim();
  let parsed: [ipaddr.IPv4 | ipaddr.IPv6, number];
  try {
    parsed = ipaddr.parseCIDR(text);
  } catch {
    return { ok: false, message: `"${clip(text)}" is not an IP prefix (e.g. 192.0.2.0/24)` };
  }
  const [address, length] = parsed;
  const kind = address.kind();
  const range = address.range();
  if (range !== "unicast") {
    return { ok: false, message: `${text} is not public address space (${range})` };
  }
  const network =
    kind === "ipv4"
      ? ipaddr.IPv4.networkAddressFromCIDR(text)
      : ipaddr.IPv6.networkAddressFromCIDR(text);
  const normalised = `${network.toString()}/${length}`;
  if (network.toString() !== address.toString()) {
    return { ok: false, message: `${text} has host bits set; did you mean ${normalised}?` };
  }
  const [shortest, longest] = kind === "ipv4" ? [8, 24] : [16, 48];
  if (length < shortest || length > longest) {
    return {
      ok: false,
      message: `${text}: ${kind === "ipv4" ? "IPv4" : "IPv6"} prefixes run from /${shortest} to /${longest}`,
    };
  }
  return { ok: true, value: normalised };
}

/**
 * A registry handle: an organisation, maintainer or contact object at an RIR, such as
 * "ORG-EXA1-RIPE", "MAINT-AS64500" or "EXAMPLE-ARIN". Letters, digits and single hyphens.
 */
export function parseRegistryHandle(input: string): EvidenceResult {
  const handle = input.trim().toUpperCase();
  if (
    handle.length < 2 ||
    handle.length > 64 ||
    !/^[A-Z0-9]+(?:-[A-Z0-9]+)*$/.test(handle) ||
    !/[A-Z]/.test(handle)
  ) {
    return { ok: false, message: `"${clip(input)}" is not a registry handle (e.g. ORG-EXA1-RIPE)` };
  }
  return { ok: true, value: handle };
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

/** Splits a textarea's value: one item per line, or separated by commas or spaces. */
export function splitList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A form field holding a list of evidence items; every bad item is named in the error. */
function evidenceList(parse: (item: string) => EvidenceResult, what: string) {
  return z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((value, ctx) => {
      const items = Array.isArray(value) ? value.flatMap(splitList) : splitList(value ?? "");
      if (items.length > MAX_EVIDENCE_ITEMS) {
        ctx.addIssue({
          code: "custom",
          message: `Give at most ${MAX_EVIDENCE_ITEMS} ${what}; you gave ${items.length}`,
        });
        return z.NEVER;
      }
      const out: string[] = [];
      for (const item of items) {
        const result = parse(item);
        if (result.ok) {
          if (!out.includes(result.value)) out.push(result.value);
        } else ctx.addIssue({ code: "custom", message: result.message });
      }
      return out;
    });
}

/**
 * An applicant's text is read by the reviewer who decides the application on it: besides
 * the control characters no form takes, it may not hold bidirectional controls, which would
 * make it read differently to the reviewer than it is (see control-characters.ts).
 */
export function hasUnsafeApplicationCharacters(value: string): boolean {
  return hasControlCharacters(value) || hasBidiControls(value);
}

const text = (label: string, min: number, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(min, {
      error: min <= 1 ? `${label} is required` : `${label} needs at least ${min} characters`,
    })
    .max(max, { error: `${label} is at most ${max} characters` })
    .refine((value) => !hasUnsafeApplicationCharacters(value), {
      error: `${label} contains control characters`,
    });

/** A Leadership Alliance application as submitted by the form (and validated on the server). */
export const applicationFormSchema = z
  .object({
    organisation: text("Organisation", 2, 200),
    website: webUrlSchema,
    roleTitle: text("Your role", 2, 120),
    asns: evidenceList(parseAsn, "AS numbers"),
    prefixes: evidenceList(parsePrefix, "prefixes"),
    handles: evidenceList(parseRegistryHandle, "registry handles"),
    statement: text("Statement", 20, 4000),
  })
  .superRefine((value, ctx) => {
    if (value.asns.length + value.prefixes.length + value.handles.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["asns"],
        message: "Give at least one AS number, IP prefix or registry handle",
      });
    }
  });
export type ApplicationForm = z.infer<typeof applicationFormSchema>;
