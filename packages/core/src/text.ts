/** Small text helpers shared by the parsers and the redaction step. Pure. */

export function slugify(value: string, maxLength = 80): string {
  const slug = value
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/['’‘`]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  if (slug.length <= maxLength) return slug || "untitled";
  // Cut at the last word boundary that fits, unless that would leave almost nothing.
  const cut = slug.slice(0, maxLength + 1);
  const boundary = cut.lastIndexOf("-");
  return (boundary > maxLength / 2 ? cut.slice(0, boundary) : slug.slice(0, maxLength)).replace(
    /-+$/g,
    "",
  );
}

/** FNV-1a, 32 bits, as base-36: a short stable suffix, not a security measure. */
export function shortHash(value: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(36);
}

export function countWords(text: string): number {
  const words = text.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu);
  return words ? words.length : 0;
}

/** Counts markdown headings; a non-empty body without headings is one section. */
export function countSections(markdown: string): number {
  const headings = markdown.match(/^#{1,6}\s+\S/gm)?.length ?? 0;
  if (headings > 0) return headings;
  return markdown.trim() ? 1 : 0;
}
