// MQTT 3.1.1 conformance of the real broker, with packets built by hand and written to a raw TCP socket:
// each malformed CONNECT closes that connection (without a CONNACK, MQTT-3.1.4-1, or after the return code
// the spec names), while a well-behaved device keeps publishing and every one of its readings is stored.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provision, startWitness, type Witness } from '../helpers/broker-witness.js';
import { CONNACK, FLAG, connectPacket, deviceConnect, field, packet, publishPacket, rawSession } from '../helpers/mqtt-raw.js';
import { startTestPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let witness: Witness;
let secret: string;
const UP = FLAG.username | FLAG.password;

beforeAll(async () => {
  p = await startTestPlatform();
  witness = await startWitness(p);
  secret = await provision(p, 'raw-1');
});
afterAll(async () => {
  await witness?.end();
  await p?.close();
});

/**
 * Sends a CONNECT on a new connection (and, once the CONNACK is in, a second packet); resolves with what the
 * broker wrote before it closed the connection.
 */
async function answerBeforeClose(connect: Buffer, after?: Buffer): Promise<Buffer> {
  const s = await rawSession(p.mqttPort());
  s.write(connect);
  if (after) {
    for (let i = 0; i < 250 && s.received().length < 4 && !s.isClosed(); i++) await new Promise((r) => setTimeout(r, 20));
    s.write(after);
  }
  await s.closed;
  await witness.publish();
  return s.received();
}

describe('malformed CONNECT: closed without a CONNACK', () => {
  const cases: [string, () => Buffer][] = [
    ['user name bytes without the user name flag (MQTT-3.1.2-18)', () => connectPacket({ flags: FLAG.clean, payload: [field('raw-1'), field('raw-1')] })],
    ['a password without a user name (MQTT-3.1.2-22)', () => connectPacket({ flags: FLAG.password | FLAG.clean, payload: [field('raw-1'), field(secret)] })],
    ['ill-formed UTF-8 in the client id (MQTT-1.5.3-1)', () => connectPacket({ flags: UP | FLAG.clean, payload: [field(Buffer.from([0x72, 0xff])), field('raw-1'), field(secret)] })],
    ['U+0000 in the user name (MQTT-1.5.3-2)', () => connectPacket({ flags: UP | FLAG.clean, payload: [field('raw-1'), field('raw-1\u0000'), field(secret)] })],
    ['an empty will topic (MQTT-4.7.3-1)', () => connectPacket({ flags: UP | FLAG.clean | FLAG.will, payload: [field('raw-1'), field(''), field('offline'), field('raw-1'), field(secret)] })],
  ];
  it.each(cases)('%s', async (_what, bytes) => {
    expect(await answerBeforeClose(bytes())).toEqual(Buffer.alloc(0));
  });
});

describe('CONNECT refused with a return code, then closed', () => {
  it('answers an unsupported protocol level with 0x01 (MQTT-3.1.2-2)', async () => {
    expect(await answerBeforeClose(deviceConnect('raw-1', secret, { level: 5 }))).toEqual(CONNACK(0x01));
  });

  it('answers an empty client id with CleanSession = 0 with 0x02 (MQTT-3.1.3-8)', async () => {
    expect(await answerBeforeClose(connectPacket({ flags: UP, payload: [field(''), field('raw-1'), field(secret)] }))).toEqual(CONNACK(0x02));
  });
});

describe('after a valid CONNECT', () => {
  it('closes on ill-formed UTF-8 in a PUBLISH topic (MQTT-1.5.3-1)', async () => {
    const topic = Buffer.concat([Buffer.from('devices/raw-1/up'), Buffer.from([0xc3])]);
    expect(await answerBeforeClose(deviceConnect('raw-1', secret), publishPacket(topic, '{}'))).toEqual(CONNACK(0));
  });

  it('closes on an UNSUBSCRIBE without topics (MQTT-3.10.3-2)', async () => {
    expect(await answerBeforeClose(deviceConnect('raw-1', secret), packet(0xa2, Buffer.from([0x00, 0x01])))).toEqual(CONNACK(0));
  });

  it('answers a valid session normally: CONNACK 0, then PUBACK for a QoS 1 PUBLISH', async () => {
    const s = await rawSession(p.mqttPort());
    s.write(deviceConnect('raw-1', secret));
    s.write(publishPacket('devices/raw-1/up', '{"readings":{}}', 1, 42));
    const expected = Buffer.concat([CONNACK(0), Buffer.from([0x40, 0x02, 0x00, 42])]);
    for (let i = 0; i < 100 && s.received().length < expected.length; i++) await new Promise((r) => setTimeout(r, 20));
    expect(s.received()).toEqual(expected);
    s.destroy();
  });
});

describe('session present (MQTT-3.2.2-1, -2)', () => {
  async function sessionPresent(clean: boolean): Promise<boolean> {
    const client = mqtt.connect(p.mqttUrl, { clientId: 'raw-1', username: 'raw-1', password: secret, clean, reconnectPeriod: 0 });
    const present = await new Promise<boolean>((resolve, reject) => {
      client.once('connect', (connack) => resolve(connack.sessionPresent));
      client.once('error', reject);
    });
    if (!clean) await client.subscribeAsync('devices/raw-1/down', { qos: 1 });
    await client.endAsync();
    return present;
  }

  it('is 0 for a new persistent session, 1 when it resumes, 0 with CleanSession = 1', async () => {
    expect(await sessionPresent(false)).toBe(false);
    expect(await sessionPresent(false)).toBe(true);
    expect(await sessionPresent(true)).toBe(false);
  });
});

describe('the witness device', () => {
  it('kept publishing through every refused connection, and all its readings are stored', async () => {
    expect(await witness.allStored()).toBeGreaterThanOrEqual(9);
  });
});
