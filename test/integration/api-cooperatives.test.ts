// `ruong cooperative create` (issue 16) and what a cooperative sees through the API: on a fresh DATA_DIR it
// makes the first cooperative and an admin who logs in with the printed one-time password; beside the demo, the
// new cooperative sees nothing of it (farms, fields, devices, alerts, users, contacts). Usernames are unique per
// cooperative (a login names the cooperative): creating a user answers the same whether or not another
// cooperative has that name, and logging in with a name answers the same whether or not it exists. A farmer
// sets their own phone number and quiet hours.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCooperative } from '../../cli/cooperative.js';
import { loadConfig } from '../../core/config.js';
import { createRegistry } from '../../core/registry/registry.js';
import { DEMO_PASSWORD, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

async function create(dataDir: string, ...args: string[]): Promise<{ code: number; lines: string[]; login: string; password: string }> {
  const lines: string[] = [];
  const code = await runCooperative(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent' }), ['create', ...args], (l) => lines.push(l));
  const value = (label: RegExp) => lines.map((l) => label.exec(l)?.[1]).find((v) => v !== undefined) ?? '';
  return { code, lines, login: value(/^Admin login:\s+(\S+)/), password: value(/^One-time password:\s+(\S+)/) };
}

describe('ruong cooperative create', () => {
  it('works on a fresh DATA_DIR: the first cooperative, its admin logs in with the bare name and the printed password', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ruong-coop-'));
    try {
      const made = await create(join(dataDir, 'new'), '--name', 'HTX Bình Minh', '--admin', 'nam');
      expect(made.code).toBe(0);
      expect(made.lines[0]).toBe('Cooperative "HTX Bình Minh" created: id htx-binh-minh');
      expect(made.login).toBe('nam');
      expect(made.password).toMatch(/^[A-Za-z0-9_-]{16}$/);
      const registry = createRegistry(join(dataDir, 'new', 'registry.db'));
      try {
        expect((await registry.verifyPassword('nam', made.password))).toMatchObject({ cooperativeId: 'htx-binh-minh', role: 'admin' });
        expect(await registry.verifyPassword('nam', 'not-the-password')).toBeUndefined();
      } finally {
        await registry.close();
      }
      const again = await create(join(dataDir, 'new'), '--name', 'HTX Bình Minh', '--admin', 'lan');
      expect(again.code).toBe(2);
      expect(again.lines.join('\n')).toMatch(/htx-binh-minh exists; choose another with --id/);
      expect((await create(join(dataDir, 'new'), '--name', 'X', '--admin', 'a b')).code).toBe(2);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('a second cooperative beside the demo', () => {
  let p: TestPlatform;
  let demo: string;
  let admin: string;
  let made: Awaited<ReturnType<typeof create>>;
  const call = async <T = Record<string, unknown>>(token: string | undefined, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
      method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
  };

  beforeAll(async () => {
    p = await startTestPlatform();
    made = await create(p.dataDir, '--name', 'HTX Bình Minh', '--admin', 'admin', '--province', 'Đồng Tháp');
    demo = await login(p.baseUrl, 'demo', DEMO_PASSWORD);
    admin = await login(p.baseUrl, made.login, made.password);
  });
  afterAll(async () => { await p?.close(); });

  it('logs its admin in as admin@<cooperative> and shows nothing of the demo cooperative', async () => {
    expect(made.login).toBe('admin@htx-binh-minh');
    const me = await call<{ role: string; cooperative: { id: string; name: string } }>(admin, 'GET', '/me');
    expect(me.body).toMatchObject({ role: 'admin', cooperative: { id: 'htx-binh-minh', name: 'HTX Bình Minh' } });
    for (const [path, key] of [['/farms', 'farms'], ['/fields', 'fields'], ['/devices', 'devices'], ['/alerts', 'alerts'], ['/contacts', 'contacts'], ['/latest', 'readings'], ['/device-health', 'devices'], ['/dead-letters', 'deadLetters']] as const) {
      const res = await call<Record<string, unknown[]>>(admin, 'GET', path);
      expect(res.status, path).toBe(200);
      expect(res.body[key], path).toEqual([]);
    }
    expect((await call<{ users: { username: string }[] }>(admin, 'GET', '/users')).body.users.map((u) => u.username)).toEqual(['admin@htx-binh-minh']);
    expect((await call(admin, 'GET', '/fields/field-rice-1')).status).toBe(404);
    expect((await call(admin, 'GET', '/devices/awd-rice-1/gaps')).status).toBe(404);
    // its own default rules, none of the demo's
    const rules = (await call<{ rules: { id: string }[] }>(admin, 'GET', '/rules')).body.rules.map((r) => r.id);
    expect(rules).toContain('htx-binh-minh:awd.rice');
    expect(rules.every((id) => id.startsWith('htx-binh-minh:'))).toBe(true);
    // and the demo sees nothing of it
    expect((await call<{ users: { username: string }[] }>(demo, 'GET', '/users')).body.users.map((u) => u.username)).not.toContain('admin@htx-binh-minh');
  });

  it('cannot learn whether a username exists in another cooperative', async () => {
    // `demo` and `ky-thuat` exist in the demo cooperative, `zz-free` nowhere: the same answer for both
    const taken = await call<{ username: string }>(admin, 'POST', '/users', { username: 'demo', password: 'long-enough-pw', role: 'viewer' });
    const free = await call<{ username: string }>(admin, 'POST', '/users', { username: 'zz-free', password: 'long-enough-pw', role: 'viewer' });
    expect([taken.status, free.status]).toEqual([201, 201]);
    expect([taken.body.username, free.body.username]).toEqual(['demo@htx-binh-minh', 'zz-free@htx-binh-minh']);
    // the other way: the demo (the first cooperative) creating a name the new one has
    const back = await call<{ username: string }>(demo, 'POST', '/users', { username: 'admin', password: 'long-enough-pw', role: 'viewer' });
    expect([back.status, back.body.username]).toEqual([201, 'admin']);
    // only one's own cooperative can hold a name twice
    expect((await call(admin, 'POST', '/users', { username: 'zz-free', password: 'long-enough-pw', role: 'viewer' })).status).toBe(409);
    expect((await call(admin, 'POST', '/users', { username: 'x@coop-demo', password: 'long-enough-pw', role: 'viewer' })).status).toBe(400);
    // logging in: a wrong password for a name that exists answers as a name that does not
    const wrong = await call(undefined, 'POST', '/auth/login', { username: 'ky-thuat', password: 'not-the-password' });
    const nobody = await call(undefined, 'POST', '/auth/login', { username: 'nobody-here', password: 'not-the-password' });
    expect([wrong.status, nobody.status]).toEqual([401, 401]);
    expect(wrong.body).toEqual(nobody.body);
    // the demo logins still work, each with the role it says
    expect((await call<{ role: string }>(await login(p.baseUrl, 'ky-thuat', DEMO_PASSWORD), 'GET', '/me')).body.role).toBe('technician');
    expect((await call<{ role: string }>(demo, 'GET', '/me')).body.role).toBe('admin');
  });

  it('lets a farmer set their own phone and quiet hours, and nothing else', async () => {
    await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'chi-hai', password: 'farmer-password-1', role: 'farmer', farmIds: ['farm-mekong'] });
    const farmer = await login(p.baseUrl, 'chi-hai', 'farmer-password-1');
    expect((await call(farmer, 'GET', '/me/contact')).body).toEqual({ contact: null });
    const set = await call<{ id: string; phone: string; quietHours: unknown; role: string; name: string }>(farmer, 'PATCH', '/me/contact', { phone: '0912 345 678', quietHours: { start: '21:00', end: '05:30' } });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ phone: '+84912345678', quietHours: { start: '21:00', end: '05:30' }, role: 'farmer', name: 'chi-hai' });
    const again = await call<{ id: string; language: string }>(farmer, 'PATCH', '/me/contact', { language: 'en', quietHours: null });
    expect(again.body).toMatchObject({ id: set.body.id, language: 'en', quietHours: null });
    // the technicians see it, subscribed to the farmer's own farm
    const subs = await call<{ subscriptions: { farmId: string | null }[] }>(demo, 'GET', `/contacts/${set.body.id}/subscriptions`);
    expect(subs.body.subscriptions.map((s) => s.farmId)).toEqual(['farm-mekong']);
    // not someone else's contact, not a role or a webhook
    expect((await call(farmer, 'PATCH', `/contacts/${set.body.id}`, { phone: '0912000000' })).status).toBe(403);
    expect((await call(farmer, 'PATCH', '/me/contact', { role: 'technician' })).status).toBe(400);
    expect((await call(farmer, 'PATCH', '/me/contact', { webhookUrl: 'https://example.org/x' })).status).toBe(400);
    expect((await call(farmer, 'PATCH', '/me/contact', { quietHours: { start: '25:00', end: '05:00' } })).status).toBe(400);
  });
});
