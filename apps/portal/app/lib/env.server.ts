import { isIP } from "node:net";
import { z } from "zod";

// The names Express's `trust proxy` knows for address ranges (proxy-addr's presets).
const PROXY_RANGES = new Set(["loopback", "linklocal", "uniquelocal"]);

/** An address, or a subnet as address/prefix-length or IPv4 address/netmask. */
function isAddressOrSubnet(entry: string): boolean {
  const [address = "", mask, ...rest] = entry.split("/");
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  if (mask === undefined) return true;
  if (/^\d{1,3}$/.test(mask)) return Number(mask) <= (version === 4 ? 32 : 128);
  return version === 4 && isIP(mask) === 4;
}

/**
 * Which proxies in front of us to believe about the client's address and protocol
 * (X-Forwarded-For/-Proto/-Host), passed to Express's `trust proxy` as is. Unset trusts
 * none: `req.ip` is the socket's peer and `req.secure` means a direct https connection.
 * "true" trusts any (only when nothing can reach the server but the proxy), a number
 * trusts that many hops, otherwise a comma list of addresses, subnets or range names.
 */
export const trustProxySchema = z
  .string()
  .optional()
  .transform((value, ctx): boolean | number | string[] => {
    const text = value?.trim() ?? "";
    if (text === "" || text === "false") return false;
    if (text === "true") return true;
    if (/^\d+$/.test(text)) return Number(text);
    const entries = text.split(",").map((entry) => entry.trim());
    const bad = entries.find((entry) => !PROXY_RANGES.has(entry) && !isAddressOrSubnet(entry));
    if (bad !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `"${bad}" is not an address, subnet or one of loopback, linklocal, uniquelocal (or use "true" or a number of hops)`,
      });
      return z.NEVER;
    }
    return entries;
  });

/**
 * The origin readers use, when it differs from what the server sees (a proxy that does
 * not forward the host): accepted by the origin check besides the request's own.
 */
export const publicOriginSchema = z
  .string()
  .optional()
  .transform((value, ctx): string | undefined => {
    const text = value?.trim() ?? "";
    if (text === "") return undefined;
    let url: URL | undefined;
    try {
      url = new URL(text);
    } catch {
      // reported below
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:")) {
      ctx.addIssue({
        code: "custom",
        message: "must be an http(s) origin, e.g. https://example.org",
      });
      return z.NEVER;
    }
    // As browsers send it in Origin: scheme and host in lower case, no default port, no path.
    return url.origin;
  });

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
  /** The port the server listens on; also the default origin of links in e-mails. */
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Where mail goes (smtp:// or smtps://). Unset: kept in the outbox table. */
  SMTP_URL: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined),
  MAIL_FROM: z.string().trim().min(3).default("Briefings <no-reply@briefings.localhost>"),
  TRUST_PROXY: trustProxySchema,
  PUBLIC_ORIGIN: publicOriginSchema,
  /**
   * The key that signs the digests' unsubscribe links. Unset: a random key made once and
   * kept in the database (signing_keys), shared by every process.
   */
  UNSUBSCRIBE_SECRET: z
    .string()
    .optional()
    .transform((value) => value?.trim() || undefined)
    .pipe(z.string().min(32, { error: "must be at least 32 characters" }).optional()),
  /** Whether this process sends the e-mail digests ("off" leaves it to another one). */
  DIGEST_JOB: z.enum(["on", "off"]).default("on"),
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
