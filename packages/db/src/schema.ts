import type { ArticleImage, BriefingSource, RelatedArticle } from "@briefings/core";
import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  check,
  customType,
  date,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const tiers = pgTable(
  "tiers",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    rank: integer("rank").notNull(),
    description: text("description").notNull(),
    audience: text("audience").notNull(),
    joinMethod: text("join_method", { enum: ["open", "application", "invitation"] }).notNull(),
    benefits: text("benefits").array().notNull().default(sql`'{}'::text[]`),
    paid: boolean("paid").notNull().default(false),
    /** Prices in the currency's minor unit (cents), for the billing of paid tiers. */
    priceMonthly: integer("price_monthly"),
    priceYearly: integer("price_yearly"),
    currency: text("currency").notNull().default("usd"),
    /** The Stripe Product and Prices of a paid tier, set by `npm run billing:prices`. */
    stripeProductId: text("stripe_product_id"),
    stripePriceMonthly: text("stripe_price_monthly"),
    stripePriceYearly: text("stripe_price_yearly"),
    retiredAt: timestamp("retired_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("tiers_rank_positive", sql`${t.rank} > 0`),
    check(
      "tiers_prices_positive",
      sql`coalesce(${t.priceMonthly}, 1) > 0 AND coalesce(${t.priceYearly}, 1) > 0`,
    ),
    check("tiers_currency_code", sql`${t.currency} ~ '^[a-z]{3}$'`),
  ],
);

export const SOURCE_RELIABILITY = ["high", "medium", "low"] as const;

export const topics = pgTable("topics", {
  id: uuid("id").primaryKey().defaultRandom(),
  slug: text("slug").notNull().unique(),
  name: text("name").notNull(),
});

export const contentStatus = ["draft", "published"] as const;
/** A profile may also wait for its publication time (see publishDueProfiles). */
export const profileStatus = ["draft", "scheduled", "published"] as const;

export const profiles = pgTable(
  "profiles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    name: text("name").notNull(),
    type: text("type").notNull(),
    ecosystem: text("ecosystem").notNull(),
    base: text("base").notNull(),
    focus: text("focus").notNull(),
    summary: text("summary").notNull(),
    whatItDoes: text("what_it_does").array().notNull(),
    whyItMatters: text("why_it_matters").array().notNull(),
    criticality: text("criticality", { enum: ["Low", "Medium", "High", "Critical"] }).notNull(),
    timeHorizon: text("time_horizon").notNull(),
    whatToWatch: text("what_to_watch").array().notNull(),
    keyPoints: text("key_points").array().notNull(),
    sourcesNote: text("sources_note"),
    confidence: doublePrecision("confidence").notNull(),
    status: text("status", { enum: profileStatus }).notNull().default("published"),
    /** Incremented by every editorial save: a save names the version it edited. */
    version: integer("version").notNull().default(1),
    /** Generated demo content, marked as such on every page that shows it. */
    isDemo: boolean("is_demo").notNull().default(false),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull(),
    lastReviewedAt: timestamp("last_reviewed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    check("profiles_confidence_range", sql`${t.confidence} >= 0 AND ${t.confidence} <= 1`),
    check("profiles_status", sql`${t.status} IN ('draft', 'scheduled', 'published')`),
    index("profiles_scheduled_idx").on(t.publishedAt).where(sql`${t.status} = 'scheduled'`),
    // Keyset pagination for each directory sort order, over published profiles. Ascending
    // on purpose: scanned backwards they serve `ORDER BY … DESC` exactly, whereas drizzle's
    // `.desc()` writes DESC NULLS LAST, which that ORDER BY (NULLS FIRST) cannot use.
    index("profiles_published_idx").on(t.status, t.publishedAt, t.id),
    index("profiles_name_idx").on(t.status, t.name, t.id),
    index("profiles_confidence_idx").on(t.status, t.confidence, t.id),
    index("profiles_type_idx").on(t.type),
    index("profiles_base_idx").on(t.base),
    index("profiles_focus_idx").on(t.focus),
    index("profiles_criticality_idx").on(t.criticality),
  ],
);

