import { z } from "zod";

const ALLOWED_URL_PROTOCOLS = new Set(["http:", "https:"]);

/** An absolute http(s) URL. `javascript:`, `data:`, `file:` and friends are refused. */
export const webUrlSchema = z
  .string({ error: "must be a URL" })
  .trim()
  .max(2048, { error: "URL is longer than 2048 characters" })
  .superRefine((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: `"${value.slice(0, 80)}" is not an absolute URL` });
      return;
    }
    if (!ALLOWED_URL_PROTOCOLS.has(url.protocol)) {
      ctx.addIssue({
        code: "custom",
        message: `URL scheme "${url.protocol}" is not allowed; use http: or https:`,
      });
    }
  });

export const isoDateSchema = z.coerce
  .date({ error: "must be a date (ISO 8601)" })
  .refine((date) => !Number.isNaN(date.getTime()), { error: "must be a valid date" });

export const shortText = (max: number) => z.string().trim().min(1).max(max);
