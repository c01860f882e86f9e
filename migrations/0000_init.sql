CREATE TABLE "article_mentions" (
	"article_id" uuid NOT NULL,
	"profile_id" uuid NOT NULL,
	CONSTRAINT "article_mentions_article_id_profile_id_pk" PRIMARY KEY("article_id","profile_id")
);
--> statement-breakpoint
CREATE TABLE "article_topics" (
	"article_id" uuid NOT NULL,
	"topic_id" uuid NOT NULL,
	"published_date_time" timestamp with time zone NOT NULL,
	CONSTRAINT "article_topics_article_id_topic_id_pk" PRIMARY KEY("article_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "articles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"web_url" text NOT NULL,
	"category" text NOT NULL,
	"title" text NOT NULL,
	"excerpt" text NOT NULL,
	"published_date_time" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"quality" integer NOT NULL,
	"heat" integer NOT NULL,
	"source_published" boolean NOT NULL,
	"status" text DEFAULT 'published' NOT NULL,
	"provider_name" text NOT NULL,
	"provider_domain" text NOT NULL,
	"images" jsonb NOT NULL,
	"related" jsonb NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "articles_slug_unique" UNIQUE("slug"),
	CONSTRAINT "articles_web_url_unique" UNIQUE("web_url"),
	CONSTRAINT "articles_quality_range" CHECK ("articles"."quality" BETWEEN 0 AND 100),
	CONSTRAINT "articles_heat_range" CHECK ("articles"."heat" BETWEEN 0 AND 100)
);
--> statement-breakpoint
CREATE TABLE "briefings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid,
	"article_id" uuid,
	"kind" text NOT NULL,
	"label" text NOT NULL,
	"title" text NOT NULL,
	"gate_kind" text NOT NULL,
	"gate_tier" text,
	"position" integer NOT NULL,
	"body" text DEFAULT '' NOT NULL,
	"sources" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"sealed_ciphertext" text,
	"sealed_iv" text,
	"sealed_bytes" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "briefings_one_parent" CHECK (("briefings"."profile_id" IS NOT NULL) <> ("briefings"."article_id" IS NOT NULL)),
	CONSTRAINT "briefings_gate_tier" CHECK (("briefings"."gate_kind" = 'tier') = ("briefings"."gate_tier" IS NOT NULL)),
	CONSTRAINT "briefings_sealed_complete" CHECK (("briefings"."sealed_ciphertext" IS NULL) = ("briefings"."sealed_iv" IS NULL))
);
--> statement-breakpoint
CREATE TABLE "profile_also_read" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"href" text
);
--> statement-breakpoint
CREATE TABLE "profile_sections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"heading" text NOT NULL,
	"paragraphs" text[] NOT NULL
);
--> statement-breakpoint
CREATE TABLE "profile_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"profile_id" uuid NOT NULL,
	"position" integer NOT NULL,
	"title" text NOT NULL,
	"publisher" text NOT NULL,
	"url" text NOT NULL,
	"published_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "profile_topics" (
	"profile_id" uuid NOT NULL,
	"topic_id" uuid NOT NULL,
	CONSTRAINT "profile_topics_profile_id_topic_id_pk" PRIMARY KEY("profile_id","topic_id")
);
--> statement-breakpoint
CREATE TABLE "profiles" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"ecosystem" text NOT NULL,
	"base" text NOT NULL,
	"focus" text NOT NULL,
	"summary" text NOT NULL,
	"what_it_does" text[] NOT NULL,
	"why_it_matters" text[] NOT NULL,
	"criticality" text NOT NULL,
	"time_horizon" text NOT NULL,
	"what_to_watch" text[] NOT NULL,
	"key_points" text[] NOT NULL,
	"sources_note" text,
	"confidence" double precision NOT NULL,
	"status" text DEFAULT 'published' NOT NULL,
	"is_demo" boolean DEFAULT false NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"last_reviewed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "profiles_slug_unique" UNIQUE("slug"),
	CONSTRAINT "profiles_confidence_range" CHECK ("profiles"."confidence" >= 0 AND "profiles"."confidence" <= 1)
);
--> statement-breakpoint
CREATE TABLE "tiers" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	"rank" integer NOT NULL,
	"description" text NOT NULL,
	"audience" text NOT NULL,
	"join_method" text NOT NULL,
	"benefits" text[] DEFAULT '{}'::text[] NOT NULL,
	"paid" boolean DEFAULT false NOT NULL,
	"retired_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tiers_slug_unique" UNIQUE("slug"),
	CONSTRAINT "tiers_rank_positive" CHECK ("tiers"."rank" > 0)
);
--> statement-breakpoint
CREATE TABLE "topics" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"name" text NOT NULL,
	CONSTRAINT "topics_slug_unique" UNIQUE("slug")
);
--> statement-breakpoint
ALTER TABLE "article_mentions" ADD CONSTRAINT "article_mentions_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_mentions" ADD CONSTRAINT "article_mentions_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "article_topics" ADD CONSTRAINT "article_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "briefings" ADD CONSTRAINT "briefings_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "briefings" ADD CONSTRAINT "briefings_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "briefings" ADD CONSTRAINT "briefings_gate_tier_tiers_slug_fk" FOREIGN KEY ("gate_tier") REFERENCES "public"."tiers"("slug") ON DELETE restrict ON UPDATE cascade;--> statement-breakpoint
ALTER TABLE "profile_also_read" ADD CONSTRAINT "profile_also_read_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_sections" ADD CONSTRAINT "profile_sections_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_sources" ADD CONSTRAINT "profile_sources_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_topics" ADD CONSTRAINT "profile_topics_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "profile_topics" ADD CONSTRAINT "profile_topics_topic_id_topics_id_fk" FOREIGN KEY ("topic_id") REFERENCES "public"."topics"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "article_mentions_profile_idx" ON "article_mentions" USING btree ("profile_id","article_id");--> statement-breakpoint
CREATE INDEX "article_topics_latest_idx" ON "article_topics" USING btree ("topic_id","published_date_time","article_id");--> statement-breakpoint
CREATE INDEX "articles_published_idx" ON "articles" USING btree ("status","published_date_time","id");--> statement-breakpoint
CREATE INDEX "articles_provider_idx" ON "articles" USING btree ("provider_domain");--> statement-breakpoint
CREATE INDEX "briefings_profile_idx" ON "briefings" USING btree ("profile_id","position");--> statement-breakpoint
CREATE INDEX "briefings_article_idx" ON "briefings" USING btree ("article_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "profile_also_read_order_idx" ON "profile_also_read" USING btree ("profile_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "profile_sections_order_idx" ON "profile_sections" USING btree ("profile_id","position");--> statement-breakpoint
CREATE UNIQUE INDEX "profile_sources_order_idx" ON "profile_sources" USING btree ("profile_id","position");--> statement-breakpoint
CREATE INDEX "profile_topics_topic_idx" ON "profile_topics" USING btree ("topic_id","profile_id");--> statement-breakpoint
CREATE INDEX "profiles_published_idx" ON "profiles" USING btree ("status","published_at","id");--> statement-breakpoint
CREATE INDEX "profiles_name_idx" ON "profiles" USING btree ("status","name","id");--> statement-breakpoint
CREATE INDEX "profiles_confidence_idx" ON "profiles" USING btree ("status","confidence","id");--> statement-breakpoint
CREATE INDEX "profiles_type_idx" ON "profiles" USING btree ("type");--> statement-breakpoint
CREATE INDEX "profiles_base_idx" ON "profiles" USING btree ("base");--> statement-breakpoint
CREATE INDEX "profiles_focus_idx" ON "profiles" USING btree ("focus");--> statement-breakpoint
CREATE INDEX "profiles_criticality_idx" ON "profiles" USING btree ("criticality");