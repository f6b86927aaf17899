// Registry schema, versioned with PRAGMA user_version. Add a migration under a new number; never edit
// a shipped one. Numbers are reserved per area so parallel work does not collide:
// 1 skeleton · 2 broker · 3 ingest · 4 rules/alerts · 5 api/accounts · 6 notifications · 7+ next.
// Gaps are allowed: migrations run in ascending order, each once (recorded in schema_migrations).
// This is the SQLite schema, applied synchronously through better-sqlite3; the same versions in PostgreSQL's
// dialect are in core/registry/postgres-migrations.ts — a new migration needs both forms.
import type { Database } from 'better-sqlite3';

export const migrations: ReadonlyMap<number, string> = new Map([
  // 1: the walking skeleton's registry
  [1, `
  CREATE TABLE cooperatives (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    province TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE farms (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    province TEXT,
    lat REAL, lon REAL, elevation_m REAL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX farms_by_cooperative ON farms(cooperative_id);
  CREATE TABLE fields (
    id TEXT PRIMARY KEY,
    farm_id TEXT NOT NULL REFERENCES farms(id),
    name TEXT NOT NULL,
    crop TEXT NOT NULL,
    planting_date TEXT,
    soil_texture TEXT,
    area_ha REAL,
    pump_flow_m3h REAL,
    lat REAL, lon REAL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX fields_by_farm ON fields(farm_id);
  CREATE TABLE devices (
    id TEXT PRIMARY KEY,
    field_id TEXT NOT NULL REFERENCES fields(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    dev_eui TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE INDEX devices_by_field ON devices(field_id);
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    username TEXT NOT NULL UNIQUE,
    display_name TEXT,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'farmer', 'viewer')),
    language TEXT NOT NULL DEFAULT 'vi',
    created_at INTEGER NOT NULL
  );
  CREATE TABLE user_farms (
    user_id TEXT NOT NULL REFERENCES users(id),
    farm_id TEXT NOT NULL REFERENCES farms(id),
    PRIMARY KEY (user_id, farm_id)
  );
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    expires_at INTEGER NOT NULL
  );
  CREATE TABLE service_credentials (
    name TEXT PRIMARY KEY,
    secret_hash TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at INTEGER NOT NULL,
    device_id TEXT,
    cooperative_id TEXT,
    topic TEXT NOT NULL,
    code TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload TEXT
  );
  CREATE INDEX dead_letters_by_cooperative ON dead_letters(cooperative_id, received_at);
  `],
  // 3: ingest — device profiles (how a LoRaWAN codec's field names map to our metrics, issue 4), a device's
  // profile, DevEUI lookup regardless of case, and per-device sequence-number state (gaps, late fills).
  [3, `
  CREATE TABLE device_profiles (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    spec TEXT NOT NULL,
    builtin INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
  );
  ALTER TABLE devices ADD COLUMN profile_id TEXT REFERENCES device_profiles(id);
  CREATE INDEX devices_by_dev_eui ON devices(lower(dev_eui));
  CREATE TABLE device_sequence (
    device_id TEXT PRIMARY KEY,
    next_seq INTEGER NOT NULL,
    missing TEXT NOT NULL,
    missing_count INTEGER NOT NULL,
    gaps_total INTEGER NOT NULL,
    filled_total INTEGER NOT NULL,
    duplicates_total INTEGER NOT NULL,
    resets_total INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
  );
  `],
  // 4: rules/alerts — rules as data (JSON, rules/rule-schema.ts, version 1), each rule's persisted state per
  // subject (a restart neither re-alerts nor forgets a pending duration), alerts with at most one unresolved
  // alert per (rule, subject) — enforced by a partial unique index — and each field's latest advice.
  [4, `
  CREATE TABLE rules (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX rules_by_cooperative ON rules(cooperative_id);
  CREATE TABLE rule_state (
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    state TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (rule_id, subject)
  ) WITHOUT ROWID;
  CREATE TABLE alerts (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL,
    farm_id TEXT,
    field_id TEXT,
    device_id TEXT,
    rule_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    kind TEXT NOT NULL,
    severity TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    status TEXT NOT NULL CHECK (status IN ('open', 'acknowledged', 'resolved')),
    text_vi TEXT NOT NULL,
    text_en TEXT NOT NULL,
    vals TEXT NOT NULL,
    opened_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acknowledged_at INTEGER,
    acknowledged_by TEXT,
    ack_comment TEXT,
    resolved_at INTEGER,
    resolved_by TEXT,
    resolve_reason TEXT,
    escalate_after_ms INTEGER,
    escalation_level INTEGER NOT NULL DEFAULT 0,
    escalated_at INTEGER,
    escalated_to TEXT
  );
  CREATE UNIQUE INDEX alerts_one_unresolved ON alerts(rule_id, subject) WHERE status != 'resolved';
  CREATE INDEX alerts_by_cooperative ON alerts(cooperative_id, status, opened_at);
  CREATE INDEX alerts_by_field ON alerts(field_id, opened_at);
  CREATE TABLE advice (
    field_id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL,
    date TEXT NOT NULL,
    status TEXT NOT NULL,
    payload TEXT NOT NULL,
    computed_at INTEGER NOT NULL
  );
  `],
  // 5: api/accounts — API keys for integrations (SHA-256 of a 32-byte random key, scoped to a cooperative
  // and a role) and a field's outline as a GeoJSON Polygon (its location stays in lat/lon).
  [5, `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'technician', 'viewer')),
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at INTEGER
  );
  CREATE INDEX api_keys_by_cooperative ON api_keys(cooperative_id);
  ALTER TABLE fields ADD COLUMN outline TEXT;
  `],
  // 6: notifications — contacts (farmers, technicians, integrations) with their addresses, language and
  // quiet hours (HH:MM, Asia/Ho_Chi_Minh); what each subscribes to; the notification outbox (one row per
  // alert event × recipient × channel, idempotency key UNIQUE, persisted before it is sent).
  [6, `
  CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('farmer', 'technician', 'integration')),
    language TEXT NOT NULL DEFAULT 'vi' CHECK (language IN ('vi', 'en')),
    phone TEXT,
    sms_unaccented INTEGER NOT NULL DEFAULT 0,
    zalo_phone TEXT,
    zalo_consent_at INTEGER,
    email TEXT,
    webhook_url TEXT,
    quiet_start TEXT,
    quiet_end TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX contacts_by_cooperative ON contacts(cooperative_id);
  CREATE TABLE contact_subscriptions (
    id TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    farm_id TEXT REFERENCES farms(id),
    field_id TEXT REFERENCES fields(id),
    severities TEXT NOT NULL,
    channels TEXT,
    events TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX subscriptions_by_contact ON contact_subscriptions(contact_id);
  CREATE TABLE notification_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idem_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('alert', 'digest')),
    alert_id TEXT,
    event TEXT,
    cooperative_id TEXT NOT NULL,
    farm_id TEXT,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    channel TEXT NOT NULL,
    severity TEXT NOT NULL,
    summary TEXT NOT NULL,
    message TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'expired', 'suppressed', 'superseded')),
    hold_reason TEXT,
    window_start INTEGER,
    digest_count INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    not_before INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    sent_at INTEGER,
    last_error TEXT
  );
  CREATE INDEX outbox_due ON notification_outbox(status, not_before);
  CREATE INDEX outbox_by_alert ON notification_outbox(alert_id);
  CREATE INDEX outbox_by_window ON notification_outbox(recipient, channel, window_start);
  `],
  // 7: device credential changes (issue 3/9) — a feed every `ruong broker` process polls, so revoking a device
  // or rotating its secret through any process (e.g. `ruong api`) closes its live session on every broker.
  // Filled by triggers, so no code path that changes a credential can forget it.
  [7, `
  CREATE TABLE device_credential_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT NOT NULL,
    change TEXT NOT NULL CHECK (change IN ('revoked', 'rotated')),
    at INTEGER NOT NULL
  );
  CREATE TRIGGER device_revoked AFTER UPDATE OF revoked_at ON devices
    WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
    BEGIN INSERT INTO device_credential_changes (device_id, change, at) VALUES (NEW.id, 'revoked', CAST(unixepoch('subsec') * 1000 AS INTEGER)); END;
  CREATE TRIGGER device_rotated AFTER UPDATE OF secret_hash ON devices
    WHEN NEW.secret_hash IS NOT OLD.secret_hash
    BEGIN INSERT INTO device_credential_changes (device_id, change, at) VALUES (NEW.id, 'rotated', CAST(unixepoch('subsec') * 1000 AS INTEGER)); END;
  `],
  // 8: management (issue 16) — a revision per cooperative bumped by every change of its rules (triggers, so
  // no writer can forget it): a rules engine in any process polls it and reloads the cooperative's rules
  // when it moved. A user's own contact (a farmer edits their phone and quiet hours): one per user.
  [8, `
  CREATE TABLE rule_revisions (
    cooperative_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL
  );
  CREATE TRIGGER rules_inserted AFTER INSERT ON rules BEGIN
    INSERT INTO rule_revisions (cooperative_id, revision) VALUES (NEW.cooperative_id, 1)
      ON CONFLICT(cooperative_id) DO UPDATE SET revision = revision + 1;
  END;
  CREATE TRIGGER rules_updated AFTER UPDATE ON rules BEGIN
    INSERT INTO rule_revisions (cooperative_id, revision) VALUES (NEW.cooperative_id, 1)
      ON CONFLICT(cooperative_id) DO UPDATE SET revision = revision + 1;
  END;
  CREATE TRIGGER rules_deleted AFTER DELETE ON rules BEGIN
    INSERT INTO rule_revisions (cooperative_id, revision) VALUES (OLD.cooperative_id, 1)
      ON CONFLICT(cooperative_id) DO UPDATE SET revision = revision + 1;
  END;
  CREATE TABLE user_contacts (
    user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    contact_id TEXT NOT NULL UNIQUE REFERENCES contacts(id) ON DELETE CASCADE
  );
  `],
  // 9: irrigation events (issue 17) — what was irrigated, as data: the field, when and how long, the depth applied
  // (mm) and/or the volume (m³, converted with the field's area), where the record came from and who made it.
  // `seq` orders the feed the rules engine polls; `external_id` (e.g. the SMS gateway's message id) makes a
  // retried delivery record nothing twice. The field keeps its history: a field with events is not deleted.
  [9, `
  CREATE TABLE irrigation_events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    field_id TEXT NOT NULL REFERENCES fields(id),
    start_at INTEGER NOT NULL,
    duration_min REAL,
    depth_mm REAL NOT NULL CHECK (depth_mm > 0),
    volume_m3 REAL,
    source TEXT NOT NULL CHECK (source IN ('farmer_report', 'api', 'sms', 'pump_telemetry', 'valve_telemetry', 'flow_meter', 'command')),
    recorded_by TEXT NOT NULL,
    note TEXT,
    external_id TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX irrigation_events_by_field ON irrigation_events(cooperative_id, field_id, start_at);
  CREATE UNIQUE INDEX irrigation_events_external ON irrigation_events(cooperative_id, source, external_id) WHERE external_id IS NOT NULL;
  `],
  // 10: device context changes — a device moved to another field, or a field to another farm, changes where the
  // device's readings belong. Each process caches device contexts (registry.ts); the process that made the move
  // drops its own entry, and every other one (a separate `ruong ingest`) polls this feed. Filled by triggers, so no
  // code path that moves a device or a field can forget it. device_id NULL = every device (a field moved).
  [10, `
  CREATE TABLE device_context_changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    device_id TEXT,
    at INTEGER NOT NULL
  );
  CREATE TRIGGER device_field_changed AFTER UPDATE OF field_id ON devices
    WHEN NEW.field_id IS NOT OLD.field_id
    BEGIN INSERT INTO device_context_changes (device_id, at) VALUES (NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END;
  CREATE TRIGGER field_farm_changed AFTER UPDATE OF farm_id ON fields
    WHEN NEW.farm_id IS NOT OLD.farm_id
    BEGIN INSERT INTO device_context_changes (device_id, at) VALUES (NULL, CAST(unixepoch('subsec') * 1000 AS INTEGER)); END;
  `],
  // 11: pump and valve commands (issue 17, core/registry/commands.ts) — each command with its origin, who asked,
  // its state requested → sent → confirmed | refused | failed (never confirmed) | cancelled, attempts and
  // timestamps; the audit log of every step (who, what, why, the numbers as JSON); per-field control settings
  // (a lower maximum run time, automatic mode). Commands are kept: the audit log is the field's history.
  [11, `
  CREATE TABLE device_commands (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    field_id TEXT NOT NULL REFERENCES fields(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    cmd TEXT NOT NULL CHECK (cmd IN ('pump', 'valve')),
    action TEXT NOT NULL CHECK (action IN ('on', 'off')),
    minutes INTEGER,
    origin TEXT NOT NULL CHECK (origin IN ('manual', 'scheduled', 'automatic', 'safety')),
    requested_by TEXT NOT NULL,
    requested_by_name TEXT,
    state TEXT NOT NULL CHECK (state IN ('requested', 'sent', 'confirmed', 'refused', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    interlock TEXT,
    reason TEXT,
    vals TEXT NOT NULL DEFAULT '{}',
    requested_at INTEGER NOT NULL,
    sent_at INTEGER,
    next_attempt_at INTEGER,
    finished_at INTEGER,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX device_commands_by_field ON device_commands(cooperative_id, field_id, requested_at);
  CREATE INDEX device_commands_open ON device_commands(device_id, state) WHERE state IN ('requested', 'sent');
  CREATE TABLE command_audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    cooperative_id TEXT NOT NULL,
    field_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    command_id TEXT,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    event TEXT NOT NULL,
    reason TEXT,
    vals TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX command_audit_by_field ON command_audit(cooperative_id, field_id, at);
  CREATE TABLE field_control (
    field_id TEXT PRIMARY KEY REFERENCES fields(id),
    cooperative_id TEXT NOT NULL,
    max_run_min INTEGER,
    automatic INTEGER NOT NULL DEFAULT 0,
    updated_at INTEGER NOT NULL,
    updated_by TEXT
  );
  `],
  // 12: scheduled pump and valve commands (issue 17, core/registry/command-schedules.ts) — a cron expression in
  // Asia/Ho_Chi_Minh, the device and how many minutes it runs; each run is an ordinary command (origin scheduled).
  [12, `
  CREATE TABLE command_schedules (
    id TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    field_id TEXT NOT NULL REFERENCES fields(id),
    device_id TEXT NOT NULL REFERENCES devices(id),
    cron TEXT NOT NULL,
    minutes INTEGER NOT NULL,
    created_by TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX command_schedules_by_field ON command_schedules(cooperative_id, field_id);
  `],
  // 13: platform values (issue 18, core/registry/platform-values.ts) — what the platform's processes share and used to
  // read from files in one DATA_DIR: the ingest's and the LoRaWAN network server's MQTT secrets, the broker URLs
  // printed in device credentials. With the registry on PostgreSQL, processes on other hosts find them here.
  [13, `
  CREATE TABLE platform_values (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  `],
]);

/** Applies every migration above the database's user_version, in order; returns the new version. */
export function migrate(db: Database): number {
  // Applied versions are recorded one by one, so a migration merged with a lower number than one
  // already applied still runs. The check and the apply happen inside one IMMEDIATE transaction:
  // two processes opening a new registry at once do not both run migration 1.
  const run = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)');
    const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
    const pending = [...migrations.keys()].filter((v) => !applied.has(v)).sort((a, b) => a - b);
    const record = db.prepare('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');
    for (const version of pending) {
      db.exec(migrations.get(version) ?? '');
      record.run(version, Date.now());
    }
    const latest = Math.max(0, ...applied, ...pending);
    db.pragma(`user_version = ${latest}`);
    return latest;
  });
  return run.immediate();
}
