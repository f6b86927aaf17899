// broker/local-registration.ts on a real Aedes over our in-memory emitter: a client registers (count, table, 'client'
// event) without `$SYS/{id}/new/clients` being published; a takeover (MQTT-3.1.4-2) closes the older client first.
// Over TCP with credentials: test/integration/broker-auth.test.ts (session takeover).
import { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import mqtt from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmitter } from '../../../broker/emitter.js';
import { registerLocally } from '../../../broker/local-registration.js';

/** A connection Aedes reads CONNECT from; what it writes back is collected. */
function connection(clientId: string): { conn: Duplex; written: Buffer[] } {
  const written: Buffer[] = [];
  const conn = new Duplex({ read() {}, write(chunk: Buffer, _enc, next) { written.push(chunk); next(); } });
  conn.push(mqtt.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clientId, clean: true, keepalive: 60 }));
  return { conn, written };
}

const until = async (ok: () => boolean): Promise<void> => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(ok()).toBe(true);
};

describe('registering a client on a broker alone', () => {
  let aedes: Aedes | undefined;
  afterEach(async () => { if (aedes) await new Promise<void>((r) => aedes!.close(() => r())); });

  it('counts and lists the client and emits client, with no $SYS new/clients message; a takeover closes the old one', async () => {
    aedes = await Aedes.createBroker({ mq: createEmitter() });
    registerLocally(aedes);
    const sys: string[] = [];
    aedes.on('publish', (packet) => { if (packet.topic.includes('/new/clients')) sys.push(packet.payload.toString()); });
    const events: string[] = [];
    aedes.on('client', (c: Client) => events.push(c.id));
    const first = connection('dev-1');
    const c1 = aedes.handle(first.conn);
    await until(() => aedes!.connectedClients === 1);
    expect(events).toEqual(['dev-1']);
    expect((aedes as unknown as { clients: Record<string, Client> }).clients['dev-1']).toBe(c1);
    const second = connection('dev-1');
    const c2 = aedes.handle(second.conn);
    await until(() => events.length === 2);
    expect(c1.closed).toBe(true);
    expect((aedes as unknown as { clients: Record<string, Client> }).clients['dev-1']).toBe(c2);
    expect(aedes.connectedClients).toBe(1);
    expect(Buffer.concat(second.written).subarray(0, 4)).toEqual(Buffer.from([0x20, 0x02, 0x00, 0x00]));
    expect(sys).toEqual([]);
  });
});
