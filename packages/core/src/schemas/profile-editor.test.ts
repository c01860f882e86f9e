import { describe, expect, it } from "vitest";
import {
  changedFields,
  newProfileDocument,
  profileDocumentText,
  profileFormSchema,
  profileFormValues,
} from "./profile-editor.ts";

const FORM = {
  slug: "example-registry",
  name: "Example Registry",
  type: "Regional Internet Registry",
  ecosystem: "Internet number resources",
  base: "Netherlands",
  focus: "Institution",
  summary: "Allocates address space.",
  whatItDoes: "Allocates IPv4 and IPv6\n\n  Runs RPKI  \n",
  whyItMatters: "Routing security",
  criticality: "High",
  timeHorizon: "Next quarter",
  whatToWatch: "",
  keyPoints: "One\nTwo",
  topics: "Routing, RPKI, Routing",
  confidence: "0.75",
  status: "draft",
  sections: [{ heading: "History", body: "First paragraph.\n\nSecond paragraph." }],
  sources: [
    {
      title: "Annual report",
      publisher: "Example",
      url: "https://example.org/report",
      publishedAt: "2026-01-02",
      reliability: "high",
    },
  ],
  alsoRead: [{ title: "Related", href: "/profiles/other" }],
  briefings: [
    {
      kind: "profile-briefing",
      label: "Leadership Alliance",
      title: "Control",
      gate: "tier:leadership-alliance",
      body: "## Owners\n\nText.",
      sources: "Filing | https://example.org/filing | page 4\nInterview",
    },
  ],
};

describe("the profile editor's form", () => {
  it("turns the posted strings into a document", () => {
    const result = profileFormSchema.safeParse(FORM);
    expect(result.success).toBe(true);
    if (!result.success) return;
    const { profile, briefings } = result.data;
    expect(profile.whatItDoes).toEqual(["Allocates IPv4 and IPv6", "Runs RPKI"]);
    expect(profile.whatToWatch).toEqual([]);
    expect(profile.topics).toEqual(["Routing", "RPKI"]);
    expect(profile.confidence).toBe(0.75);
    expect(profile.sections[0]?.paragraphs).toEqual(["First paragraph.", "Second paragraph."]);
    expect(profile.sources[0]?.publishedAt).toEqual(new Date("2026-01-02T00:00:00Z"));
    expect(briefings[0]?.gate).toEqual({ kind: "tier", tier: "leadership-alliance" });
    expect(briefings[0]?.sources).toEqual([
      { title: "Filing", url: "https://example.org/filing", note: "page 4" },
      { title: "Interview", url: null, note: "" },
    ]);
  });

  it("names each bad field", () => {
    const result = profileFormSchema.safeParse({
      ...FORM,
      slug: "Not A Slug",
      confidence: "1.5",
      status: "scheduled",
      sources: [{ ...FORM.sources[0], url: "javascript:alert(1)" }],
      alsoRead: [{ title: "Off-site", href: "//evil.example" }],
      briefings: [{ ...FORM.briefings[0], gate: "everyone", sources: "| https://x.org" }],
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const byPath = Object.fromEntries(
      result.error.issues.map((issue) => [issue.path.join("."), issue.message]),
    );
    expect(byPath.slug).toMatch(/lower-case/);
    expect(byPath.confidence).toMatch(/between 0 and 1/);
    expect(byPath["sources.0.url"]).toMatch(/not allowed/);
    expect(byPath["briefings.0.gate"]).toMatch(/Unknown gate "everyone"/);
    expect(byPath["briefings.0.sources"]).toMatch(/line 1: the title is missing/);
  });

  it("checks the document's own rules through the form: href shapes, the scheduled time", () => {
    const result = profileFormSchema.safeParse({
      ...FORM,
      status: "scheduled",
      alsoRead: [{ title: "Off-site", href: "//evil.example" }],
    });
    expect(result.success).toBe(false);
    if (result.success) return;
    const paths = result.error.issues.map((issue) => issue.path.join("."));
    expect(paths).toContain("publishAt");
    expect(paths).toContain("alsoRead.0.href");
  });

  it("reads a scheduled time as UTC", () => {
    const result = profileFormSchema.safeParse({
      ...FORM,
      status: "scheduled",
      publishAt: "2099-12-01T09:30",
    });
    expect(result.success && result.data.publishAt?.toISOString()).toBe("2099-12-01T09:30:00.000Z");
    const past = profileFormSchema.safeParse({
      ...FORM,
      status: "scheduled",
      publishAt: "2020-01-01T00:00",
    });
    expect(past.error?.issues.map((issue) => [issue.path.join("."), issue.message])).toEqual([
      ["publishAt", "The publication time has passed: publish now, or choose a later time"],
    ]);
  });

  it("shows a document as the form that would save it unchanged", () => {
    const parsed = profileFormSchema.parse(FORM);
    const again = profileFormSchema.parse(profileFormValues(parsed));
    expect(again).toEqual(parsed);
    expect(changedFields(parsed, again)).toEqual([]);
  });

  it("names what changed, and shows it in the text a diff compares", () => {
    const before = profileFormSchema.parse(FORM);
    const after = profileFormSchema.parse({
      ...FORM,
      summary: "Changed.",
      topics: "RPKI, Routing",
      briefings: [{ ...FORM.briefings[0], gate: "members" }],
    });
    expect(changedFields(before, after)).toEqual(["summary", "briefings"]);
    expect(profileDocumentText(after)).toContain("[profile-briefing, members]");
    expect(profileDocumentText(before)).toContain("[profile-briefing, tier:leadership-alliance]");
  });

  it("starts a new profile as a blank draft", () => {
    expect(newProfileDocument()).toMatchObject({ status: "draft", briefings: [] });
  });
});
