// Roles as the README says, for every endpoint of the API (issue 16): one row per endpoint × seven callers —
// admin, technician, farmer (on their own farm's objects), the same farmer on the cooperative's other farm,
// viewer, anonymous, and another cooperative's admin —
// with the HTTP status each gets, over real HTTP. The rows are checked against the Express router and
// api/endpoints.ts: an endpoint added without a row fails this test.
// README roles: admin everything (users, API keys); technician farms, fields, devices, rules, contacts, dead
// letters; farmer their own farms (writes there, and their own contact); viewer reads, every write 403;
// another cooperative's object is a 404 — its admin sees only its own cooperative in every list.
import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type ApiDeps } from '../../api/app.js';
import { allEndpoints } from '../../api/endpoints.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { ruleCatalog } from '../../cli/rule-catalog.js';
import { createCommandSchedules } from '../../core/registry/command-schedules.js';
import { nextAddress, startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';

const CALLERS = ['admin', 'technician', 'farmer', 'farmerOtherFarm', 'viewer', 'anonymous', 'otherCoopAdmin'] as const;
type Caller = typeof CALLERS[number];
/** Expected statuses in CALLERS order. */
type Statuses = readonly [number, number, number, number, number, number, number];
interface Call { readonly path: string; readonly body?: unknown; readonly token?: string | undefined }
/** The objects a call is about: the farmer's own farm (A1), or for `farmerOtherFarm` the cooperative's other farm (A2). */
interface Targets { readonly farm: string; readonly field: string; readonly device: string; readonly alert: string }
interface Row { readonly expect: Statuses; readonly call: (who: Caller, t: Targets) => Call | Promise<Call> }

const READ_ALL: Statuses = [200, 200, 200, 200, 200, 401, 200]; // lists: each caller their own cooperative (or farms)
const READ_OBJECT: Statuses = [200, 200, 200, 404, 200, 401, 404]; // an object of cooperative A on the farm in question
const ADMIN_ONLY_LIST: Statuses = [200, 403, 403, 403, 403, 401, 200];
const ADMIN_ONLY_OBJECT = (ok: number): Statuses => [ok, 403, 403, 403, 403, 401, 404];
const MANAGERS_LIST: Statuses = [200, 200, 403, 403, 403, 401, 200];
const MANAGERS_OBJECT = (ok: number): Statuses => [ok, ok, 403, 403, 403, 401, 404];

let f: ApiFixture;
let n = 0;
const fresh = (what: string) => `${what}-${++n}`;

describe('API roles: every endpoint × every role (the README is the oracle)', () => {
  const token = (who: Caller): string | undefined => ({
    admin: f.tokens.alice, technician: f.tokens.tom, farmer: f.tokens.fred, farmerOtherFarm: f.tokens.fred, viewer: f.tokens.vera, anonymous: undefined, otherCoopAdmin: f.tokens.bob,
  })[who];
  const userId = async (username: string) => (await f.registry.usersOfCooperative(username === 'bob' ? f.ids.coopB : f.ids.coopA)).find((u) => u.username === username)!.id;
  const userOf: Record<Caller, string | undefined> = { admin: 'alice', technician: 'tom', farmer: 'fred', farmerOtherFarm: 'fred', viewer: 'vera', anonymous: undefined, otherCoopAdmin: 'bob' };

  // Objects of cooperative A on the farmer's farm (A1), made fresh where a call changes or removes them.
  const alertOn = async (t: Omit<Targets, 'alert'>) => (await f.alerts.raise({
    cooperativeId: f.ids.coopA, farmId: t.farm, fieldId: t.field, deviceId: t.device, ruleId: fresh('roles-rule'), subject: `field:${t.field}`,
    kind: 'awd_irrigate', severity: 'warning', escalateAfterMs: null, values: { levelCm: -16 }, text: { vi: 'tưới', en: 'irrigate' },
  })).alert.id;
  const deviceOn = async (t: Targets) => (await f.registry.provisionDevice({ id: fresh('dev-roles'), fieldId: t.field, kind: 'soil_probe', name: 'roles' })).deviceId;
  const pumpOn = async (t: Targets) => (await f.registry.provisionDevice({ id: fresh('pump-sched'), fieldId: t.field, kind: 'pump_controller', name: 'Bơm' })).deviceId;
  const scheduleOn = async (t: Targets) => (await createCommandSchedules(f.registry.sql).addSchedule({
    cooperativeId: f.ids.coopA, fieldId: t.field, deviceId: await pumpOn(t), cron: '0 5 * * *', minutes: 30, createdBy: 'roles',
  })).id;
  const contactOfA = async () => (await f.registry.createContact(f.ids.coopA, { name: fresh('Contact') })).id;
  const userOfA = async () => f.registry.createUser({ cooperativeId: f.ids.coopA, username: fresh('user'), password: 'a-long-password', role: 'viewer' });
  const overrideId = () => `${f.ids.coopA}:${fresh('awd.roles')}`;
  const putOverride = async (id: string, fieldId: string) => {
    await f.registry.sql.run('INSERT INTO rules (id, cooperative_id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
      [id, f.ids.coopA, JSON.stringify({ version: 1, id, key: fresh('key'), kind: 'awd', scope: { fieldId }, thresholdCm: -10 }), Date.now(), Date.now()]);
    return id;
  };
  let own: Targets;
  let elsewhere: Targets;
  let contactA = '';

  const ROWS: Record<string, Row> = {
    // auth: logging in needs no token; logging out ends the caller's own (fresh) session
    'post /auth/login': { expect: [200, 200, 200, 200, 200, 200, 200], call: () => ({ path: '/auth/login', body: { username: 'vera', password: 'vera-password' } }) },
    'post /auth/logout': {
      expect: [204, 204, 204, 204, 204, 401, 204],
      call: async (who) => ({ path: '/auth/logout', token: userOf[who] && (await f.registry.createSession(await userId(userOf[who]), 60_000)).token }),
    },
    'get /me': { expect: READ_ALL, call: () => ({ path: '/me' }) },

    // farms and fields: create and delete admins and technicians; change also a farmer, on their own farm
    'get /farms': { expect: READ_ALL, call: () => ({ path: '/farms' }) },
    'post /farms': { expect: [201, 201, 403, 403, 403, 401, 201], call: () => ({ path: '/farms', body: { name: fresh('Farm') } }) },
    'get /farms/:id': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/farms/${t.farm}` }) },
    'patch /farms/:id': { expect: [200, 200, 200, 404, 403, 401, 404], call: (_who, t) => ({ path: `/farms/${t.farm}`, body: { province: 'Sóc Trăng' } }) },
    // a new empty farm is not the farmer's: another farm is a 404 to a farmer
    'delete /farms/:id': { expect: [204, 204, 404, 404, 403, 401, 404], call: async () => ({ path: `/farms/${await f.registry.createFarm({ cooperativeId: f.ids.coopA, name: fresh('Empty') })}` }) },
    'get /fields': { expect: READ_ALL, call: () => ({ path: '/fields' }) },
    'post /fields': { expect: [201, 201, 201, 404, 403, 401, 404], call: (_who, t) => ({ path: '/fields', body: { farmId: t.farm, name: fresh('Field'), crop: 'maize' } }) },
    'get /fields/:id': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}` }) },
    'patch /fields/:id': { expect: [200, 200, 200, 404, 403, 401, 404], call: (_who, t) => ({ path: `/fields/${t.field}`, body: { areaHa: 2 } }) },
    'delete /fields/:id': {
      expect: [204, 204, 403, 404, 403, 401, 404],
      call: async (_who, t) => ({ path: `/fields/${await f.registry.createField({ farmId: t.farm, name: fresh('Bare'), crop: 'maize' })}` }),
    },
    'get /fields/:id/latest': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/latest` }) },
    'get /fields/:id/soil': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/soil` }) },
    'get /fields/:id/daily': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/daily` }) },
    'get /fields/:id/readings': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/readings?metric=awd_level&from=0` }) },
    'get /fields/:id/readings.csv': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/readings.csv?metric=awd_level&from=0` }) },
    'post /fields/:id/irrigations': { expect: [201, 201, 201, 404, 403, 401, 404], call: (_who, t) => ({ path: `/fields/${t.field}/irrigations`, body: { depthMm: 10 } }) },
    'get /fields/:id/irrigations': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/irrigations` }) },
    // pump and valve commands (issue 17): writers on their fields (an off is never refused by an interlock), viewers 403
    'post /devices/:id/commands': {
      expect: [202, 202, 202, 404, 403, 401, 404],
      call: async (_who, t) => ({ path: `/devices/${(await f.registry.provisionDevice({ id: fresh('pump-roles'), fieldId: t.field, kind: 'pump_controller', name: 'Bơm' })).deviceId}/commands`, body: { action: 'off' } }),
    },
    'get /fields/:id/commands': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/commands` }) },
    'get /fields/:id/schedules': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/schedules` }) },
    'post /fields/:id/schedules': {
      expect: [201, 201, 201, 404, 403, 401, 404],
      call: async (_who, t) => ({ path: `/fields/${t.field}/schedules`, body: { deviceId: await pumpOn(t), cron: '0 5 * * *', minutes: 30 } }),
    },
    'delete /schedules/:id': { expect: [204, 204, 204, 404, 403, 401, 404], call: async (_who, t) => ({ path: `/schedules/${await scheduleOn(t)}` }) },
    'put /fields/:id/control': { expect: MANAGERS_OBJECT(200), call: (_who, t) => ({ path: `/fields/${t.field}/control`, body: { maxRunMin: 120, automatic: false } }) },
    'get /fields/:id/advice': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/advice` }) },
    // the season's water account (issue 17): read like the field or farm it is about
    'get /fields/:id/water-account': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/water-account` }) },
    'get /fields/:id/water-account.csv': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/fields/${t.field}/water-account.csv?lang=vi` }) },
    'get /farms/:id/water-account': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/farms/${t.farm}/water-account` }) },
    'get /farms/:id/water-account.csv': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/farms/${t.farm}/water-account.csv` }) },
    'get /catalogue': { expect: READ_ALL, call: () => ({ path: '/catalogue' }) },
    'get /latest': { expect: READ_ALL, call: () => ({ path: '/latest' }) },
    'get /device-health': { expect: READ_ALL, call: () => ({ path: '/device-health' }) },
    'get /events': { expect: READ_ALL, call: () => ({ path: '/events' }) },

    // users and API keys: admins only
    'get /users': { expect: ADMIN_ONLY_LIST, call: () => ({ path: '/users' }) },
    'post /users': { expect: [201, 403, 403, 403, 403, 401, 201], call: () => ({ path: '/users', body: { username: fresh('newbie'), password: 'a-long-password', role: 'viewer' } }) },
    'get /users/:id': { expect: ADMIN_ONLY_OBJECT(200), call: async () => ({ path: `/users/${await userId('vera')}` }) },
    'patch /users/:id': { expect: ADMIN_ONLY_OBJECT(200), call: async () => ({ path: `/users/${await userOfA()}`, body: { displayName: 'Đổi tên' } }) },
    'delete /users/:id': { expect: ADMIN_ONLY_OBJECT(204), call: async () => ({ path: `/users/${await userOfA()}` }) },
    'get /api-keys': { expect: ADMIN_ONLY_LIST, call: () => ({ path: '/api-keys' }) },
    'post /api-keys': { expect: [201, 403, 403, 403, 403, 401, 201], call: () => ({ path: '/api-keys', body: { name: fresh('key'), role: 'viewer' } }) },
    'delete /api-keys/:id': { expect: ADMIN_ONLY_OBJECT(204), call: async () => ({ path: `/api-keys/${(await f.registry.createApiKey(f.ids.coopA, fresh('key'), 'viewer')).record.id}` }) },

    // devices: admins and technicians manage them (README "technicians … manage devices")
    'get /devices': { expect: READ_ALL, call: () => ({ path: '/devices' }) },
    'post /devices': { expect: [201, 201, 403, 403, 403, 401, 404], call: (_who, t) => ({ path: '/devices', body: { fieldId: t.field, kind: 'soil_probe', name: 'Đầu dò', id: fresh('probe') } }) },
    'post /devices/:id/rotate-secret': { expect: MANAGERS_OBJECT(200), call: async (_who, t) => ({ path: `/devices/${await deviceOn(t)}/rotate-secret` }) },
    'post /devices/:id/revoke': { expect: MANAGERS_OBJECT(200), call: async (_who, t) => ({ path: `/devices/${await deviceOn(t)}/revoke` }) },
    'patch /devices/:id': { expect: MANAGERS_OBJECT(200), call: async (_who, t) => ({ path: `/devices/${await deviceOn(t)}`, body: { fieldId: t.field } }) },
    'delete /devices/:id': { expect: MANAGERS_OBJECT(204), call: async (_who, t) => ({ path: `/devices/${await deviceOn(t)}` }) },
    'get /device-profiles': { expect: READ_ALL, call: () => ({ path: '/device-profiles' }) },
    'put /devices/:id/profile': { expect: MANAGERS_OBJECT(200), call: (_who, t) => ({ path: `/devices/${t.device}/profile`, body: { profileId: null } }) },
    'get /devices/:id/gaps': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/devices/${t.device}/gaps` }) },
    'get /dead-letters': { expect: MANAGERS_LIST, call: () => ({ path: '/dead-letters' }) },

    // contacts and subscriptions: admins and technicians (addresses are personal data); one's own contact: all but viewers
    'get /contacts': { expect: MANAGERS_LIST, call: () => ({ path: '/contacts' }) },
    'post /contacts': { expect: [201, 201, 403, 403, 403, 401, 201], call: () => ({ path: '/contacts', body: { name: fresh('Anh Ba') } }) },
    'get /contacts/:id': { expect: MANAGERS_OBJECT(200), call: () => ({ path: `/contacts/${contactA}` }) },
    'patch /contacts/:id': { expect: MANAGERS_OBJECT(200), call: () => ({ path: `/contacts/${contactA}`, body: { language: 'en' } }) },
    'delete /contacts/:id': { expect: MANAGERS_OBJECT(204), call: async () => ({ path: `/contacts/${await contactOfA()}` }) },
    'get /contacts/:id/subscriptions': { expect: MANAGERS_OBJECT(200), call: () => ({ path: `/contacts/${contactA}/subscriptions` }) },
    'post /contacts/:id/subscriptions': { expect: MANAGERS_OBJECT(201), call: (_who, t) => ({ path: `/contacts/${contactA}/subscriptions`, body: { farmId: t.farm } }) },
    'delete /contacts/:id/subscriptions/:subscriptionId': {
      expect: MANAGERS_OBJECT(204),
      call: async () => {
        const sub = await f.registry.addSubscription(f.ids.coopA, contactA, { farmId: null, fieldId: null, severities: ['critical'], channels: null, events: ['opened'] });
        return { path: `/contacts/${contactA}/subscriptions/${sub.id}` };
      },
    },
    'get /contacts/:id/webhook-secret': { expect: ADMIN_ONLY_OBJECT(200), call: () => ({ path: `/contacts/${contactA}/webhook-secret` }) },
    'get /me/contact': { expect: READ_ALL, call: () => ({ path: '/me/contact' }) },
    'patch /me/contact': { expect: [200, 200, 200, 200, 403, 401, 200], call: () => ({ path: '/me/contact', body: { phone: '0912345678', quietHours: { start: '21:00', end: '05:30' } } }) },

    // the SMS gateway's webhook (issue 17) authenticates with its own secret: no role's token opens it
    'post /sms/inbound': { expect: [401, 401, 401, 401, 401, 401, 401], call: () => ({ path: '/sms/inbound', body: { from: '+84912345678', text: 'tuoi 20mm' } }) },

    // alerts: every role reads its own; acknowledging and resolving is a write (not viewers)
    'get /alerts': { expect: READ_ALL, call: () => ({ path: '/alerts' }) },
    'get /alerts/:id': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/alerts/${t.alert}` }) },
    'post /alerts/:id/ack': { expect: [200, 200, 200, 404, 403, 401, 404], call: async (_who, t) => ({ path: `/alerts/${await alertOn(t)}/ack`, body: { comment: 'đã xem' } }) },
    'post /alerts/:id/resolve': { expect: [200, 200, 200, 404, 403, 401, 404], call: async (_who, t) => ({ path: `/alerts/${await alertOn(t)}/resolve` }) },
    'get /alerts/:id/deliveries': { expect: READ_OBJECT, call: (_who, t) => ({ path: `/alerts/${t.alert}/deliveries` }) },

    // alert rules: every role reads (a farmer their farms'); admins and technicians write (README "manage devices and rules")
    'get /rules': { expect: READ_ALL, call: () => ({ path: '/rules' }) },
    'get /rules/:id': { expect: [200, 200, 200, 200, 200, 401, 404], call: () => ({ path: `/rules/${f.ids.coopA}:awd.rice` }) },
    'put /rules/:id': {
      expect: MANAGERS_OBJECT(200),
      call: (_who, t) => ({ path: `/rules/${overrideId()}`, body: { version: 1, key: fresh('awd-key'), kind: 'awd', scope: { fieldId: t.field }, thresholdCm: -10 } }),
    },
    'delete /rules/:id': { expect: MANAGERS_OBJECT(204), call: async (_who, t) => ({ path: `/rules/${await putOverride(overrideId(), t.field)}` }) },
  };

  let app: Express;
  beforeAll(async () => {
    // every optional module mounted: the rules API, advice, webhook secrets, the SMS gateway's inbound webhook
    const extra = {
      rules: ruleCatalog, advice: { advice: () => Promise.resolve(undefined) }, webhookSecret: 'roles-test-webhook-secret',
      smsInbound: { secret: 'roles-test-sms-inbound-secret', send: () => Promise.resolve() },
    } as Partial<ApiDeps>;
    f = await startApiFixture(extra);
    app = buildApp({ registry: f.registry, store: f.store, metrics: createMetrics(), log: silentLogger(), sessionTtlMs: 60_000, readiness: () => Promise.resolve({}), alerts: f.alerts, ...extra });
    own = { farm: f.ids.farmA1, field: f.ids.fieldA1, device: 'dev-a1', alert: await alertOn({ farm: f.ids.farmA1, field: f.ids.fieldA1, device: 'dev-a1' }) };
    elsewhere = { farm: f.ids.farmA2, field: f.ids.fieldA2, device: 'dev-a2', alert: f.ids.alertA2 };
    contactA = await contactOfA();
  });
  afterAll(async () => { await f?.close(); });

  it('has exactly one row for every endpoint the router serves and api/endpoints.ts documents', () => {
    const documented = allEndpoints().map((e) => `${e.method} ${e.path}`).sort();
    expect(routesUnderV1(app).sort(), 'the router serves what api/endpoints.ts documents').toEqual(documented);
    expect(documented.filter((e) => !(e in ROWS)), 'endpoints without a row in test/integration/api-roles.test.ts').toEqual([]);
  });

  it('answers each caller as the README says', async () => {
    const mismatches: string[] = [];
    for (const endpoint of allEndpoints().map((e) => `${e.method} ${e.path}`)) {
      const row = ROWS[endpoint];
      if (!row) { mismatches.push(`${endpoint}: no row`); continue; }
      const method = endpoint.split(' ')[0]!.toUpperCase();
      for (const [i, who] of CALLERS.entries()) {
        const call = await row.call(who, who === 'farmerOtherFarm' ? elsewhere : own);
        const status = await statusOf(method, call.path, 'token' in call ? call.token : token(who), call.body);
        if (status !== row.expect[i]) mismatches.push(`${endpoint} as ${who}: ${status}, expected ${row.expect[i]}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  /** The status only: a stream (SSE) is closed once its headers are in. */
  async function statusOf(method: string, path: string, bearer: string | undefined, body: unknown): Promise<number> {
    const abort = new AbortController();
    const res = await fetch(`${f.base}/api/v1${path}`, {
      method, signal: abort.signal,
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), 'x-forwarded-for': nextAddress() },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if ((res.headers.get('content-type') ?? '').startsWith('text/event-stream')) abort.abort();
    else await res.arrayBuffer();
    return res.status;
  }
});

interface Layer { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] }; matchers?: ((path: string) => unknown)[] }

/** `method path` of every route mounted under /api/v1 (Express 5's router stack). */
function routesUnderV1(app: Express): string[] {
  const top = (app as unknown as { router: { stack: Layer[] } }).router.stack;
  const v1 = top.filter((l) => l.handle?.stack && l.matchers?.some((m) => m('/api/v1/x')) && !l.matchers.some((m) => m('/not-the-api')));
  const out: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  for (const l of v1) walk(l.handle!.stack!);
  return out;
}
