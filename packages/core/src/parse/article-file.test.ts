import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type ArticleParseResult,
  DEFAULT_ARTICLE_MAX_BYTES,
  formatParseIssue,
  type ParseIssue,
  parseArticleFile,
} from "./article-file.ts";

const FILE = "article-microsoft-police-state.md";
const SEED = readFileSync(new URL(`../../../db/seed-data/${FILE}`, import.meta.url), "utf8");

/** Replaces exactly one occurrence, so a test cannot silently edit nothing. */
function edit(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at === -1 || text.indexOf(from, at + 1) !== -1)
    throw new Error(`expected exactly one "${from}"`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

function errorsOf(result: ArticleParseResult): ParseIssue[] {
  if (result.ok) throw new Error("expected the file to be refused");
  return result.errors;
}

function okOf(result: ArticleParseResult) {
  if (!result.ok)
    throw new Error(`expected success, got:\n${result.errors.map(formatParseIssue).join("\n")}`);
  return result;
}

const IMAGE_URL =
  "https://theintercept.imgix.net/wp-uploads/sites/1/2020/07/ms-police-state-final-theintercept.jpg?auto=compress%2Cformat&q=90&fit=crop&w=1200&h=800";
const WEB_URL =
  "https://theintercept.com/2020/07/14/microsoft-police-state-mass-surveillance-facial-recognition/";

describe("parseArticleFile: the seed file", () => {
  const { article, warnings } = okOf(parseArticleFile(SEED, FILE));

  it("reads the front matter", () => {
    expect(article.category).toBe("news");
    expect(article.title).toBe(
      "The Microsoft Police State: Mass Surveillance, Facial Recognition, and the Azure Cloud",
    );
    expect(article.publishedDateTime.toISOString()).toBe("2020-07-14T19:45:00.000Z");
    expect(article.webUrl).toBe(WEB_URL);
    expect(article.type).toBe("article");
    expect(article.quality).toBe(29);
    expect(article.heat).toBe(29);
    expect(article.published).toBe(false);
    expect(article.provider).toEqual({ name: "The Intercept", domain: "theintercept.com" });
    expect(article.topics).toEqual(["Azure"]);
  });

  it("reads the image", () => {
    expect(article.images).toEqual([{ url: IMAGE_URL, width: 1200, height: 800, isCached: true }]);
  });

  it("reads the related article", () => {
    expect(article.related).toHaveLength(1);
    const [related] = article.related;
    expect(related?.title).toBe("Three Dutch cities build an alliance on the Microsoft cloud");
    expect(related?.excerpt).toMatch(/^Duo\+ is an alliance of three cities/);
    expect(related?.publishedDateTime.toISOString()).toBe("2020-07-08T01:54:00.000Z");
    expect(related?.provider).toEqual({ name: "Microsoft", domain: "microsoft.com" });
    expect(related?.quality).toBe(22);
    expect(related?.heat).toBeUndefined();
    expect(related?.images[0]).toMatchObject({ width: 5112, height: 3744, isCached: true });
  });

  it("repairs the mojibake in the excerpt and says so, on the excerpt's line", () => {
    expect(article.excerpt).toBe(
      "Microsoft helps police surveil and patrol communities through its own offerings and a network of partnerships — while its PR efforts obscure this.",
    );
    expect(article.excerpt).not.toContain("â€");
    expect(warnings).toEqual([
      {
        file: FILE,
        field: "excerpt",
        line: 4,
        message: "repaired mis-decoded characters (UTF-8 read as Windows-1252)",
      },
    ]);
  });

  it("keeps the sealed premium text as it is", () => {
    expect(article.secured).toMatch(/^N4H4ft3kgrBn59Hcyt.*==;W03pZIkIq7jtUgXiFARd1Q==$/);
    const [cipher, iv] = (article.secured as string).split(";");
    expect(Buffer.from(cipher as string, "base64")).toHaveLength(400);
    expect(Buffer.from(iv as string, "base64")).toHaveLength(16);
  });

  it("has an empty body: nothing follows the front matter", () => {
    expect(article.body).toBe("");
  });

  it("parses the same with a BOM and CRLF line endings", () => {
    const windows = `\uFEFF${SEED.replace(/\n/g, "\r\n")}`;
    expect(windows).toContain("\r\n");
    const result = okOf(parseArticleFile(windows, FILE));
    expect(result.article).toEqual(article);
    expect(result.warnings).toEqual(warnings);
  });
});

describe("parseArticleFile: the body", () => {
  it("takes the markdown after the closing ---, repaired, and reports repairs on the body's line", () => {
    const text = `${SEED.trimEnd()}\n\n## Heading\n\nText with itâ€™s mojibake.\n`;
    const { article, warnings } = okOf(parseArticleFile(text, FILE));
    expect(article.body).toBe("## Heading\n\nText with it’s mojibake.");
    expect(warnings).toContainEqual(expect.objectContaining({ field: "body", line: 44 }));
  });
});

describe("parseArticleFile: refusals", () => {
  const schemes = [
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "file:///etc/passwd",
  ];

  for (const url of schemes) {
    const scheme = url.slice(0, url.indexOf(":") + 1);

    it(`refuses a ${scheme} URL in webUrl`, () => {
      const errors = errorsOf(parseArticleFile(edit(SEED, WEB_URL, url), FILE));
      expect(errors).toEqual([
        {
          file: FILE,
          field: "webUrl",
          line: 6,
          message: `URL scheme "${scheme}" is not allowed; use http: or https:`,
        },
      ]);
    });

    it(`refuses a ${scheme} URL in images.0.url`, () => {
      const errors = errorsOf(parseArticleFile(edit(SEED, IMAGE_URL, url), FILE));
      expect(errors).toEqual([
        {
          file: FILE,
          field: "images.0.url",
          line: 20,
          message: `URL scheme "${scheme}" is not allowed; use http: or https:`,
        },
      ]);
    });
  }

  it("refuses a bad URL inside a related article's image", () => {
    const text = edit(
      SEED,
      "https://ms-f7-sites-01-cdn.azureedge.net/docs/stories/duo/resources/9456a0cb-1df5-4ef3-9bc7-b264baf4a077/1105580197876655638",
      "javascript:void(0)",
    );
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      expect.objectContaining({ field: "related.0.images.0.url", line: 36 }),
    ]);
  });

  it("refuses quality 101", () => {
    const errors = errorsOf(parseArticleFile(edit(SEED, "quality: 29", "quality: 101"), FILE));
    expect(errors).toEqual([
      { file: FILE, field: "quality", line: 8, message: "quality must be between 0 and 100" },
    ]);
  });

  it("refuses heat -1", () => {
    const errors = errorsOf(parseArticleFile(edit(SEED, "heat: 29", "heat: -1"), FILE));
    expect(errors).toEqual([
      { file: FILE, field: "heat", line: 9, message: "heat must be between 0 and 100" },
    ]);
  });

  it("refuses a fractional quality", () => {
    const errors = errorsOf(parseArticleFile(edit(SEED, "quality: 29", "quality: 29.5"), FILE));
    expect(errors).toEqual([expect.objectContaining({ field: "quality", line: 8 })]);
  });

  it("refuses YAML anchors and aliases, naming both places", () => {
    const text = edit(edit(SEED, "quality: 29", "quality: &score 29"), "heat: 29", "heat: *score");
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      { file: FILE, field: "quality", line: 8, message: "anchor &score is not allowed" },
      {
        file: FILE,
        field: "heat",
        line: 9,
        message: "alias *score is not allowed; write the value out",
      },
    ]);
  });

  it("refuses a custom tag", () => {
    const errors = errorsOf(
      parseArticleFile(edit(SEED, "category: news", "category: !news news"), FILE),
    );
    expect(errors).toEqual([
      { file: FILE, field: "category", line: 2, message: "tag !news is not allowed" },
    ]);
  });

  it("accepts an explicit core tag", () => {
    const result = parseArticleFile(edit(SEED, "category: news", "category: !!str news"), FILE);
    expect(okOf(result).article.category).toBe("news");
  });

  it("refuses a duplicate key on the line of the second occurrence", () => {
    const text = edit(SEED, "published: false\n", 'published: false\ntitle: "Another title"\n');
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      { file: FILE, field: "title", line: 11, message: 'key "title" appears more than once' },
    ]);
  });

  it("refuses a duplicate nested key with its dotted path", () => {
    const text = edit(
      SEED,
      "  domain: theintercept.com\n",
      "  domain: theintercept.com\n  name: Again\n",
    );
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      expect.objectContaining({ field: "provider.name", line: 15 }),
    ]);
  });

  it("refuses a file without front matter", () => {
    const text = SEED.slice(SEED.indexOf("\n") + 1);
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      {
        file: FILE,
        field: null,
        line: 1,
        message: "missing front matter: an article file must start with a line containing only ---",
      },
    ]);
  });

  it("refuses front matter that is never closed", () => {
    const text = SEED.replace(/\n---\n/, "\n");
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      expect.objectContaining({
        field: null,
        line: 1,
        message: expect.stringMatching(/not closed/),
      }),
    ]);
  });

  it("refuses front matter that is not a mapping", () => {
    expect(errorsOf(parseArticleFile("---\n- a\n- b\n---\n", FILE))).toEqual([
      expect.objectContaining({ field: null, line: 1, message: expect.stringMatching(/mapping/) }),
    ]);
  });

  it("refuses a file over the size limit, naming the file", () => {
    const errors = errorsOf(parseArticleFile(SEED, FILE, { maxBytes: 1000 }));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: FILE, field: null, line: null });
    expect(errors[0]?.message).toContain(FILE);
    expect(errors[0]?.message).toMatch(/too large/);
  });

  it("measures the limit in UTF-8 bytes, not characters", () => {
    const bytes = new TextEncoder().encode(SEED).length;
    const text = `${SEED}${"é".repeat(100)}`;
    // 100 characters more but 200 bytes more: under the limit by characters, over it by bytes.
    expect(text.length).toBeLessThan(bytes + 150);
    expect(parseArticleFile(text, FILE, { maxBytes: bytes + 150 }).ok).toBe(false);
    expect(parseArticleFile(text, FILE, { maxBytes: bytes + 200 }).ok).toBe(true);
  });

  it("defaults to a 1 MiB limit", () => {
    expect(DEFAULT_ARTICLE_MAX_BYTES).toBe(1024 * 1024);
    const padding = "x".repeat(DEFAULT_ARTICLE_MAX_BYTES);
    const errors = errorsOf(parseArticleFile(`${SEED}${padding}`, FILE));
    expect(errors[0]?.message).toMatch(/1 MiB/);
  });

  it("refuses a malformed secured value", () => {
    const secured = SEED.slice(
      SEED.indexOf('secured: "'),
      SEED.indexOf("\n", SEED.indexOf('secured: "')),
    );
    const errors = errorsOf(
      parseArticleFile(edit(SEED, secured, 'secured: "not sealed text"'), FILE),
    );
    expect(errors).toEqual([
      {
        file: FILE,
        field: "secured",
        line: 41,
        message: "secured must be base64(ciphertext);base64(IV)",
      },
    ]);
  });

  it("refuses a secured value whose IV is not one block", () => {
    const errors = errorsOf(
      parseArticleFile(edit(SEED, ";W03pZIkIq7jtUgXiFARd1Q==", ";W03pZIkIq7jtUgXi"), FILE),
    );
    expect(errors).toEqual([
      { file: FILE, field: "secured", line: 41, message: "secured IV must be 16 bytes, got 12" },
    ]);
  });

  it("reports a missing required key as required, at the opening ---", () => {
    const text = edit(
      SEED,
      'title: "The Microsoft Police State: Mass Surveillance, Facial Recognition, and the Azure Cloud"\n',
      "",
    );
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      { file: FILE, field: "title", line: 1, message: "is required" },
    ]);
  });

  it("reports a missing nested key on its parent's line", () => {
    const text = edit(SEED, "  domain: theintercept.com\n", "");
    expect(errorsOf(parseArticleFile(text, FILE))).toEqual([
      { file: FILE, field: "provider.domain", line: 12, message: "is required" },
    ]);
  });

  it("reports a YAML syntax error with its line", () => {
    const text = edit(SEED, "topics:\n  - Azure", "topics: [Azure");
    const errors = errorsOf(parseArticleFile(text, FILE));
    expect(errors).toEqual([
      {
        file: FILE,
        // The parser notices at the next key; the issue names the unclosed value instead.
        field: expect.stringMatching(/^topics/),
        line: 16,
        message: "Flow sequence in block collection must be sufficiently indented and end with a ]",
      },
    ]);
  });

  it("reports a key left empty", () => {
    expect(errorsOf(parseArticleFile(edit(SEED, "category: news", "category:"), FILE))).toEqual([
      { file: FILE, field: "category", line: 2, message: "is empty; a value is required" },
    ]);
  });

  it("reports a wrongly typed list item by index", () => {
    expect(errorsOf(parseArticleFile(edit(SEED, "  - Azure", "  - {a: 1}"), FILE))).toEqual([
      expect.objectContaining({ field: "topics.0", line: 17 }),
    ]);
  });

  it("reports every problem at once, in line order", () => {
    const text = edit(edit(SEED, "heat: 29", "heat: 300"), "quality: 29", "quality: -5");
    expect(
      errorsOf(parseArticleFile(text, FILE)).map((issue) => [issue.field, issue.line]),
    ).toEqual([
      ["quality", 8],
      ["heat", 9],
    ]);
  });
});

