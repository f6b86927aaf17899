// A raw MQTT 3.1.1 session over TCP for conformance tests that need to see what no client library shows
// (the DUP flag of a redelivery, Session Present, a silent connection): packets are written with mqtt-packet's
// generate and every packet the broker sends is decoded with its parser and kept, in order.
import { connect, type Socket } from 'node:net';
import { generate, parser as createParser, type IConnackPacket, type IConnectPacket, type IPublishPacket, type Packet } from 'mqtt-packet';

export interface WireSession {
  readonly socket: Socket;
  /** Every packet received so far, in order. */
  readonly packets: Packet[];
  readonly closed: Promise<void>;
  isClosed(): boolean;
  send(packet: Packet): void;
  /** The next received packet of this kind not yet taken (waits up to `ms`). */
  next<C extends Packet['cmd']>(cmd: C, ms?: number): Promise<Extract<Packet, { cmd: C }>>;
  /** Packets of this kind received and not taken. */
  pending(cmd: Packet['cmd']): Packet[];
  /** Closes the socket without a DISCONNECT (the network went away). */
  drop(): Promise<void>;
  /** Sends DISCONNECT and waits for the broker to close. */
  disconnect(): Promise<void>;
}

export async function wireSession(port: number): Promise<WireSession> {
  const socket = connect({ port, host: '127.0.0.1' });
  const packets: Packet[] = [];
  const taken = new Set<Packet>();
  const parser = createParser({ protocolVersion: 4 });
  let isClosed = false;
  parser.on('packet', (p: Packet) => packets.push(p));
  socket.on('data', (d: Buffer) => parser.parse(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => { isClosed = true; resolve(); }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const pending = (cmd: Packet['cmd']) => packets.filter((p) => p.cmd === cmd && !taken.has(p));
  return {
    socket,
    packets,
    closed,
    isClosed: () => isClosed,
    send: (packet) => { if (!socket.destroyed) socket.write(generate(packet)); },
    async next(cmd, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = pending(cmd)[0];
        if (found) {
          taken.add(found);
          return found as never;
        }
        if (Date.now() > deadline) throw new Error(`no ${cmd} within ${ms} ms (received: ${packets.map((p) => p.cmd).join(', ') || 'nothing'}${isClosed ? ', then closed' : ''})`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    pending,
    async drop() {
      socket.destroy();
      await closed;
    },
    async disconnect() {
      if (!socket.destroyed) socket.write(generate({ cmd: 'disconnect' }));
      await closed;
    },
  };
}

export type ConnectOptions = Partial<Omit<IConnectPacket, 'cmd'>> & { readonly clientId: string };

/** Opens a session, sends CONNECT (MQTT 3.1.1, clean = true and keepalive 60 unless given) and waits for the CONNACK. */
export async function connectWire(port: number, opts: ConnectOptions): Promise<{ session: WireSession; connack: IConnackPacket }> {
  const session = await wireSession(port);
  session.send({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 60, ...opts });
  const connack = await session.next('connack');
  return { session, connack };
}

/** Subscribes and waits for the SUBACK; resolves with the granted QoS list. */
export async function subscribeWire(session: WireSession, topic: string, qos: 0 | 1 | 2, messageId = 1): Promise<number[]> {
  session.send({ cmd: 'subscribe', messageId, subscriptions: [{ topic, qos }] });
  const suback = await session.next('suback');
  return suback.granted as number[];
}

export function publishOf(session: WireSession, ms?: number): Promise<IPublishPacket> {
  return session.next('publish', ms);
}
