// Constraint errors as both engines report them. better-sqlite3 throws a SqliteError whose `code` names the
// constraint ('SQLITE_CONSTRAINT_UNIQUE', '…_PRIMARYKEY', '…_FOREIGNKEY', '…_CHECK'); `pg` throws a DatabaseError
// whose `code` is the SQLSTATE (PostgreSQL Appendix A, "Class 23 — Integrity Constraint Violation":
// 23505 unique_violation — primary keys included —, 23503 foreign_key_violation, 23514 check_violation) and whose
// `constraint` names the violated constraint.

function codeOf(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}

/** A UNIQUE or PRIMARY KEY constraint refused the row. */
export function isUniqueViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/**
 * A PRIMARY KEY constraint refused the row. PostgreSQL reports primary keys as unique violations (23505); its
 * default primary-key constraint is named `<table>_pkey`.
 */
export function isPrimaryKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  if (code !== '23505') return false;
  const constraint = (err as { constraint?: unknown }).constraint;
  return typeof constraint === 'string' && constraint.endsWith('_pkey');
}

/** A FOREIGN KEY constraint refused the row (or the delete). */
export function isForeignKeyViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'SQLITE_CONSTRAINT_FOREIGNKEY' || code === '23503';
}

/** A CHECK constraint refused the row. */
export function isCheckViolation(err: unknown): boolean {
  const code = codeOf(err);
  return code === 'SQLITE_CONSTRAINT_CHECK' || code === '23514';
}