describe("parseArticleFile: unknown keys", () => {
  it("warns about an unknown top-level key and ignores it", () => {
    const text = edit(SEED, "published: false\n", "published: false\nauthor: Sam Biddle\n");
    const { article, warnings } = okOf(parseArticleFile(text, FILE));
    expect(warnings).toContainEqual({
      file: FILE,
      field: "author",
      line: 11,
      message: 'unknown key "author" is ignored',
    });
    expect(article).not.toHaveProperty("author");
  });

  it("does not let front matter set the body", () => {
    const text = edit(SEED, "published: false\n", 'published: false\nbody: "<script>x</script>"\n');
    const { article, warnings } = okOf(parseArticleFile(text, FILE));
    expect(article.body).toBe("");
    expect(warnings).toContainEqual(expect.objectContaining({ field: "body", line: 11 }));
  });
});

describe("formatParseIssue", () => {
  it("formats file:line: field: message", () => {
    expect(
      formatParseIssue({ file: "a.md", field: "images.0.url", line: 20, message: "bad" }),
    ).toBe("a.md:20: images.0.url: bad");
  });

  it("leaves out a missing line or field", () => {
    expect(formatParseIssue({ file: "a.md", field: null, line: null, message: "too large" })).toBe(
      "a.md: too large",
    );
    expect(
      formatParseIssue({ file: "a.md", field: null, line: 1, message: "no front matter" }),
    ).toBe("a.md:1: no front matter");
    expect(formatParseIssue({ file: "a.md", field: "title", line: null, message: "x" })).toBe(
      "a.md: title: x",
    );
  });
});
