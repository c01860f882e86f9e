import MarkdownIt from "markdown-it";

// Raw HTML is off, so the renderer escapes it; markdown-it's link validator already
// refuses javascript:, vbscript:, file: and most data: URLs.
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: true });

const defaultLinkOpen =
  markdown.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  if (token && /^https?:/i.test(token.attrGet("href") ?? "")) {
    token.attrSet("rel", "noopener noreferrer nofollow");
    token.attrSet("target", "_blank");
  }
  return defaultLinkOpen(tokens, idx, options, env, self);
};

/**
 * Markdown to safe HTML. Only ever called on text the viewer is admitted to; runs in the
 * browser too, for the editor's live preview, so both show exactly the same HTML.
 */
export function renderMarkdown(source: string): string {
  return markdown.render(source);
}
