// `ruong cooperative create --name <text> --admin <username> [--id <id>] [--province <text>]` (issue 16): a new
// cooperative with its first admin, on any DATA_DIR (a fresh one too). Prints the admin's login and a one-time
// password — random, shown once, stored only as a scrypt hash. The cooperative starts with the default alert
// rules (rules/default-rules.ts) and sees nothing of any other: every query is scoped to its id.
// Logins (README "Users and logins"): a user of the installation's first cooperative logs in with the bare
// name, any other as `name@cooperative-id` — so usernames are unique per cooperative only.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createRuleStore } from '../core/alerts/rule-store.js';
import type { Config } from '../core/config.js';
import { openConfiguredRegistry } from './open-registry.js';
import { defaultRulesFor } from '../rules/default-rules.js';
import { cooperativeHelp } from './usage-texts.js';

const USERNAME = /^[A-Za-z0-9._-]{2,60}$/;
const COOP_ID = /^[a-z0-9][a-z0-9-]{1,39}$/;

/** "HTX Bình Minh" → "htx-binh-minh": Vietnamese letters without their marks (đ → d), words joined by "-". */
export function cooperativeSlug(name: string): string {
  return name.normalize('NFD').replace(/\p{M}/gu, '').replace(/[đĐ]/g, 'd').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '');
}

export async function runCooperative(config: Config, argv: string[], out: (line: string) => void): Promise<number> {
  const usage = (message: string) => { out(`ruong cooperative: ${message} (see ruong cooperative --help)`); return 2; };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {
      name: { type: 'string' }, admin: { type: 'string' }, id: { type: 'string' }, province: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    } });
  } catch (err) {
    return usage((err as Error).message.split('.')[0] ?? 'bad arguments');
  }
  const { values, positionals } = parsed;
  if (values.help) { out(cooperativeHelp); return 0; }
  if (positionals[0] !== 'create' || positionals.length !== 1) return usage('the only subcommand is "create"');
  const name = values.name?.trim();
  if (!name) return usage('--name is required');
  if (!values.admin || !USERNAME.test(values.admin)) return usage('--admin must be 2–60 letters, digits, ".", "_" or "-"');
  const id = values.id ?? cooperativeSlug(name);
  if (!COOP_ID.test(id)) return usage(`--id must be 2–40 lower-case letters, digits or "-" (got "${id}")`);

  const registry = await openConfiguredRegistry(config, 'ruong cooperative');
  try {
    if (await registry.cooperative(id)) return usage(`a cooperative with id ${id} exists; choose another with --id`);
    await registry.createCooperative({ id, name, province: values.province });
    const password = randomBytes(12).toString('base64url');
    const login = await registry.loginName(id, values.admin);
    await registry.createUser({ cooperativeId: id, username: login, password, role: 'admin' });
    const rules = createRuleStore(registry.sql);
    await registry.sql.tx(async () => { for (const r of defaultRulesFor(id)) await rules.putRule(id, r.id, r.definition); });
    out(`Cooperative "${name}" created: id ${id}`);
    out(`Admin login:       ${login}`);
    out(`One-time password: ${password}`);
    out('The password is shown only this once; change it after logging in (PATCH /api/v1/users/:id {"password"}).');
    return 0;
  } finally {
    await registry.close();
  }
}
