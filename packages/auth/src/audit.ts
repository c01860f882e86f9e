// The audit log lives with the data (@briefings/db), so tools below this package, such as
// the article importer, record through the same function; re-exported here for the
// account and membership services.
export {
  type Actor,
  type AuditActor,
  type AuditEntry,
  type AuditFilters,
  type AuditRow,
  actorId,
  listAudit,
  recordAudit,
} from "@briefings/db/queries";