export const profileSections = pgTable(
  "profile_sections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    heading: text("heading").notNull(),
    paragraphs: text("paragraphs").array().notNull(),
  },
  (t) => [uniqueIndex("profile_sections_order_idx").on(t.profileId, t.position)],
);

export const profileSources = pgTable(
  "profile_sources",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    publisher: text("publisher").notNull(),
    url: text("url").notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true }),
    reliability: text("reliability", { enum: SOURCE_RELIABILITY }),
  },
  (t) => [
    uniqueIndex("profile_sources_order_idx").on(t.profileId, t.position),
    check(
      "profile_sources_reliability",
      sql`${t.reliability} IS NULL OR ${t.reliability} IN ('high', 'medium', 'low')`,
    ),
  ],
);

/** Every editorial save of a profile, whole (public fields and briefings), for history. */
export const profileRevisions = pgTable(
  "profile_revisions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    version: integer("version").notNull(),
    status: text("status", { enum: profileStatus }).notNull(),
    snapshot: jsonb("snapshot").$type<Record<string, unknown>>().notNull(),
    authorId: uuid("author_id"),
    /** The author's e-mail when it saved, kept if the account goes. */
    author: text("author").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("profile_revisions_version_key").on(t.profileId, t.version)],
);

/** Old addresses of a profile whose slug changed: they redirect to the current one. */
export const profileRedirects = pgTable("profile_redirects", {
  fromSlug: text("from_slug").primaryKey(),
  profileId: uuid("profile_id")
    .notNull()
    .references(() => profiles.id, { onDelete: "cascade" }),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Page views per profile and day: an aggregate count, nothing about who read. */
export const profileViews = pgTable(
  "profile_views",
  {
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    day: date("day", { mode: "string" }).notNull(),
    views: integer("views").notNull(),
  },
  (t) => [primaryKey({ columns: [t.profileId, t.day] }), index("profile_views_day_idx").on(t.day)],
);

export const profileAlsoRead = pgTable(
  "profile_also_read",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    position: integer("position").notNull(),
    title: text("title").notNull(),
    href: text("href"),
  },
  (t) => [uniqueIndex("profile_also_read_order_idx").on(t.profileId, t.position)],
);

export const profileTopics = pgTable(
  "profile_topics",
  {
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    topicId: uuid("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.profileId, t.topicId] }),
    index("profile_topics_topic_idx").on(t.topicId, t.profileId),
  ],
);

export const articles = pgTable(
  "articles",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull().unique(),
    webUrl: text("web_url").notNull().unique(),
    category: text("category").notNull(),
    title: text("title").notNull(),
    excerpt: text("excerpt").notNull(),
    publishedDateTime: timestamp("published_date_time", { withTimezone: true }).notNull(),
    type: text("type").notNull(),
    quality: integer("quality").notNull(),
    heat: integer("heat").notNull(),
    /** The upstream record's own `published` flag, kept as imported. */
    sourcePublished: boolean("source_published").notNull(),
    /** Our editorial status: what decides whether readers see the article. */
    status: text("status", { enum: contentStatus }).notNull().default("published"),
    providerName: text("provider_name").notNull(),
    providerDomain: text("provider_domain").notNull(),
    images: jsonb("images").$type<ArticleImage[]>().notNull(),
    related: jsonb("related").$type<RelatedArticle[]>().notNull(),
    body: text("body").notNull().default(""),
    isDemo: boolean("is_demo").notNull().default(false),
    ...timestamps,
  },
  (t) => [
    check("articles_quality_range", sql`${t.quality} BETWEEN 0 AND 100`),
    check("articles_heat_range", sql`${t.heat} BETWEEN 0 AND 100`),
    index("articles_published_idx").on(t.status, t.publishedDateTime, t.id),
    index("articles_provider_idx").on(t.providerDomain),
    // A provider's page lists its newest articles by keyset.
    index("articles_provider_latest_idx").on(t.providerDomain, t.status, t.publishedDateTime, t.id),
  ],
);

export const articleTopics = pgTable(
  "article_topics",
  {
    articleId: uuid("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    topicId: uuid("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    /** The article's date, copied so "latest articles on a topic" is one index walk. */
    publishedDateTime: timestamp("published_date_time", { withTimezone: true }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.topicId] }),
    index("article_topics_latest_idx").on(t.topicId, t.publishedDateTime, t.articleId),
  ],
);

