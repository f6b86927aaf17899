// MQTT 3.1.1 packets built by hand as Buffers (so tests can send what no client library would), and a raw
// TCP session that records what the broker answers and whether it closed the connection.
import { connect, type Socket } from 'node:net';

export const FLAG = { username: 0x80, password: 0x40, willRetain: 0x20, willQos1: 0x08, will: 0x04, clean: 0x02 } as const;

/** A length-prefixed field (MQTT 3.1.1 §1.5.3). */
export function field(value: string | Buffer): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
  const length = Buffer.alloc(2);
  length.writeUInt16BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    out.push(digit);
  } while (n > 0);
  return Buffer.from(out);
}

export function packet(header: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([header]), remainingLength(body.length), body]);
}

export interface ConnectSpec {
  readonly protocol?: string;
  readonly level?: number;
  readonly flags: number;
  readonly keepalive?: number;
  /** Payload fields in order (client id, will topic, will message, user name, password), or raw bytes. */
  readonly payload: readonly Buffer[];
}

export function connectPacket(spec: ConnectSpec): Buffer {
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(spec.keepalive ?? 30);
  return packet(0x10, Buffer.concat([field(spec.protocol ?? 'MQTT'), Buffer.from([spec.level ?? 4, spec.flags]), keepalive, ...spec.payload]));
}

/** A well-formed CONNECT with username = client id = deviceId and the secret as password. */
export function deviceConnect(deviceId: string, secret: string, extra: Partial<ConnectSpec> = {}): Buffer {
  return connectPacket({ flags: FLAG.username | FLAG.password | FLAG.clean, payload: [field(deviceId), field(deviceId), field(secret)], ...extra });
}

export function publishPacket(topic: string | Buffer, payload: string | Buffer, qos: 0 | 1 = 0, messageId = 1): Buffer {
  const id = Buffer.alloc(2);
  id.writeUInt16BE(messageId);
  return packet(0x30 | (qos << 1), Buffer.concat([field(topic), ...(qos > 0 ? [id] : []), Buffer.isBuffer(payload) ? payload : Buffer.from(payload)]));
}

export interface RawSession {
  readonly socket: Socket;
  received(): Buffer;
  readonly closed: Promise<void>;
  isClosed(): boolean;
  write(bytes: Buffer): void;
  destroy(): void;
}

export async function rawSession(port: number, opts: { localAddress?: string } = {}): Promise<RawSession> {
  const socket = connect({ port, host: '127.0.0.1', ...opts });
  const chunks: Buffer[] = [];
  let isClosed = false;
  socket.on('data', (d: Buffer) => chunks.push(d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => { isClosed = true; resolve(); }));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return {
    socket,
    received: () => Buffer.concat(chunks),
    closed,
    isClosed: () => isClosed,
    write: (bytes) => { if (!socket.destroyed) socket.write(bytes); },
    destroy: () => socket.destroy(),
  };
}

/** Resolves true when the session closes within ms, false otherwise. */
export async function closesWithin(session: RawSession, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms); });
  const result = await Promise.race([session.closed.then(() => true), timeout]);
  clearTimeout(timer);
  return result;
}

export const CONNACK = (code: number) => Buffer.from([0x20, 0x02, 0x00, code]);
