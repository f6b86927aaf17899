// Mutated MQTT packets for the broker fuzz test: valid packets made with mqtt-packet's `generate`, then bytes
// flipped, replaced, cut or added with a seeded PRNG (the same seed gives the same packets).
import { connect } from 'node:net';
import { generate, type Packet } from 'mqtt-packet';
import { mulberry32 } from '../../firmware-sim/random.js';

/** mulberry32 — the simulator's seeded PRNG (firmware-sim/random.ts). */
export const prng = mulberry32;

export function validConnect(deviceId: string, secret: string, clean: boolean): Buffer {
  return generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean, keepalive: 60, clientId: deviceId, username: deviceId, password: Buffer.from(secret),
    will: { topic: `devices/${deviceId}/status`, payload: Buffer.from('offline'), qos: 1, retain: true },
  });
}

/** The packets a device sends after CONNECT, valid and (some) refused by the ACL. */
export function validPackets(deviceId: string): Buffer[] {
  const reading = Buffer.from(JSON.stringify({ ts: Date.now() - 60_000, seq: 1, readings: { 'soil_moisture@20cm': 21.5 } }));
  const packets: Packet[] = [
    { cmd: 'publish', topic: `devices/${deviceId}/up`, payload: reading, qos: 0, retain: false, dup: false },
    { cmd: 'publish', topic: `devices/${deviceId}/up`, payload: reading, qos: 1, messageId: 7, retain: false, dup: false },
    { cmd: 'publish', topic: `devices/${deviceId}/status`, payload: Buffer.from('online'), qos: 1, messageId: 8, retain: true, dup: false },
    { cmd: 'publish', topic: `devices/${deviceId}/up`, payload: reading, qos: 2, messageId: 9, retain: false, dup: false },
    { cmd: 'subscribe', messageId: 10, subscriptions: [{ topic: `devices/${deviceId}/down`, qos: 1 }, { topic: 'devices/+/up', qos: 0 }] },
    { cmd: 'unsubscribe', messageId: 11, unsubscriptions: [`devices/${deviceId}/down`] },
    { cmd: 'puback', messageId: 12 },
    { cmd: 'pubrec', messageId: 13 },
    { cmd: 'pubrel', messageId: 9 },
    { cmd: 'pubcomp', messageId: 14 },
    { cmd: 'pingreq' },
    { cmd: 'disconnect' },
  ];
  return packets.map((p) => generate(p));
}

/** One mutation: bit flips, byte replacements, a cut, random bytes appended, a forged length or type. */
export function mutate(packet: Buffer, rand: () => number): Buffer {
  const out = Buffer.from(packet);
  const at = () => Math.floor(rand() * out.length);
  switch (Math.floor(rand() * 7)) {
    case 0: {
      for (let i = 0, n = 1 + Math.floor(rand() * 3); i < n; i++) { const j = at(); out[j] = out[j]! ^ (1 << Math.floor(rand() * 8)); }
      return out;
    }
    case 1: {
      const j = at();
      out[j] = [0x00, 0xff, 0x80, 0x7f, Math.floor(rand() * 256)][Math.floor(rand() * 5)]!;
      return out;
    }
    case 2:
      return out.subarray(0, at());
    case 3:
      return Buffer.concat([out, Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)))]);
    case 4: {
      // A forged Remaining Length, up to the 4-byte maximum (268 MB announced).
      const forged = Buffer.from([0xff, 0xff, 0xff, 0x7f].slice(0, 1 + Math.floor(rand() * 4)));
      forged[forged.length - 1] = forged[forged.length - 1]! & 0x7f;
      return Buffer.concat([out.subarray(0, 1), forged, out.subarray(2)]);
    }
    case 5:
      out[0] = (Math.floor(rand() * 16) << 4) | (out[0]! & 0x0f);
      return out;
    default: {
      // Bytes inside a string field: ill-formed UTF-8 or U+0000.
      const j = Math.min(out.length - 1, 4 + Math.floor(rand() * Math.max(1, out.length - 4)));
      out[j] = [0xc3, 0xed, 0xff, 0x00][Math.floor(rand() * 4)]!;
      return out;
    }
  }
}

/**
 * One fuzz connection: a CONNECT (valid half of the time), then 10–60 packets, 70 % of them mutated, written in
 * up to four pieces cut at random (packets split across TCP reads); resolves when the broker has closed it.
 * `count.mutated` grows by the number of mutated packets sent.
 */
export function fuzzSession(port: number, rand: () => number, device: { id: string; secret: string }, count: { mutated: number }): Promise<void> {
  const base = validPackets(device.id);
  const connectPacket = validConnect(device.id, device.secret, rand() < 0.5);
  const parts: Buffer[] = [];
  if (rand() < 0.5) parts.push(connectPacket);
  else { parts.push(mutate(connectPacket, rand)); count.mutated++; }
  for (let i = 0, n = 10 + Math.floor(rand() * 51); i < n; i++) {
    const packet = base[Math.floor(rand() * base.length)]!;
    if (rand() < 0.7) { parts.push(mutate(packet, rand)); count.mutated++; } else parts.push(packet);
  }
  const bytes = Buffer.concat(parts);
  const cuts = [0, ...Array.from({ length: 3 }, () => Math.floor(rand() * bytes.length)).sort((a, b) => a - b), bytes.length];
  return new Promise<void>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const timer = setTimeout(() => socket.destroy(), 5000);
    socket.on('error', () => undefined);
    socket.on('data', () => undefined);
    socket.once('close', () => { clearTimeout(timer); resolve(); });
    socket.once('connect', () => {
      for (let i = 0; i < 4; i++) socket.write(bytes.subarray(cuts[i], cuts[i + 1]));
      socket.end();
    });
  });
}