/** Profiles an article names. */
export const articleMentions = pgTable(
  "article_mentions",
  {
    articleId: uuid("article_id")
      .notNull()
      .references(() => articles.id, { onDelete: "cascade" }),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.articleId, t.profileId] }),
    index("article_mentions_profile_idx").on(t.profileId, t.articleId),
  ],
);

/**
 * Gated content of a profile or an article. The gate is stored as its kind plus,
 * for tier gates, the tier's slug (renames cascade; a tier is retired, never deleted).
 */
export const briefings = pgTable(
  "briefings",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id").references(() => profiles.id, { onDelete: "cascade" }),
    articleId: uuid("article_id").references(() => articles.id, { onDelete: "cascade" }),
    kind: text("kind", {
      enum: ["profile-briefing", "source-notes", "analysis", "premium-text"],
    }).notNull(),
    label: text("label").notNull(),
    title: text("title").notNull(),
    gateKind: text("gate_kind", { enum: ["public", "members", "tier"] }).notNull(),
    gateTier: text("gate_tier").references(() => tiers.slug, {
      onUpdate: "cascade",
      onDelete: "restrict",
    }),
    position: integer("position").notNull(),
    body: text("body").notNull().default(""),
    sources: jsonb("sources").$type<BriefingSource[]>().notNull().default(sql`'[]'::jsonb`),
    sealedCiphertext: text("sealed_ciphertext"),
    sealedIv: text("sealed_iv"),
    sealedBytes: integer("sealed_bytes"),
    ...timestamps,
  },
  (t) => [
    check(
      "briefings_one_parent",
      sql`(${t.profileId} IS NOT NULL) <> (${t.articleId} IS NOT NULL)`,
    ),
    check("briefings_gate_tier", sql`(${t.gateKind} = 'tier') = (${t.gateTier} IS NOT NULL)`),
    check(
      "briefings_sealed_complete",
      sql`(${t.sealedCiphertext} IS NULL) = (${t.sealedIv} IS NULL)`,
    ),
    index("briefings_profile_idx").on(t.profileId, t.position),
    index("briefings_article_idx").on(t.articleId, t.position),
  ],
);

// ---------------------------------------------------------------------------------------
// Members: accounts, sessions, single-use tokens, mail, abuse limits, and the sources of
// a member's tiers (joins, applications, grants). Tiers themselves are computed from
// these in one place (queries/members.ts, then core's activeTiers).

export const ROLE_VALUES = ["member", "editor", "admin", "owner"] as const;

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Normalised (trimmed, lower-cased) by the auth package before it is stored. */
    email: text("email").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLE_VALUES }).notNull().default("member"),
    /** A suspended account cannot sign in; its sessions were ended when it was suspended. */
    suspendedAt: timestamp("suspended_at", { withTimezone: true }),
    suspendedReason: text("suspended_reason"),
    /** The member's Stripe customer, made at their first checkout. */
    stripeCustomerId: text("stripe_customer_id").unique(),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("users_email_key").on(t.email),
    check("users_email_normalised", sql`${t.email} = lower(btrim(${t.email}))`),
  ],
);

/** The account a row belongs to: it goes when the account is deleted. */
const ownerUserId = () =>
  uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

