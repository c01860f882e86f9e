/**
 * Building article files for tests and the import benchmark. `sealText` (./seal.ts)
 * makes a `secured` value from a text and a key.
 */

export type ArticleFileFields = {
  category?: string;
  title: string;
  excerpt?: string;
  /** ISO 8601. */
  publishedDateTime?: string;
  webUrl: string;
  type?: string;
  quality?: number;
  heat?: number;
  published?: boolean;
  provider?: { name: string; domain: string };
  topics?: string[];
  images?: { url: string; width: number; height: number; isCached?: boolean }[];
  related?: {
    title: string;
    excerpt?: string;
    publishedDateTime: string;
    webUrl: string;
    provider: { name: string; domain: string };
    quality?: number;
  }[];
  /** `base64(ciphertext);base64(IV)`, e.g. from `sealText`. */
  secured?: string;
  body?: string;
};

/** JSON strings are valid YAML double-quoted scalars. */
const q = (value: string) => JSON.stringify(value);

/**
 * An article file in the seed's layout: one key per line, in the seed's order, so a
 * test can point at a key's line. Strings are double-quoted.
 */
export function articleFileText(fields: ArticleFileFields): string {
  const provider = fields.provider ?? { name: "Example News", domain: "example.com" };
  const lines = [
    "---",
    `category: ${q(fields.category ?? "news")}`,
    `title: ${q(fields.title)}`,
    `excerpt: ${q(fields.excerpt ?? `Excerpt of ${fields.title}.`)}`,
    `publishedDateTime: ${fields.publishedDateTime ?? "2024-05-01T08:00:00Z"}`,
    `webUrl: ${q(fields.webUrl)}`,
    `type: ${q(fields.type ?? "article")}`,
    `quality: ${fields.quality ?? 50}`,
    `heat: ${fields.heat ?? 40}`,
    `published: ${fields.published ?? true}`,
    "",
    "provider:",
    `  name: ${q(provider.name)}`,
    `  domain: ${provider.domain}`,
  ];
  const topics = fields.topics ?? [];
  lines.push("", topics.length > 0 ? "topics:" : "topics: []");
  for (const topic of topics) lines.push(`  - ${q(topic)}`);
  const images = fields.images ?? [];
  lines.push("", images.length > 0 ? "images:" : "images: []");
  for (const image of images) {
    lines.push(
      `  - url: ${q(image.url)}`,
      `    width: ${image.width}`,
      `    height: ${image.height}`,
      `    isCached: ${image.isCached ?? false}`,
    );
  }
  const related = fields.related ?? [];
  lines.push("", related.length > 0 ? "related:" : "related: []");
  for (const item of related) {
    lines.push(
      `  - title: ${q(item.title)}`,
      `    excerpt: ${q(item.excerpt ?? "")}`,
      `    publishedDateTime: ${item.publishedDateTime}`,
      `    webUrl: ${q(item.webUrl)}`,
      "    type: article",
      "    provider:",
      `      name: ${q(item.provider.name)}`,
      `      domain: ${item.provider.domain}`,
    );
    if (item.quality !== undefined) lines.push(`    quality: ${item.quality}`);
  }
  if (fields.secured !== undefined) lines.push("", `secured: ${q(fields.secured)}`);
  lines.push("---", "");
  if (fields.body) lines.push(fields.body, "");
  return lines.join("\n");
}
