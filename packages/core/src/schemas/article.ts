import { z } from "zod";
import { isoDateSchema, shortText, webUrlSchema } from "./common.ts";

const score = (field: string) =>
  z
    .number({ error: `${field} must be a number` })
    .int({ error: `${field} must be a whole number` })
    .min(0, { error: `${field} must be between 0 and 100` })
    .max(100, { error: `${field} must be between 0 and 100` });

export const providerSchema = z.object({
  name: shortText(200),
  domain: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
      error: "domain must be a host name such as example.com",
    }),
});
export type Provider = z.infer<typeof providerSchema>;

export const articleImageSchema = z.object({
  url: webUrlSchema,
  width: z.number().int().min(1).max(100_000),
  height: z.number().int().min(1).max(100_000),
  isCached: z.boolean().default(false),
});
export type ArticleImage = z.infer<typeof articleImageSchema>;

/**
 * Sealed premium text: `base64(ciphertext);base64(IV)`, AES-CBC. The ciphertext is a
 * whole number of 16-byte blocks and the IV is one block.
 */
export const sealedTextSchema = z.string().superRefine((value, ctx) => {
  const parts = value.split(";");
  if (parts.length !== 2) {
    ctx.addIssue({ code: "custom", message: "secured must be base64(ciphertext);base64(IV)" });
    return;
  }
  const [cipher, iv] = parts as [string, string];
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!base64.test(cipher) || !base64.test(iv)) {
    ctx.addIssue({ code: "custom", message: "secured parts must be base64" });
    return;
  }
  if (base64Length(iv) !== 16) {
    ctx.addIssue({
      code: "custom",
      message: `secured IV must be 16 bytes, got ${base64Length(iv)}`,
    });
  }
  const cipherBytes = base64Length(cipher);
  if (cipherBytes === 0 || cipherBytes % 16 !== 0) {
    ctx.addIssue({
      code: "custom",
      message: `secured ciphertext must be a whole number of 16-byte blocks, got ${cipherBytes} bytes`,
    });
  }
});

export function base64Length(value: string): number {
  const padding = value.endsWith("==") ? 2 : value.endsWith("=") ? 1 : 0;
  return (value.length / 4) * 3 - padding;
}

export const relatedArticleSchema = z.object({
  title: shortText(500),
  excerpt: z.string().trim().max(5000).default(""),
  publishedDateTime: isoDateSchema,
  webUrl: webUrlSchema,
  type: shortText(50).default("article"),
  provider: providerSchema,
  quality: score("quality").optional(),
  heat: score("heat").optional(),
  images: z.array(articleImageSchema).max(20).default([]),
});
export type RelatedArticle = z.infer<typeof relatedArticleSchema>;

/** A news article record in the seed's front-matter format. */
export const articleSchema = z.object({
  category: shortText(100),
  title: shortText(500),
  excerpt: z.string().trim().max(5000).default(""),
  publishedDateTime: isoDateSchema,
  webUrl: webUrlSchema,
  type: shortText(50),
  quality: score("quality"),
  heat: score("heat"),
  published: z.boolean(),
  provider: providerSchema,
  topics: z.array(shortText(100)).max(50).default([]),
  images: z.array(articleImageSchema).max(20).default([]),
  related: z.array(relatedArticleSchema).max(50).default([]),
  secured: sealedTextSchema.optional(),
  /** The markdown after the front matter, when there is any. Public. */
  body: z.string().max(200_000).default(""),
});
export type Article = z.infer<typeof articleSchema>;
