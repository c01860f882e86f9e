-- Search (decision 024): full-text search over public fields with typo correction by
-- trigrams. Both extensions are "trusted": a database owner may create them.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS unaccent;--> statement-breakpoint
-- English stemming after accents are folded, so "Zürich" and "zurich" meet.
CREATE TEXT SEARCH CONFIGURATION briefings_search (COPY = pg_catalog.english);--> statement-breakpoint
ALTER TEXT SEARCH CONFIGURATION briefings_search
  ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;--> statement-breakpoint
CREATE TABLE "search_documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" text NOT NULL,
	"profile_id" uuid,
	"article_id" uuid,
	"slug" text NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"body" text NOT NULL,
	"type" text NOT NULL,
	"base" text,
	"criticality" text,
	"grade" text,
	"provider_name" text,
	"provider_domain" text,
	"topic_slugs" text[] NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"document" "tsvector" NOT NULL,
	CONSTRAINT "search_documents_profile_id_unique" UNIQUE("profile_id"),
	CONSTRAINT "search_documents_article_id_unique" UNIQUE("article_id"),
	CONSTRAINT "search_documents_kind" CHECK ("search_documents"."kind" IN ('profile', 'article')),
	CONSTRAINT "search_documents_one_parent" CHECK (("search_documents"."profile_id" IS NOT NULL) <> ("search_documents"."article_id" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "search_words" (
	"word" text PRIMARY KEY NOT NULL
);
--> statement-breakpoint
ALTER TABLE "search_documents" ADD CONSTRAINT "search_documents_profile_id_profiles_id_fk" FOREIGN KEY ("profile_id") REFERENCES "public"."profiles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_documents" ADD CONSTRAINT "search_documents_article_id_articles_id_fk" FOREIGN KEY ("article_id") REFERENCES "public"."articles"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "search_documents_document_idx" ON "search_documents" USING gin ("document");--> statement-breakpoint
CREATE INDEX "search_documents_topics_idx" ON "search_documents" USING gin ("topic_slugs");--> statement-breakpoint
CREATE INDEX "search_documents_published_idx" ON "search_documents" USING btree ("published_at","id");--> statement-breakpoint
CREATE INDEX "search_words_trgm_idx" ON "search_words" USING gin ("word" gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "articles_provider_latest_idx" ON "articles" USING btree ("provider_domain","status","published_date_time","id");--> statement-breakpoint
-- The seed page's grading table (core's CONFIDENCE_BANDS), closed on the left.
CREATE FUNCTION search_grade(score double precision) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN score >= 0.9 THEN 'A'
    WHEN score >= 0.75 THEN 'A/B'
    WHEN score >= 0.55 THEN 'B/C'
    WHEN score >= 0.35 THEN 'C/D'
    ELSE 'D'
  END
$$;--> statement-breakpoint
-- The words of one text, unstemmed and without accents, for the typo corrector: letters
-- only (numbers, codes and addresses are not misspelt words).
CREATE FUNCTION search_words_of(content text) RETURNS SETOF text
LANGUAGE sql STABLE AS $$
  SELECT w
  FROM unnest(tsvector_to_array(to_tsvector('simple', unaccent(content)))) AS w
  WHERE length(w) BETWEEN 3 AND 40 AND w ~ '^[[:alpha:]]+$'
$$;--> statement-breakpoint
-- Rebuilds the search rows of these profiles from their public fields: published ones
-- are written, any other (draft, scheduled, deleted) is removed. Briefings are never read.
CREATE FUNCTION search_refresh_profiles(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  -- Lock the profiles first, in one order: a concurrent change to one of them (say,
  -- unpublishing it) commits before the statements below read it, so they never write
  -- back a row from an older snapshot, and two refreshes cannot deadlock on each other.
  PERFORM 1 FROM profiles WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM search_documents d
  WHERE d.profile_id = ANY (ids)
    AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = d.profile_id AND p.status = 'published');
  WITH src AS (
    SELECT p.*,
      coalesce((SELECT array_agg(t.slug ORDER BY t.slug) FROM profile_topics pt
        JOIN topics t ON t.id = pt.topic_id WHERE pt.profile_id = p.id), '{}') AS topic_slugs,
      coalesce((SELECT string_agg(t.name, ' ' ORDER BY t.name) FROM profile_topics pt
        JOIN topics t ON t.id = pt.topic_id WHERE pt.profile_id = p.id), '') AS topic_names,
      concat_ws(' ',
        array_to_string(p.what_it_does, ' '),
        array_to_string(p.why_it_matters, ' '),
        array_to_string(p.what_to_watch, ' '),
        array_to_string(p.key_points, ' '),
        (SELECT string_agg(s.heading || '. ' || array_to_string(s.paragraphs, ' '), ' ' ORDER BY s.position)
          FROM profile_sections s WHERE s.profile_id = p.id)) AS full_body
    FROM profiles p
    WHERE p.id = ANY (ids) AND p.status = 'published'
  ), capped AS (
    -- A tsvector holds at most 1 MB: the first 60,000 characters are indexed, the first
    -- 20,000 kept for snippets (ts_headline reads all it is given, on every search).
    SELECT src.*, left(src.full_body, 60000) AS public_body, left(src.full_body, 20000) AS snippet_body
    FROM src
  ), written AS (
    INSERT INTO search_documents AS d (kind, profile_id, slug, title, summary, body, type, base,
      criticality, grade, topic_slugs, published_at, updated_at, document)
    SELECT 'profile', src.id, src.slug, src.name, src.summary, src.snippet_body, src.type, src.base,
      src.criticality, search_grade(src.confidence), src.topic_slugs, src.published_at, src.updated_at,
      setweight(to_tsvector('briefings_search', src.name), 'A')
        || setweight(to_tsvector('briefings_search',
             left(concat_ws(' ', src.summary, src.topic_names, src.type, src.focus, src.base), 20000)), 'B')
        || setweight(to_tsvector('briefings_search', concat_ws(' ', src.public_body, src.ecosystem)), 'C')
    FROM capped AS src
    ON CONFLICT (profile_id) DO UPDATE SET
      slug = excluded.slug, title = excluded.title, summary = excluded.summary,
      body = excluded.body, type = excluded.type, base = excluded.base,
      criticality = excluded.criticality, grade = excluded.grade,
      topic_slugs = excluded.topic_slugs, published_at = excluded.published_at,
      updated_at = excluded.updated_at, document = excluded.document
    RETURNING d.title, d.summary, d.body, d.type, d.base, d.topic_slugs
  )
  INSERT INTO search_words (word)
  SELECT DISTINCT w
  FROM written, search_words_of(concat_ws(' ', written.title, written.summary, written.body,
    written.type, written.base, array_to_string(written.topic_slugs, ' '))) AS w
  ORDER BY w
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
-- The same for articles: title, excerpt, topics, provider and the public body.
CREATE FUNCTION search_refresh_articles(ids uuid[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  IF ids IS NULL OR cardinality(ids) = 0 THEN RETURN; END IF;
  PERFORM 1 FROM articles WHERE id = ANY (ids) ORDER BY id FOR NO KEY UPDATE;
  DELETE FROM search_documents d
  WHERE d.article_id = ANY (ids)
    AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.id = d.article_id AND a.status = 'published');
  WITH src AS (
    SELECT a.*,
      coalesce((SELECT array_agg(t.slug ORDER BY t.slug) FROM article_topics atp
        JOIN topics t ON t.id = atp.topic_id WHERE atp.article_id = a.id), '{}') AS topic_slugs,
      coalesce((SELECT string_agg(t.name, ' ' ORDER BY t.name) FROM article_topics atp
        JOIN topics t ON t.id = atp.topic_id WHERE atp.article_id = a.id), '') AS topic_names,
      -- Markdown's punctuation and link targets are not words anyone searches for.
      regexp_replace(regexp_replace(left(a.body, 80000), '\]\([^)]*\)', ' ', 'g'), '[#*_>`|~\[\]]+', ' ', 'g')
        AS full_body
    FROM articles a
    WHERE a.id = ANY (ids) AND a.status = 'published'
  ), capped AS (
    SELECT src.*, left(src.full_body, 60000) AS public_body, left(src.full_body, 20000) AS snippet_body
    FROM src
  ), written AS (
    INSERT INTO search_documents AS d (kind, article_id, slug, title, summary, body, type,
      provider_name, provider_domain, topic_slugs, published_at, updated_at, document)
    SELECT 'article', src.id, src.slug, src.title, src.excerpt, src.snippet_body, src.type,
      src.provider_name, src.provider_domain, src.topic_slugs, src.published_date_time, src.updated_at,
      setweight(to_tsvector('briefings_search', src.title), 'A')
        || setweight(to_tsvector('briefings_search',
             left(concat_ws(' ', src.excerpt, src.topic_names, src.provider_name), 20000)), 'B')
        || setweight(to_tsvector('briefings_search', src.public_body), 'C')
    FROM capped AS src
    ON CONFLICT (article_id) DO UPDATE SET
      slug = excluded.slug, title = excluded.title, summary = excluded.summary,
      body = excluded.body, type = excluded.type, provider_name = excluded.provider_name,
      provider_domain = excluded.provider_domain, topic_slugs = excluded.topic_slugs,
      published_at = excluded.published_at, updated_at = excluded.updated_at,
      document = excluded.document
    RETURNING d.title, d.summary, d.body, d.provider_name, d.topic_slugs
  )
  INSERT INTO search_words (word)
  SELECT DISTINCT w
  FROM written, search_words_of(concat_ws(' ', written.title, written.summary, written.body,
    written.provider_name, array_to_string(written.topic_slugs, ' '))) AS w
  ORDER BY w
  ON CONFLICT DO NOTHING;
END
$$;--> statement-breakpoint
-- Statement-level triggers with transition tables: a bulk save of 500 profiles rebuilds
-- their rows once per statement, not once per row.
CREATE FUNCTION search_profiles_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_profiles(ARRAY(SELECT id FROM changed));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION search_profile_parts_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_profiles(ARRAY(SELECT DISTINCT profile_id FROM changed));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION search_articles_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_articles(ARRAY(SELECT id FROM changed));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION search_article_topics_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM search_refresh_articles(ARRAY(SELECT DISTINCT article_id FROM changed));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE FUNCTION search_topics_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  renamed uuid[];
BEGIN
  -- Saving content upserts its topics, which "updates" each one to the name it has:
  -- only a real change of name or slug rebuilds the documents that carry the topic.
  renamed := ARRAY(SELECT n.id FROM changed n JOIN previous o ON o.id = n.id
    WHERE n.name IS DISTINCT FROM o.name OR n.slug IS DISTINCT FROM o.slug);
  IF cardinality(renamed) = 0 THEN RETURN NULL; END IF;
  PERFORM search_refresh_profiles(ARRAY(
    SELECT DISTINCT pt.profile_id FROM profile_topics pt WHERE pt.topic_id = ANY (renamed)));
  PERFORM search_refresh_articles(ARRAY(
    SELECT DISTINCT atp.article_id FROM article_topics atp WHERE atp.topic_id = ANY (renamed)));
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER search_profiles_inserted AFTER INSERT ON profiles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profiles_changed();--> statement-breakpoint
CREATE TRIGGER search_profiles_updated AFTER UPDATE ON profiles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profiles_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_sections_inserted AFTER INSERT ON profile_sections
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_sections_updated AFTER UPDATE ON profile_sections
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_sections_deleted AFTER DELETE ON profile_sections
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_topics_inserted AFTER INSERT ON profile_topics
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_topics_updated AFTER UPDATE ON profile_topics
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_profile_topics_deleted AFTER DELETE ON profile_topics
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_profile_parts_changed();--> statement-breakpoint
CREATE TRIGGER search_articles_inserted AFTER INSERT ON articles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_articles_changed();--> statement-breakpoint
CREATE TRIGGER search_articles_updated AFTER UPDATE ON articles
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_articles_changed();--> statement-breakpoint
CREATE TRIGGER search_article_topics_inserted AFTER INSERT ON article_topics
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_article_topics_changed();--> statement-breakpoint
CREATE TRIGGER search_article_topics_updated AFTER UPDATE ON article_topics
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_article_topics_changed();--> statement-breakpoint
CREATE TRIGGER search_article_topics_deleted AFTER DELETE ON article_topics
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION search_article_topics_changed();--> statement-breakpoint
CREATE TRIGGER search_topics_updated AFTER UPDATE ON topics
  REFERENCING NEW TABLE AS changed OLD TABLE AS previous FOR EACH STATEMENT EXECUTE FUNCTION search_topics_changed();--> statement-breakpoint
-- What is already published.
SELECT search_refresh_profiles(ARRAY(SELECT id FROM profiles));--> statement-breakpoint
SELECT search_refresh_articles(ARRAY(SELECT id FROM articles));
