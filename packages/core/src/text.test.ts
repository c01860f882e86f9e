import { describe, expect, it } from "vitest";
import { countSections, countWords, slugify } from "./text.ts";

describe("slugify", () => {
  it("folds accents, apostrophes and punctuation into single hyphens", () => {
    expect(slugify("Microsoft’s Worldwide Ban: Facial Recognition Out of Azure OpenAI")).toBe(
      "microsofts-worldwide-ban-facial-recognition-out-of-azure-openai",
    );
    expect(slugify("  Réseau IP Européens -- (RIPE)  ")).toBe("reseau-ip-europeens-ripe");
  });

  it("cuts long titles at a word boundary", () => {
    const slug = slugify(
      "The Microsoft Police State: Mass Surveillance, Facial Recognition, and the Azure Cloud",
      80,
    );
    expect(slug).toBe(
      "the-microsoft-police-state-mass-surveillance-facial-recognition-and-the-azure",
    );
    expect(slug.length).toBeLessThanOrEqual(80);
  });

  it("never returns an empty slug", () => {
    expect(slugify("!!!")).toBe("untitled");
  });
});

describe("counting withheld text", () => {
  it("counts words across unicode and punctuation", () => {
    expect(countWords("Three words — here. Ünïcode’s fine")).toBe(5);
    expect(countWords("")).toBe(0);
  });

  it("counts markdown headings as sections, and a body without headings as one", () => {
    expect(countSections("## One\n\ntext\n\n## Two\n\nmore")).toBe(2);
    expect(countSections("just a paragraph")).toBe(1);
    expect(countSections("   ")).toBe(0);
  });
});
