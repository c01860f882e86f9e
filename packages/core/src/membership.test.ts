import { describe, expect, it } from "vitest";
import {
  activeTierSlugs,
  applicationFormSchema,
  type EntitlementSource,
  MAX_EVIDENCE_ITEMS,
  memberViewer,
  parseAsn,
  parsePrefix,
  parseRegistryHandle,
  splitList,
} from "./membership.ts";

const day = 86_400_000;
const now = new Date("2026-06-01T12:00:00Z");
const at = (offsetDays: number) => new Date(now.getTime() + offsetDays * day);

describe("activeTierSlugs", () => {
  it("counts a source from its start (inclusive) to its end (exclusive)", () => {
    const source = (startsAt: Date, endsAt: Date | null): EntitlementSource => ({
      tierSlug: "t",
      via: "grant",
      startsAt,
      endsAt,
    });
    expect(activeTierSlugs([source(now, null)], now)).toEqual(["t"]);
    expect(activeTierSlugs([source(at(-1), now)], now)).toEqual([]);
    expect(activeTierSlugs([source(at(1), null)], now)).toEqual([]);
    expect(activeTierSlugs([source(at(-2), at(-1))], now)).toEqual([]);
    expect(activeTierSlugs([source(at(-2), at(1))], now)).toEqual(["t"]);
  });

  it("merges sources: a tier held twice is listed once, an ended source does not hide a live one", () => {
    const sources: EntitlementSource[] = [
      { tierSlug: "b", via: "join", startsAt: at(-10), endsAt: at(-5) },
      { tierSlug: "b", via: "grant", startsAt: at(-3), endsAt: at(3) },
      { tierSlug: "a", via: "approval", startsAt: at(-1), endsAt: null },
      { tierSlug: "a", via: "subscription", startsAt: at(-1), endsAt: at(30) },
      { tierSlug: "c", via: "grant", startsAt: at(-9), endsAt: at(-8) },
    ];
    expect(activeTierSlugs(sources, now)).toEqual(["a", "b"]);
  });

  it("builds a member viewer whose tiers follow the clock", () => {
    const sources: EntitlementSource[] = [
      { tierSlug: "strategic-circle", via: "grant", startsAt: at(-1), endsAt: at(1) },
    ];
    const viewer = (when: Date) =>
      memberViewer({
        userId: "u1",
        role: "member",
        sources,
        applications: { "leadership-alliance": "pending" },
        now: when,
      });
    expect(viewer(now)).toEqual({
      kind: "member",
      userId: "u1",
      role: "member",
      tiers: ["strategic-circle"],
      applications: { "leadership-alliance": "pending" },
    });
    expect(viewer(at(2))).toMatchObject({ tiers: [] });
  });
});