/** A tier by slug: renames cascade; a tier is retired, never deleted, while referenced. */
const tierSlugRef = () =>
  text("tier_slug")
    .notNull()
    .references(() => tiers.slug, { onUpdate: "cascade", onDelete: "restrict" });

/** A session is known by the SHA-256 of its token; the token itself is never stored. */
export const sessions = pgTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: ownerUserId(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true }).notNull().defaultNow(),
    /** A short description of the device, from its User-Agent, for the sessions list. */
    device: text("device").notNull().default(""),
    ipAddress: text("ip_address"),
  },
  (t) => [index("sessions_user_idx").on(t.userId), index("sessions_expiry_idx").on(t.expiresAt)],
);

export const TOKEN_PURPOSES = ["verify-email", "reset-password", "change-email"] as const;

/** E-mailed single-use links, known by the SHA-256 of their token. */
export const authTokens = pgTable(
  "auth_tokens",
  {
    id: text("id").primaryKey(),
    userId: ownerUserId(),
    purpose: text("purpose", { enum: TOKEN_PURPOSES }).notNull(),
    /** The address the link was sent to (the new address, for a change of e-mail). */
    email: text("email").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("auth_tokens_user_idx").on(t.userId, t.purpose)],
);

/** Mail kept when no SMTP server is configured (development, demos). */
export const outbox = pgTable(
  "outbox",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    to: text("to").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("outbox_to_idx").on(t.to, t.createdAt)],
);

/** rate-limiter-flexible's counters, shared by every instance of the app. */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    points: integer("points").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true }),
  },
  (t) => [index("rate_limits_expiry_idx").on(t.expiresAt)],
);

