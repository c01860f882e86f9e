CREATE TABLE "application_notes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"application_id" uuid NOT NULL,
	"author_id" uuid,
	"author" text NOT NULL,
	"body" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_redirects" (
	"from_slug" text PRIMARY KEY NOT NULL,
	"profile_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_revisions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"snapshot" jsonb NOT NULL,
	"author_id" uuid,
	"author" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_views" (
	"profile_id" uuid NOT NULL,
	"day" date NOT NULL,
	"views" integer NOT NULL,
	CONSTRAINT "profile_views_profile_id_day_pk" PRIMARY KEY("profile_id","day")
);
--> statement-breakpoint
ALTER TABLE "profile_sources" ADD COLUMN "reliability" text;--> statement-breakpoint
ALTER TABLE "profiles" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "tiers" ADD COLUMN "price_monthly" integer;--> statement-breakpoint
ALTER TABLE "tiers" ADD COLUMN "price_yearly" integer;--> statement-breakpoint
ALTER TABLE "tiers" ADD COLUMN "currency" text DEFAULT 'usd' NOT NULL;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "suspended_reason" text;--> statement-breakpoint
ALTER TABLE "application_notes" ADD CONSTRAINT "application_notes_application_id_applications_id_fk" FOREIGN KEY ("application_id") REFERENCES "public"."applications"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "application_notes" ADD CONSTRAINT "application_notes_author_id_users_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_redirects" ADD CONSTRAINT "profile_redirects_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_revisions" ADD CONSTRAINT "profile_revisions_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_views" ADD CONSTRAINT "profile_views_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "application_notes_application_idx" ON "application_notes" USING btree ("application_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "profile_revisions_version_key" ON "profile_revisions" USING btree ("profile_id","version");--> statement-breakpoint
CREATE INDEX "profile_views_day_idx" ON "profile_views" USING btree ("day");--> statement-breakpoint
CREATE INDEX "profiles_scheduled_idx" ON "profiles" USING btree ("published_at") WHERE "profiles"."status" = 'scheduled';--> statement-breakpoint
ALTER TABLE "profile_sources" ADD CONSTRAINT "profile_sources_reliability" CHECK ("profile_sources"."reliability" IS NULL OR "profile_sources"."reliability" IN ('high', 'medium', 'low'));--> statement-breakpoint
ALTER TABLE "profiles" ADD CONSTRAINT "profiles_status" CHECK ("profiles"."status" IN ('draft', 'scheduled', 'published'));--> statement-breakpoint
ALTER TABLE "tiers" ADD CONSTRAINT "tiers_prices_positive" CHECK (coalesce("tiers"."price_monthly", 1) > 0 AND coalesce("tiers"."price_yearly", 1) > 0);--> statement-breakpoint
ALTER TABLE "tiers" ADD CONSTRAINT "tiers_currency_code" CHECK ("tiers"."currency" ~ '^[a-z]{3}$');