describe("evidence formats", () => {
  it.each([
    ["AS8075", "AS8075"],
    ["as13335", "AS13335"],
    [" 3356 ", "AS3356"],
    ["AS394000", "AS394000"],
  ])("accepts the AS number %j", (input, value) => {
    expect(parseAsn(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["AS", "is not an AS number"],
    ["ASX1", "is not an AS number"],
    ["AS-1", "is not an AS number"],
    ["12345678901", "is not an AS number"],
    ["AS4294967296", "out of range"],
    ["AS0", "reserved"],
    ["AS23456", "AS_TRANS"],
    ["AS64500", "documentation"],
    ["AS65000", "private use"],
    ["AS4200000001", "private use"],
  ])("refuses the AS number %j (%s)", (input, message) => {
    const result = parseAsn(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it.each([
    ["8.8.8.0/24", "8.8.8.0/24"],
    ["13.64.0.0/11", "13.64.0.0/11"],
    ["2620:1ec::/36", "2620:1ec::/36"],
    ["2a01:111:0::/32", "2a01:111::/32"],
  ])("accepts the prefix %j", (input, value) => {
    expect(parsePrefix(input)).toEqual({ ok: true, value });
  });

  it.each([
    ["8.8.8.8", "is not an IP prefix"],
    ["8.8.8.0/33", "is not an IP prefix"],
    ["300.1.1.0/24", "is not an IP prefix"],
    ["10.0.0.0/8", "not public address space (private)"],
    ["192.168.1.0/24", "private"],
    ["127.0.0.0/8", "loopback"],
    ["2001:db8::/32", "not public address space"],
    ["fd00::/8", "not public address space"],
    ["8.8.8.1/24", "did you mean 8.8.8.0/24?"],
    ["8.8.8.0/28", "from /8 to /24"],
    ["2620:1ec::/64", "from /16 to /48"],
    ["<script>/24", "is not an IP prefix"],
  ])("refuses the prefix %j (%s)", (input, message) => {
    const result = parsePrefix(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(message);
  });

  it.each([
    ["ORG-EXA1-RIPE", "ORG-EXA1-RIPE"],
    ["maint-as8075", "MAINT-AS8075"],
    ["MSFT", "MSFT"],
    ["AB123-AP", "AB123-AP"],
  ])("accepts the registry handle %j", (input, value) => {
    expect(parseRegistryHandle(input)).toEqual({ ok: true, value });
  });

  it.each(["A", "--", "ORG--X", "-ORG", "12345", "ORG_EXA", "ORG EXA", "x".repeat(65), "<b>"])(
    "refuses the registry handle %j",
    (input) => {
      expect(parseRegistryHandle(input).ok).toBe(false);
    },
  );

  it("splits a textarea on lines, commas, semicolons and spaces", () => {
    expect(splitList("AS1, AS2;AS3\r\n\n AS4  AS5\t")).toEqual(["AS1", "AS2", "AS3", "AS4", "AS5"]);
    expect(splitList("  \n ")).toEqual([]);
  });
});

describe("applicationFormSchema", () => {
  const valid = {
    organisation: "Example Networks Ltd",
    website: "https://example.net",
    roleTitle: "Chief Technology Officer",
    asns: "AS8075\nas8075",
    prefixes: "8.8.8.0/24",
    handles: "org-exa1-ripe",
    statement: "We operate a regional network and hold our own address space.",
  };

  it("accepts a complete application, normalising and de-duplicating the evidence", () => {
    const result = applicationFormSchema.safeParse(valid);
    expect(result.success).toBe(true);
    expect(result.data).toMatchObject({
      asns: ["AS8075"],
      prefixes: ["8.8.8.0/24"],
      handles: ["ORG-EXA1-RIPE"],
    });
  });

  function errors(input: Record<string, unknown>): Record<string, string[]> {
    const result = applicationFormSchema.safeParse(input);
    expect(result.success).toBe(false);
    const out: Record<string, string[]> = {};
    for (const issue of result.error?.issues ?? []) {
      const key = issue.path.join(".") || "(form)";
      out[key] = [...(out[key] ?? []), issue.message];
    }
    return out;
  }

  it("asks for at least one piece of evidence", () => {
    expect(errors({ ...valid, asns: "", prefixes: " ", handles: undefined })).toEqual({
      asns: ["Give at least one AS number, IP prefix or registry handle"],
    });
  });

  it("names every bad item of a list, beside its field", () => {
    expect(errors({ ...valid, prefixes: "8.8.8.1/24, 10.0.0.0/8" }).prefixes).toEqual([
      "8.8.8.1/24 has host bits set; did you mean 8.8.8.0/24?",
      "10.0.0.0/8 is not public address space (private)",
    ]);
  });

  it("refuses more than the maximum number of items", () => {
    const many = Array.from({ length: MAX_EVIDENCE_ITEMS + 1 }, (_, i) => `AS${1000 + i}`);
    expect(errors({ ...valid, asns: many.join("\n") }).asns?.[0]).toContain("at most 50");
  });

  it.each([
    ["empty", { organisation: "" }, "organisation", "Organisation needs at least 2 characters"],
    ["missing", { organisation: undefined }, "organisation", "Organisation is required"],
    [
      "too long",
      { roleTitle: "x".repeat(121) },
      "roleTitle",
      "Your role is at most 120 characters",
    ],
    ["wrong type", { statement: 42 }, "statement", "Statement is required"],
    ["control characters", { organisation: "Ex\u0000ample" }, "organisation", "control characters"],
    [
      "a right-to-left override",
      { organisation: "Example \u202Egnp.exe" },
      "organisation",
      "control characters",
    ],
    ["a javascript: URL", { website: "javascript:alert(1)" }, "website", "not allowed"],
    ["not a URL", { website: "example" }, "website", "not an absolute URL"],
    ["a short statement", { statement: "too short" }, "statement", "at least 20 characters"],
  ])("refuses %s", (_name, change, field, message) => {
    const found = errors({ ...valid, ...change })[field];
    expect(found?.join(" ")).toContain(message);
  });

  it("keeps unicode and markup as text (escaping is the renderer's job)", () => {
    const result = applicationFormSchema.parse({
      ...valid,
      organisation: "Ünïcödé Netze GmbH — 株式会社",
      statement: "<script>alert('x')</script> we hold address space in 🇩🇪 and 🇯🇵.",
    });
    expect(result.organisation).toBe("Ünïcödé Netze GmbH — 株式会社");
    expect(result.statement).toContain("<script>");
  });
});
