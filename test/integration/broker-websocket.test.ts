// MQTT over WebSocket goes through the same checks as TCP: a device publishes over ws:// and its reading is
// stored; a malformed CONNECT in a WebSocket frame closes that connection.
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { provision, reading, storedCount } from '../helpers/broker-witness.js';
import { freePort } from '../helpers/influxd.js';
import { FLAG, connectPacket, field } from '../helpers/mqtt-raw.js';
import { eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('MQTT over WebSocket', () => {
  let p: TestPlatform;
  let wsUrl: string;
  beforeAll(async () => {
    const port = await freePort();
    p = await startTestPlatform({ MQTT_WS_PORT: String(port) });
    wsUrl = `ws://127.0.0.1:${port}`;
  });
  afterAll(async () => { await p?.close(); });

  it('stores a reading a device publishes over ws://', async () => {
    const secret = await provision(p, 'ws-1');
    const device = await mqtt.connectAsync(wsUrl, { clientId: 'ws-1', username: 'ws-1', password: secret, reconnectPeriod: 0 });
    await device.publishAsync('devices/ws-1/up', reading(1), { qos: 1 });
    await device.endAsync();
    await eventually(async () => ((await storedCount(p, 'ws-1')) === 1 ? true : undefined), 10_000, 'the reading stored');
  });

  it('closes the WebSocket on a malformed CONNECT (a password without a user name), without a CONNACK', async () => {
    const ws = new WebSocket(wsUrl, 'mqtt');
    const received: Buffer[] = [];
    ws.on('message', (data: Buffer) => received.push(data));
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const closed = new Promise((resolve) => ws.once('close', resolve));
    ws.send(connectPacket({ flags: FLAG.password | FLAG.clean, payload: [field('ws-1'), field('secret')] }));
    await closed;
    expect(received).toEqual([]);
  });
});
