import { z } from "zod";

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Seconds an anonymous reader's public page is served from memory; 0 turns it off. */
  RESPONSE_CACHE_SECONDS: z.coerce.number().int().min(0).max(300).default(5),
  /** Seed the demo content into an empty database at start-up ("false" to skip). */
  SEED_ON_EMPTY: z
    .enum(["true", "false"])
    .default("true")
    .transform((value) => value === "true"),
});

export type PortalEnv = z.infer<typeof envSchema>;

function readEnv(): PortalEnv {
  const result = envSchema.safeParse(process.env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new Error(`Invalid environment: ${problems}`);
  }
  return result.data;
}

/** The portal's settings, checked once at start-up. */
export const env = readEnv();
