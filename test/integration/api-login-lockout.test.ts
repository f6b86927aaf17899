// The login lock-out, from the user's side over HTTP from real client addresses (127.0.0.2, 127.0.0.3, … on
// the loopback): failures are counted per (username, client address), so a stranger guessing someone's password
// locks only themselves out, never the owner; every 429 carries Retry-After (RFC 9110 §10.2.3) in seconds.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';

interface Answer { status: number; retryAfter: string | undefined; body: { token?: string; error?: { code: string; message: string } } }

describe('login lock-out per username and client address', () => {
  let f: ApiFixture;
  let clockOffsetMs = 0;
  beforeAll(async () => { f = await startApiFixture({ now: () => Date.now() + clockOffsetMs }); });
  afterAll(async () => { await f?.close(); });

  /** POST /api/v1/auth/login from the given local address (no proxy header: the peer address is the client). */
  function login(from: string, username: string, password: string): Promise<Answer> {
    const url = new URL('/api/v1/auth/login', f.base);
    const payload = JSON.stringify({ username, password });
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => { text += chunk; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'], body: JSON.parse(text) as Answer['body'] }));
      });
      req.on('error', reject);
      req.end(payload);
    });
  }

  it('a stranger guessing alice\'s password locks only their own address out, with Retry-After; alice still logs in', async () => {
    const stranger = '127.0.0.3';
    const alice = '127.0.0.2';
    for (let i = 0; i < 10; i++) expect((await login(stranger, 'alice', `guess-${i}`)).status).toBe(401);
    const refused = await login(stranger, 'alice', 'alice-password');
    expect(refused.status).toBe(429);
    expect(refused.body.error?.code).toBe('RATE_LIMITED');
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(15 * 60);
    expect(refused.retryAfter).toMatch(/^\d+$/); // delay-seconds, not a date

    const owner = await login(alice, 'alice', 'alice-password');
    expect(owner.status).toBe(200);
    expect(owner.body.token).toBeTruthy();
    expect((await f.request('GET', '/api/v1/me', owner.body.token)).status).toBe(200);

    // Two minutes later the stranger's per-address budget (10 a minute) is fresh: they may log in to their own
    // account, but alice's account stays locked for them until its 15 minutes are over.
    clockOffsetMs = 2 * 60_000;
    expect((await login(stranger, 'tom', 'tom-password')).status).toBe(200);
    const still = await login(stranger, 'alice', 'alice-password');
    expect(still.status).toBe(429);
    expect(Number(still.retryAfter)).toBeGreaterThan(10 * 60);
    expect(Number(still.retryAfter)).toBeLessThanOrEqual(13 * 60);
    clockOffsetMs = 16 * 60_000;
    expect((await login(stranger, 'alice', 'alice-password')).status).toBe(200);
  });

  it('one address trying many accounts is refused after 10 attempts a minute, with Retry-After ≤ 60 s', async () => {
    const host = '127.0.0.4';
    for (let i = 0; i < 10; i++) expect((await login(host, `nobody-${i}`, 'guess')).status).toBe(401);
    const refused = await login(host, 'vera', 'vera-password');
    expect(refused.status).toBe(429);
    expect(Number(refused.retryAfter)).toBeGreaterThan(0);
    expect(Number(refused.retryAfter)).toBeLessThanOrEqual(60);
    expect((await login('127.0.0.5', 'vera', 'vera-password')).status).toBe(200); // from elsewhere, fine
  });
});