/** Joins of open tiers; leaving sets left_at, so history is kept. */
export const tierJoins = pgTable(
  "tier_joins",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: ownerUserId(),
    tierSlug: tierSlugRef(),
    joinedAt: timestamp("joined_at", { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp("left_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("tier_joins_current_key").on(t.userId, t.tierSlug).where(sql`${t.leftAt} IS NULL`),
  ],
);

export const APPLICATION_STATUSES = ["pending", "needs-info", "approved", "rejected"] as const;

export type ApplicationEvidence = {
  asns: string[];
  prefixes: string[];
  handles: string[];
};

/** Applications to tiers joined by application (Leadership Alliance). */
export const applications = pgTable(
  "applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: ownerUserId(),
    tierSlug: tierSlugRef(),
    status: text("status", { enum: APPLICATION_STATUSES }).notNull().default("pending"),
    organisation: text("organisation").notNull(),
    website: text("website").notNull(),
    roleTitle: text("role_title").notNull(),
    evidence: jsonb("evidence").$type<ApplicationEvidence>().notNull(),
    statement: text("statement").notNull(),
    /** What the reviewer told the applicant: the reason for a rejection, or what to add. */
    reviewerMessage: text("reviewer_message"),
    reviewerId: uuid("reviewer_id").references(() => users.id, { onDelete: "set null" }),
    submittedAt: timestamp("submitted_at", { withTimezone: true }).notNull().defaultNow(),
    decidedAt: timestamp("decided_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    // One open application per member and tier.
    uniqueIndex("applications_open_key")
      .on(t.userId, t.tierSlug)
      .where(sql`${t.status} IN ('pending', 'needs-info')`),
    index("applications_queue_idx").on(t.status, t.submittedAt),
    index("applications_user_idx").on(t.userId, t.tierSlug, t.submittedAt),
  ],
);

/** Reviewers' notes on an application: never shown to the applicant. */
export const applicationNotes = pgTable(
  "application_notes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    authorId: uuid("author_id").references(() => users.id, { onDelete: "set null" }),
    /** The author's e-mail when it wrote the note. */
    author: text("author").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("application_notes_application_idx").on(t.applicationId, t.createdAt)],
);

/** Complimentary access granted by an admin, for a period. */
export const tierGrants = pgTable(
  "tier_grants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: ownerUserId(),
    tierSlug: tierSlugRef(),
    startsAt: timestamp("starts_at", { withTimezone: true }).notNull().defaultNow(),
    endsAt: timestamp("ends_at", { withTimezone: true }),
    reason: text("reason").notNull(),
    grantedBy: uuid("granted_by").references(() => users.id, { onDelete: "set null" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("tier_grants_user_idx").on(t.userId),
    check("tier_grants_period", sql`${t.endsAt} IS NULL OR ${t.endsAt} > ${t.startsAt}`),
  ],
);

// ---------------------------------------------------------------------------------------
// The audit log: every admin and editor action, who, when, what, before and after.
// Append-only: a trigger in the migration refuses UPDATE and DELETE, so not even a bug in
// the app can edit history. Actors are kept by id and e-mail as they were, without a
// foreign key, so deleting an account never rewrites the log.

export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    /** Insertion order: several entries may share a timestamp (one transaction). */
    seq: bigint("seq", { mode: "number" }).generatedAlwaysAsIdentity().notNull().unique(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid("actor_id"),
    /** The actor's e-mail when it acted, or a name such as "cli" for the command line. */
    actor: text("actor").notNull(),
    /** What was done, e.g. "application.approve", "grant.create", "user.role". */
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    before: jsonb("before").$type<Record<string, unknown> | null>(),
    after: jsonb("after").$type<Record<string, unknown> | null>(),
    ipAddress: text("ip_address"),
  },
  (t) => [
    index("audit_log_action_idx").on(t.action, t.seq),
    index("audit_log_actor_idx").on(t.actorId, t.seq),
    index("audit_log_target_idx").on(t.targetType, t.targetId, t.seq),
  ],
);

// ---------------------------------------------------------------------------------------
// Billing: subscriptions as Stripe last described them (refetched on every event, so the
// order events arrive in does not matter), and the events received, each recorded once.

export const SUBSCRIPTION_STATUS_VALUES = [
  "incomplete",
  "incomplete_expired",
  "trialing",
  "active",
  "past_due",
  "canceled",
  "unpaid",
  "paused",
] as const;

export const subscriptions = pgTable(
  "subscriptions",
  {
    /** Stripe's subscription id (sub_…). */
    id: text("id").primaryKey(),
    userId: ownerUserId(),
    tierSlug: tierSlugRef(),
    status: text("status", { enum: SUBSCRIPTION_STATUS_VALUES }).notNull(),
    interval: text("interval", { enum: ["month", "year"] }).notNull(),
    priceId: text("price_id").notNull(),
    currentPeriodStart: timestamp("current_period_start", { withTimezone: true }).notNull(),
    currentPeriodEnd: timestamp("current_period_end", { withTimezone: true }).notNull(),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
    canceledAt: timestamp("canceled_at", { withTimezone: true }),
    /** When it went past due in its current run of failed renewals (decision 022). */
    pastDueSince: timestamp("past_due_since", { withTimezone: true }),
    /** The amount per interval in minor units, and its currency, as Stripe charges it. */
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("subscriptions_user_idx").on(t.userId),
    index("subscriptions_status_idx").on(t.status),
    check(
      "subscriptions_status",
      sql`${t.status} IN ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid', 'paused')`,
    ),
    check("subscriptions_interval", sql`${t.interval} IN ('month', 'year')`),
  ],
);

/** Every Stripe event received, by id: an event is acted on once, in this row's transaction. */
export const stripeEvents = pgTable(
  "stripe_events",
  {
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    customerId: text("customer_id"),
    subscriptionId: text("subscription_id"),
    /** When Stripe created the event. */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("stripe_events_type_idx").on(t.type, t.createdAt)],
);

/**
 * Invoices as Stripe last described them (refetched on each invoice event): the member's
 * receipts and billing history, and the admin's failed payments.
 */
export const invoices = pgTable(
  "invoices",
  {
    /** Stripe's invoice id (in_…). */
    id: text("id").primaryKey(),
    userId: ownerUserId(),
    subscriptionId: text("subscription_id"),
    /** draft, open, paid, uncollectible or void. */
    status: text("status").notNull(),
    number: text("number"),
    /** Amounts in the currency's minor unit. */
    amountDue: integer("amount_due").notNull(),
    amountPaid: integer("amount_paid").notNull(),
    currency: text("currency").notNull(),
    /** How many times Stripe tried to collect it; above zero and unpaid: a failed payment. */
    attemptCount: integer("attempt_count").notNull().default(0),
    billingReason: text("billing_reason"),
    hostedInvoiceUrl: text("hosted_invoice_url"),
    invoicePdf: text("invoice_pdf"),
    periodStart: timestamp("period_start", { withTimezone: true }),
    periodEnd: timestamp("period_end", { withTimezone: true }),
    /** When Stripe created it, and when it was paid. */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("invoices_user_idx").on(t.userId, t.createdAt),
    index("invoices_status_idx").on(t.status, t.createdAt),
    check(
      "invoices_status",
      sql`${t.status} IN ('draft', 'open', 'paid', 'uncollectible', 'void')`,
    ),
  ],
);

/**
 * Every change of a subscription's status, tier or amount, as the syncs saw it, appended and
 * never edited: recurring revenue over time is read from it. Kept (without the member) when
 * an account is deleted, so past revenue does not change.
 */
export const subscriptionChanges = pgTable(
  "subscription_changes",
  {
    id: bigint("id", { mode: "number" }).generatedAlwaysAsIdentity().primaryKey(),
    subscriptionId: text("subscription_id").notNull(),
    userId: uuid("user_id").references(() => users.id, { onDelete: "set null" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    tierSlug: text("tier_slug").notNull(),
    status: text("status", { enum: SUBSCRIPTION_STATUS_VALUES }).notNull(),
    /** The amount per month in minor units (a yearly price divided by twelve, rounded). */
    monthlyAmount: integer("monthly_amount").notNull(),
    currency: text("currency").notNull(),
    cancelAtPeriodEnd: boolean("cancel_at_period_end").notNull().default(false),
  },
  (t) => [
    index("subscription_changes_subscription_idx").on(t.subscriptionId, t.at),
    index("subscription_changes_at_idx").on(t.at),
  ],
);

/** Billing settings, one row (id 1), changed by admins. */
export const billingSettings = pgTable(
  "billing_settings",
  {
    id: integer("id").primaryKey().default(1),
    /** Days a past-due subscription keeps access while Stripe retries (decision 022). */
    pastDueGraceDays: integer("past_due_grace_days").notNull().default(7),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("billing_settings_one_row", sql`${t.id} = 1`),
    check("billing_settings_grace", sql`${t.pastDueGraceDays} BETWEEN 0 AND 60`),
  ],
);

// ---------------------------------------------------------------------------------------
// Search (decision 024). One row per PUBLISHED profile or article, holding only public
// fields, kept by database triggers on the content tables (migration 0006), so no write
// path can forget it and a draft or a briefing can never be indexed.

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const SEARCH_KINDS = ["profile", "article"] as const;

export const searchDocuments = pgTable(
  "search_documents",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind", { enum: SEARCH_KINDS }).notNull(),
    profileId: uuid("profile_id")
      .unique()
      .references(() => profiles.id, { onDelete: "cascade" }),
    articleId: uuid("article_id")
      .unique()
      .references(() => articles.id, { onDelete: "cascade" }),
    slug: text("slug").notNull(),
    title: text("title").notNull(),
    /** The profile's summary or the article's excerpt, as shown in results. */
    summary: text("summary").notNull(),
    /** The rest of the public text, for snippets. */
    body: text("body").notNull(),
    type: text("type").notNull(),
    base: text("base"),
    criticality: text("criticality"),
    grade: text("grade"),
    providerName: text("provider_name"),
    providerDomain: text("provider_domain"),
    topicSlugs: text("topic_slugs").array().notNull(),
    publishedAt: timestamp("published_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
    /** Weighted: A title, B summary and topics, C the rest. */
    document: tsvector("document").notNull(),
  },
  (t) => [
    check("search_documents_kind", sql`${t.kind} IN ('profile', 'article')`),
    check(
      "search_documents_one_parent",
      sql`(${t.profileId} IS NOT NULL) <> (${t.articleId} IS NOT NULL)`,
    ),
    index("search_documents_document_idx").using("gin", t.document),
    index("search_documents_topics_idx").using("gin", t.topicSlugs),
    index("search_documents_published_idx").on(t.publishedAt, t.id),
  ],
);

/** Every word of the indexed public text, unstemmed, for correcting typos by trigrams. */
export const searchWords = pgTable(
  "search_words",
  {
    word: text("word").primaryKey(),
  },
  (t) => [index("search_words_trgm_idx").using("gin", sql`${t.word} gin_trgm_ops`)],
);

// ---------------------------------------------------------------------------------------
// Following and digests. A member follows published profiles and topics; every editorial
// save of a published profile records which of its PUBLIC sections changed (names only,
// never text, never a briefing), which the profile page, the watchlist and the e-mail
// digests show. Rows of a member go with their account.

export const DIGEST_FREQUENCIES = ["none", "daily", "weekly"] as const;
export type DigestFrequency = (typeof DIGEST_FREQUENCIES)[number];

export const profileFollows = pgTable(
  "profile_follows",
  {
    userId: ownerUserId(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.profileId] }),
    // Who follows a profile (and the cascade when one is deleted).
    index("profile_follows_profile_idx").on(t.profileId),
  ],
);

export const topicFollows = pgTable(
  "topic_follows",
  {
    userId: ownerUserId(),
    topicId: uuid("topic_id")
      .notNull()
      .references(() => topics.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.topicId] }),
    index("topic_follows_topic_idx").on(t.topicId),
  ],
);

