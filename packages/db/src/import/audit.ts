/** The audit log's record of an imported or updated article, the same for every importer. */
import { type Actor, type AuditEntry, recordAudit } from "../queries/audit.ts";
import type { ArticleWrite, ImportOptions } from "./articles.ts";

/** `article.import` for a new article, `article.update` (with what changed) otherwise. */
export function importAuditEntry(write: ArticleWrite): AuditEntry {
  return {
    action: write.outcome === "imported" ? "article.import" : "article.update",
    targetType: "article",
    targetId: write.articleId,
    after: {
      file: write.file,
      slug: write.slug,
      webUrl: write.webUrl,
      ...(write.outcome === "updated" ? { changes: write.changes } : {}),
    },
  };
}

/**
 * An `onWrite` hook that records each written file in the audit log, by `actor`, in the
 * file's own transaction (a dry run rolls both back).
 */
export function auditImportWrites(actor: Actor): NonNullable<ImportOptions["onWrite"]> {
  return (tx, write) => recordAudit(tx, actor, importAuditEntry(write));
}
