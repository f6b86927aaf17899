// The SMS gateway's inbound webhook over real HTTP (issue 17): a farmer replies "ĐÃ TƯỚI 25" (accents in NFD, or
// none, any case) from a known contact's phone → the gateway POSTs it signed to /api/v1/sms/inbound → 25 mm is
// recorded on that farmer's field → the confirmation reaches the local SMS gateway peer through the real SMS
// channel (rules/notify/sms.ts). Several fields: the answer asks which, "DA TUOI 25 2" picks one. Unknown numbers
// are ignored and counted; a wrong signature is a 401; a retried delivery records nothing twice.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmsNotifier } from '../../rules/notify/sms.js';
import { startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';
import { startHttpPeer, type HttpPeer } from '../helpers/notify-peers.js';

const SECRET = 'inbound-secret-0123456789';
const sign = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

interface Listed { irrigations: { depthMm: number; source: string; recordedBy: string; fieldId: string }[] }

describe('SMS reply "ĐÃ TƯỚI 25" through the gateway webhook', () => {
  let f: ApiFixture;
  let gateway: HttpPeer;
  const ruong: Record<'one' | 'two', string> = { one: '', two: '' };
  let messageId = 0;

  beforeAll(async () => {
    gateway = await startHttpPeer('/sms/send');
    const sms = createSmsNotifier({ url: gateway.url, auth: 'Bearer gateway-key' });
    f = await startApiFixture({ smsInbound: { secret: SECRET, send: (m) => sms.send(m, AbortSignal.timeout(5000)) } });
    const farm = await f.registry.createFarm({ cooperativeId: f.ids.coopA, name: 'Trại A3' });
    ruong.one = await f.registry.createField({ farmId: farm, name: 'Ruộng 1', crop: 'rice', areaHa: 2 });
    ruong.two = await f.registry.createField({ farmId: farm, name: 'Ruộng 2', crop: 'rice', areaHa: 1.5 });
    // Bảy farms A1 (one field); Tư farms A3 (two fields)
    const bay = await f.registry.createContact(f.ids.coopA, { name: 'Anh Bảy', role: 'farmer', phone: '+84912345678' });
    await f.registry.addSubscription(f.ids.coopA, bay.id, { farmId: f.ids.farmA1, fieldId: null, severities: ['warning', 'critical'], channels: ['sms'], events: ['opened'] });
    const tu = await f.registry.createContact(f.ids.coopA, { name: 'Chị Tư', role: 'farmer', phone: '+84987654321', smsUnaccented: true });
    await f.registry.addSubscription(f.ids.coopA, tu.id, { farmId: farm, fieldId: null, severities: ['warning', 'critical'], channels: ['sms'], events: ['opened'] });
  });
  afterAll(async () => {
    await f?.close();
    await gateway?.close();
  });

  /** POSTs the message as a gateway does: form-encoded, signed with the shared secret. */
  const deliver = async (from: string, text: string, opts: { id?: string; headers?: Record<string, string> } = {}) => {
    const body = new URLSearchParams({ from, text, id: opts.id ?? `gw-${++messageId}` }).toString();
    const res = await fetch(`${f.base}/api/v1/sms/inbound`, {
      method: 'POST', body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-ruong-signature': sign(body), ...opts.headers },
    });
    return { status: res.status, body: (await res.json()) as { status: string; replied: boolean; irrigationId?: string } };
  };
  const irrigations = async (fieldId: string) => (await f.request<Listed>('GET', `/api/v1/fields/${fieldId}/irrigations`, f.tokens.alice)).body.irrigations;
  const sent = () => gateway.requests.map((r) => JSON.parse(r.body) as { to: string; text: string; unicode: number });

  it('records 25 mm on the farmer\'s only field and confirms through the gateway', async () => {
    const res = await deliver('0912345678', 'ĐÃ TƯỚI 25'.normalize('NFD'));
    expect(res).toMatchObject({ status: 200, body: { status: 'recorded', replied: true } });
    expect(await irrigations(f.ids.fieldA1)).toEqual([expect.objectContaining({ depthMm: 25, source: 'sms', recordedBy: '+84912345678' })]);
    expect(gateway.requests).toHaveLength(1);
    expect(gateway.requests[0]?.headers.authorization).toBe('Bearer gateway-key');
    const [reply] = sent();
    expect(reply?.to).toBe('+84912345678');
    expect(reply?.text).toMatch(/^Đã ghi: tưới 25 mm cho <img src=x onerror=alert\(1\)> lúc \d\d:\d\d \d+\/\d+\. Cảm ơn!$/);
  });

  it('a retried delivery of the same message records nothing twice and is not answered again', async () => {
    const res = await deliver('+84912345678', 'da tuoi 30mm', { id: 'gw-retry' });
    const again = await deliver('+84912345678', 'da tuoi 30mm', { id: 'gw-retry' });
    expect(res.body.status).toBe('recorded');
    expect(again.body).toMatchObject({ status: 'duplicate', irrigationId: res.body.irrigationId, replied: false });
    expect((await irrigations(f.ids.fieldA1)).map((i) => i.depthMm)).toEqual([30, 25]);
    expect(gateway.requests).toHaveLength(2);
  });

  it('several fields: asks which (unaccented for this contact), then "DA TUOI 25 2" records on Ruộng 2', async () => {
    const ask = await deliver('84987654321', 'Da tuoi 25');
    expect(ask.body.status).toBe('ambiguous');
    expect(sent().at(-1)).toMatchObject({ to: '+84987654321', text: 'Tuoi 25 mm cho lo nao? Nhan lai: DA TUOI 25 <ten lo>: Ruong 1; Ruong 2', unicode: 0 });
    expect(await irrigations(ruong.one)).toEqual([]);
    expect(await irrigations(ruong.two)).toEqual([]);

    expect((await deliver('+84987654321', 'DA TUOI 25 2')).body.status).toBe('recorded');
    expect((await deliver('+84987654321', 'đã tưới 12,5 mm ruộng 1')).body.status).toBe('recorded');
    expect((await irrigations(ruong.two)).map((i) => i.depthMm)).toEqual([25]);
    expect((await irrigations(ruong.one)).map((i) => i.depthMm)).toEqual([12.5]);
    expect(sent().at(-1)?.text).toMatch(/^Da ghi: tuoi 12,5 mm cho Ruong 1 luc /);
  });

  it('a text it does not understand gets the short help; a depth out of range is refused', async () => {
    expect((await deliver('+84912345678', 'mai mưa không?')).body.status).toBe('unrecognised');
    expect(sent().at(-1)?.text).toContain('ĐÃ TƯỚI 25');
    expect((await deliver('+84912345678', 'DA TUOI 900')).body.status).toBe('out_of_range');
    expect((await irrigations(f.ids.fieldA1)).map((i) => i.depthMm)).toEqual([30, 25]);
  });

  it('an unknown number is ignored, never answered, and counted', async () => {
    const before = gateway.requests.length;
    const res = await deliver('+84900000000', 'DA TUOI 25');
    expect(res).toMatchObject({ status: 200, body: { status: 'ignored', replied: false } });
    expect(gateway.requests).toHaveLength(before);
    const metrics = await (await fetch(`${f.base}/metrics`)).text();
    expect(metrics).toContain('ruong_sms_inbound_total{outcome="unknown_sender"} 1');
    expect(metrics).toContain('ruong_sms_inbound_total{outcome="recorded"} 4');
  });

  it('refuses a request without the gateway\'s signature or secret (401); the secret as a bearer token is accepted', async () => {
    const before = (await irrigations(f.ids.fieldA1)).length;
    const forged = await deliver('+84912345678', 'DA TUOI 40', { headers: { 'x-ruong-signature': `sha256=${'0'.repeat(64)}` } });
    expect(forged.status).toBe(401);
    const body = new URLSearchParams({ from: '+84912345678', text: 'DA TUOI 40', id: 'gw-unsigned' }).toString();
    const unsigned = await fetch(`${f.base}/api/v1/sms/inbound`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(unsigned.status).toBe(401);
    expect((await irrigations(f.ids.fieldA1)).length).toBe(before);
    const json = JSON.stringify({ sender: '0912345678', message: 'DA TUOI 40', message_id: 'gw-bearer' });
    const bearer = await fetch(`${f.base}/api/v1/sms/inbound`, { method: 'POST', body: json, headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` } });
    expect(bearer.status).toBe(200);
    expect((await irrigations(f.ids.fieldA1)).map((i) => i.depthMm)).toEqual([40, 30, 25]);
  });
});
