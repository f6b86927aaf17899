// The ingest's MQTT client over real TCP against a scripted broker: PUBACKs only for stored messages, in the
// order the PUBLISHes arrived (MQTT-4.6.0-2) however their stores complete, none for a message whose store
// failed (the broker redelivers it) without holding back the ones after it, and messages answered with a
// promise that has already settled (a dead letter) acknowledged all the same.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { generate, parser as createParser, type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { createAckClient, type AckClient } from '../../ingest/ack-client.js';
import { eventually } from '../helpers/platform.js';

interface ScriptedBroker { server: Server; port: number; acked: number[]; connected: Promise<Socket> }

function scriptedBroker(): Promise<ScriptedBroker> {
  const acked: number[] = [];
  let onConnected!: (s: Socket) => void;
  const connected = new Promise<Socket>((resolve) => { onConnected = resolve; });
  const server = createServer((s) => {
    const parser = createParser({ protocolVersion: 4 });
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') s.write(generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
      if (p.cmd === 'subscribe') { s.write(generate({ cmd: 'suback', messageId: p.messageId, granted: [1] })); onConnected(s); }
      if (p.cmd === 'puback' && p.messageId !== undefined) acked.push(p.messageId);
    });
    s.on('data', (chunk: Buffer) => parser.parse(chunk));
    s.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, acked, connected })));
}

const publish = (messageId: number) => generate({ cmd: 'publish', topic: `devices/d-${messageId}/up`, payload: Buffer.from(`{"n":${messageId}}`), qos: 1, messageId, retain: false, dup: false });

let client: AckClient | undefined;
let broker: ScriptedBroker | undefined;
afterEach(async () => {
  await client?.close();
  broker?.server.close();
});

describe('ingest ack client', () => {
  it('acknowledges in arrival order, skips failed messages without blocking later ones, and acks settled answers', async () => {
    broker = await scriptedBroker();
    const answers = new Map<number, () => Promise<void>>();
    const seen: number[] = [];
    let releaseA!: () => void;
    let releaseB!: () => void;
    const batchA = new Promise<void>((r) => { releaseA = r; });
    const batchB = new Promise<void>((r) => { releaseB = r; });
    const settled = Promise.resolve();
    for (const id of [1, 2, 3]) answers.set(id, () => batchA); // one batch: one shared promise
    answers.set(4, () => settled); // a dead letter: nothing to wait for
    answers.set(5, () => batchB);
    answers.set(6, () => Promise.reject(new Error('store refused')));
    answers.set(7, () => settled);
    answers.set(8, () => settled); // the same settled promise again, in a later chunk
    client = createAckClient({
      host: '127.0.0.1', port: broker.port, clientId: 'ruong-ingest', username: 'ruong-ingest', password: 'x', subscriptions: ['devices/+/up'],
      log: silentLogger(),
      onMessage: (topic) => {
        const id = Number(/d-(\d+)/.exec(topic)?.[1]);
        seen.push(id);
        return answers.get(id)!();
      },
    });
    await client.connect();
    const s = await broker.connected;

    s.write(Buffer.concat([1, 2, 3, 4, 5].map(publish)));
    await eventually(() => Promise.resolve(seen.length === 5 ? true : undefined));
    releaseB(); // the later batch is stored first: its ack must still wait for 1–4
    await new Promise((r) => setTimeout(r, 50));
    expect(broker.acked).toEqual([]);
    releaseA();
    await eventually(() => Promise.resolve(broker!.acked.length === 5 ? true : undefined));
    expect(broker.acked).toEqual([1, 2, 3, 4, 5]);

    s.write(Buffer.concat([6, 7].map(publish)));
    await eventually(() => Promise.resolve(broker!.acked.length === 6 ? true : undefined));
    s.write(publish(8));
    await eventually(() => Promise.resolve(broker!.acked.length === 7 ? true : undefined));
    expect(broker.acked).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(client.pending()).toBe(0);
  });
  it('after thousands of acks and a reconnect in the middle of a batch, acks each message once, on the connection it came on, in order', async () => {
    // A broker that records the PUBACKs of each connection separately and hands the test every new session.
    const ackedOn: number[][] = [];
    const sessions: Socket[] = [];
    const server = createServer((s) => {
      const acked: number[] = [];
      ackedOn.push(acked);
      const parser = createParser({ protocolVersion: 4 });
      parser.on('packet', (p: Packet) => {
        if (p.cmd === 'connect') s.write(generate({ cmd: 'connack', returnCode: 0, sessionPresent: true }));
        if (p.cmd === 'subscribe') { s.write(generate({ cmd: 'suback', messageId: p.messageId, granted: [1] })); sessions.push(s); }
        if (p.cmd === 'puback' && p.messageId !== undefined) acked.push(p.messageId);
      });
      s.on('data', (chunk: Buffer) => parser.parse(chunk));
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    broker = { server, port: (server.address() as AddressInfo).port, acked: [], connected: Promise.resolve(undefined as unknown as Socket) };

    let releaseBatch!: () => void;
    const batch = new Promise<void>((r) => { releaseBatch = r; }); // one batch, still being stored across the reconnect
    const settled = Promise.resolve();
    let onSecond = false;
    client = createAckClient({
      host: '127.0.0.1', port: broker.port, clientId: 'ruong-ingest', username: 'ruong-ingest', password: 'x', subscriptions: ['devices/+/up'],
      log: silentLogger(), reconnectMs: 20,
      onMessage: (topic) => {
        const id = Number(/d-(\d+)/.exec(topic)?.[1]);
        if (!onSecond) return id <= 1200 ? settled : batch;
        return id <= 3 ? batch : settled;
      },
    });
    await client.connect();
    const first = sessions[0]!;

    // 1,200 stored at once: the ack queue's sent entries are compacted away (more than 1,024 of them).
    first.write(Buffer.concat(Array.from({ length: 1200 }, (_, i) => publish(i + 1))));
    await eventually(() => Promise.resolve(ackedOn[0]!.length === 1200 ? true : undefined));
    // 10 more join the batch still being written; then the broker drops the connection.
    first.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => publish(1201 + i))));
    await new Promise((r) => setTimeout(r, 50));
    onSecond = true;
    first.destroy();
    await eventually(() => Promise.resolve(sessions.length === 2 ? true : undefined));

    // The new session: 3 messages join the same batch, the 4th is stored at once but must wait behind them.
    sessions[1]!.write(Buffer.concat([1, 2, 3, 4].map(publish)));
    await new Promise((r) => setTimeout(r, 50));
    expect(ackedOn[1]).toEqual([]);
    releaseBatch();
    await eventually(() => Promise.resolve(ackedOn[1]!.length === 4 ? true : undefined));

    expect(ackedOn[0]).toEqual(Array.from({ length: 1200 }, (_, i) => i + 1)); // nothing of the dropped connection's batch
    expect(ackedOn[1]).toEqual([1, 2, 3, 4]);
    expect(client.pending()).toBe(0);
  });
});