/** Which public sections an editorial save of a published profile changed, by name. */
export const profileChanges = pgTable(
  "profile_changes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    profileId: uuid("profile_id")
      .notNull()
      .references(() => profiles.id, { onDelete: "cascade" }),
    /** The profile's version this save made. */
    version: integer("version").notNull(),
    changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
    /** Section names ("Summary", "Sources", a body section's heading, "Briefings updated"). */
    sections: text("sections").array().notNull(),
  },
  (t) => [
    // A profile's recent changes, newest first, by keyset.
    index("profile_changes_profile_idx").on(t.profileId, t.changedAt, t.id),
    check("profile_changes_sections", sql`cardinality(${t.sections}) > 0`),
  ],
);

/** A member's choice of e-mail digest and the end of the window their last one covered. */
export const digestPreferences = pgTable(
  "digest_preferences",
  {
    userId: uuid("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    frequency: text("frequency", { enum: DIGEST_FREQUENCIES }).notNull().default("none"),
    /** Changes after this instant go into the next digest; it moves on with every digest. */
    lastDigestAt: timestamp("last_digest_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("digest_preferences_frequency", sql`${t.frequency} IN ('none', 'daily', 'weekly')`),
    // The digest job's scan for due members.
    index("digest_preferences_due_idx")
      .on(t.frequency, t.lastDigestAt)
      .where(sql`${t.frequency} <> 'none'`),
  ],
);

/**
 * Keys for signatures the server makes and checks itself (the digests' unsubscribe links),
 * made at first use when no key is configured, so every process and restart shares one.
 */
export const signingKeys = pgTable("signing_keys", {
  purpose: text("purpose").primaryKey(),
  /** 32 random bytes, hex. */
  secret: text("secret").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
