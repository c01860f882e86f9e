CREATE TABLE "billing_settings" (
	"id" integer PRIMARY KEY DEFAULT 1 NOT NULL,
	"past_due_grace_days" integer DEFAULT 7 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "billing_settings_one_row" CHECK ("billing_settings"."id" = 1),
	CONSTRAINT "billing_settings_grace" CHECK ("billing_settings"."past_due_grace_days" BETWEEN 0 AND 60)
);
--> statement-breakpoint
CREATE TABLE "invoices" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"subscription_id" text,
	"status" text NOT NULL,
	"number" text,
	"amount_due" integer NOT NULL,
	"amount_paid" integer NOT NULL,
	"currency" text NOT NULL,
	"attempt_count" integer DEFAULT 0 NOT NULL,
	"billing_reason" text,
	"hosted_invoice_url" text,
	"invoice_pdf" text,
	"period_start" timestamp with time zone,
	"period_end" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"paid_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "invoices_status" CHECK ("invoices"."status" IN ('draft', 'open', 'paid', 'uncollectible', 'void'))
);
--> statement-breakpoint
CREATE TABLE "subscription_changes" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "subscription_changes_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"subscription_id" text NOT NULL,
	"user_id" uuid,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"tier_slug" text NOT NULL,
	"status" text NOT NULL,
	"monthly_amount" integer NOT NULL,
	"currency" text NOT NULL,
	"cancel_at_period_end" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
ALTER TABLE "invoices" ADD CONSTRAINT "invoices_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "subscription_changes" ADD CONSTRAINT "subscription_changes_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "invoices_user_idx" ON "invoices" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "invoices_status_idx" ON "invoices" USING btree ("status","created_at");--> statement-breakpoint
CREATE INDEX "subscription_changes_subscription_idx" ON "subscription_changes" USING btree ("subscription_id","at");--> statement-breakpoint
CREATE INDEX "subscription_changes_at_idx" ON "subscription_changes" USING btree ("at");--> statement-breakpoint
INSERT INTO "billing_settings" ("id", "past_due_grace_days") VALUES (1, 7) ON CONFLICT DO NOTHING;--> statement-breakpoint
-- Subscriptions stored before this migration start the revenue history as they are now.
INSERT INTO "subscription_changes" ("subscription_id", "user_id", "at", "tier_slug", "status", "monthly_amount", "currency", "cancel_at_period_end")
SELECT "id", "user_id", "updated_at", "tier_slug", "status",
       CASE WHEN "interval" = 'year' THEN round("amount" / 12.0)::integer ELSE "amount" END,
       "currency", "cancel_at_period_end"
FROM "subscriptions";--> statement-breakpoint
-- From here on an approved application to a paid tier leads to payment, not to access.
-- Members approved before billing keep their access as a complimentary grant.
INSERT INTO "tier_grants" ("user_id", "tier_slug", "starts_at", "reason")
SELECT DISTINCT ON (a."user_id", a."tier_slug") a."user_id", a."tier_slug", coalesce(a."decided_at", now()),
       'Approved before paid subscriptions'
FROM "applications" a JOIN "tiers" t ON t."slug" = a."tier_slug"
WHERE a."status" = 'approved' AND t."paid"
  -- Those already paying keep access by their subscription, and lose it when it ends.
  AND NOT EXISTS (
    SELECT 1 FROM "subscriptions" s
    WHERE s."user_id" = a."user_id" AND s."tier_slug" = a."tier_slug"
      AND s."status" IN ('active', 'trialing', 'past_due')
  )
ORDER BY a."user_id", a."tier_slug", a."decided_at" DESC NULLS LAST;
