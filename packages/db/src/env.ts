import { z } from "zod";

const envSchema = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined))
    .refine((value) => value === undefined || /^postgres(ql)?:\/\//.test(value), {
      message: "DATABASE_URL must start with postgres:// or postgresql://",
    }),
  PGLITE_DIR: z
    .string()
    .trim()
    .optional()
    .transform((value) => (value ? value : undefined)),
});

export type DbEnv = z.infer<typeof envSchema>;

/** The database settings, read once from the environment and checked. */
export function readDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    throw new Error(
      `Invalid database settings: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`,
    );
  }
  return result.data;
}
