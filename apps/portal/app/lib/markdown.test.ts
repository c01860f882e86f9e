import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown.ts";

describe("renderMarkdown", () => {
  it("escapes raw HTML instead of passing it through", () => {
    const html = renderMarkdown('Hello <script>alert("x")</script> <img src=x onerror=alert(1)>');
    expect(html).not.toContain("<script");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;");
  });

  it("drops javascript:, data: and file: links", () => {
    for (const url of [
      "javascript:alert(1)",
      "data:text/html;base64,PHNjcmlwdD4=",
      "file:///etc/passwd",
    ]) {
      const html = renderMarkdown(`[click](${url})`);
      expect(html, url).not.toContain("href=");
    }
  });

  it("opens external links without leaking the page to them", () => {
    const html = renderMarkdown("[source](https://example.org/a)");
    expect(html).toContain('href="https://example.org/a"');
    expect(html).toContain('rel="noopener noreferrer nofollow"');
  });

  it("renders headings and paragraphs", () => {
    expect(renderMarkdown("## Context\n\nText.")).toBe("<h2>Context</h2>\n<p>Text.</p>\n");
  });
});
