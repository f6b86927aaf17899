// The FrameGuard on hand-built byte sequences: what MQTT 3.1.1 requires a server to close on, and the packet
// size limit applied from the fixed header alone (before the body arrives).
import { describe, expect, it } from 'vitest';
import { FrameGuard } from '../../../broker/frame-guard.js';
import { CONNACK_IDENTIFIER_REJECTED, CONNACK_UNACCEPTABLE_PROTOCOL } from '../../../broker/packet-checks.js';
import { FLAG, connectPacket, deviceConnect, field, packet, publishPacket } from '../../helpers/mqtt-raw.js';

const opts = { maxPacketBytes: 1024 };
const guard = () => new FrameGuard(opts);
const UP = FLAG.username | FLAG.password;

function feedAll(g: FrameGuard, ...buffers: Buffer[]) {
  for (const b of buffers) {
    const v = g.feed(b);
    if (v) return v;
  }
  return undefined;
}

describe('FrameGuard: a valid session', () => {
  it('passes a valid CONNECT and PUBLISH fed one byte at a time and reads the CONNECT', () => {
    const g = guard();
    const bytes = Buffer.concat([deviceConnect('probe-1', 'secret'), publishPacket('devices/probe-1/up', '{"x":1}', 1, 7)]);
    for (const byte of bytes) expect(g.feed(Buffer.from([byte]))).toBeUndefined();
    expect(g.connect).toMatchObject({ clientId: 'probe-1', username: 'probe-1', clean: true, keepalive: 30, protocolLevel: 4 });
  });

  it('calls the publish hook with QoS and packet id, and closes on its verdict', () => {
    const g = guard();
    const seen: [number, number][] = [];
    g.onPublish = (qos, id) => { seen.push([qos, id]); return seen.length > 1 ? { kind: 'limit', limit: 'publish_rate', reason: 'x' } : undefined; };
    expect(feedAll(g, deviceConnect('d', 's'), publishPacket('a/b', 'p', 1, 9))).toBeUndefined();
    expect(feedAll(g, publishPacket('a/b', 'p', 0))).toMatchObject({ kind: 'limit', limit: 'publish_rate' });
    expect(seen).toEqual([[1, 9], [0, 0]]);
  });
});

describe('FrameGuard: malformed CONNECT (closed without CONNACK, MQTT-3.1.4-1)', () => {
  const cases: [string, Buffer, string][] = [
    ['user name bytes without the user name flag', connectPacket({ flags: FLAG.clean, payload: [field('d'), field('d')] }), 'MQTT-3.1.2-18'],
    ['password without user name', connectPacket({ flags: FLAG.password | FLAG.clean, payload: [field('d'), field('s')] }), 'MQTT-3.1.2-22'],
    ['ill-formed UTF-8 in the client id', connectPacket({ flags: UP | FLAG.clean, payload: [field(Buffer.from([0x64, 0xff])), field('d'), field('s')] }), 'MQTT-1.5.3-1'],
    ['a UTF-16 surrogate encoded in the user name', connectPacket({ flags: UP | FLAG.clean, payload: [field('d'), field(Buffer.from([0xed, 0xa0, 0x80])), field('s')] }), 'MQTT-1.5.3-1'],
    ['U+0000 in the user name', connectPacket({ flags: UP | FLAG.clean, payload: [field('d'), field('d\u0000'), field('s')] }), 'MQTT-1.5.3-2'],
    ['an empty will topic', connectPacket({ flags: UP | FLAG.clean | FLAG.will, payload: [field('d'), field(''), field('bye'), field('d'), field('s')] }), 'MQTT-4.7.3-1'],
    ['a wildcard in the will topic', connectPacket({ flags: UP | FLAG.clean | FLAG.will, payload: [field('d'), field('devices/#'), field('bye'), field('d'), field('s')] }), 'MQTT-3.3.2-2'],
    ['will QoS without the will flag', connectPacket({ flags: UP | FLAG.clean | FLAG.willQos1, payload: [field('d'), field('d'), field('s')] }), 'MQTT-3.1.2-11'],
    ['the reserved flag set', connectPacket({ flags: UP | FLAG.clean | 0x01, payload: [field('d'), field('d'), field('s')] }), 'MQTT-3.1.2-3'],
    ['a user name flag without a user name', connectPacket({ flags: FLAG.username | FLAG.clean, payload: [field('d')] }), 'MQTT-3.1.2-19'],
    ['an unknown protocol name', connectPacket({ protocol: 'MQTX', flags: FLAG.clean, payload: [field('d')] }), 'MQTT-3.1.2-1'],
  ];
  it.each(cases)('closes on %s', (_what, bytes, rule) => {
    const verdict = guard().feed(bytes);
    expect(verdict).toMatchObject({ kind: 'protocol', rule });
    expect(verdict?.connack).toBeUndefined();
  });
});

describe('FrameGuard: CONNECT refused with a return code', () => {
  it('answers an unsupported protocol level with 0x01 (MQTT-3.1.2-2)', () => {
    for (const level of [5, 6, 3]) {
      expect(guard().feed(connectPacket({ level, flags: FLAG.clean, payload: [field('d')] }))).toMatchObject({ rule: 'MQTT-3.1.2-2', connack: CONNACK_UNACCEPTABLE_PROTOCOL });
    }
  });

  it('accepts MQTT 3.1 (level 3, "MQIsdp")', () => {
    expect(guard().feed(connectPacket({ protocol: 'MQIsdp', level: 3, flags: FLAG.clean, payload: [field('d')] }))).toBeUndefined();
  });

  it('answers an empty client id with CleanSession = 0 with 0x02 (MQTT-3.1.3-8)', () => {
    expect(guard().feed(connectPacket({ flags: 0, payload: [field('')] }))).toMatchObject({ rule: 'MQTT-3.1.3-8', connack: CONNACK_IDENTIFIER_REJECTED });
  });

  it('accepts every keepalive, 0 (off) included (§3.1.2.10): the server bounds idle connections itself (broker/mqtt311.ts)', () => {
    for (const keepalive of [0, 1, 1200, 65_535]) {
      const g = guard();
      expect(g.feed(deviceConnect('d', 's', { keepalive }))).toBeUndefined();
      expect(g.connect?.keepalive).toBe(keepalive);
    }
  });
});

describe('FrameGuard: other packets', () => {
  const connected = () => {
    const g = guard();
    expect(g.feed(deviceConnect('d', 's'))).toBeUndefined();
    return g;
  };

  it('closes when the first packet is not a CONNECT (MQTT-3.1.0-1) and on a second CONNECT (MQTT-3.1.0-2)', () => {
    expect(guard().feed(publishPacket('a', 'b'))).toMatchObject({ rule: 'MQTT-3.1.0-1' });
    expect(connected().feed(deviceConnect('d', 's'))).toMatchObject({ rule: 'MQTT-3.1.0-2' });
  });

  it('closes on a packet larger than the limit as soon as its Remaining Length is read', () => {
    const header = Buffer.concat([Buffer.from([0x30]), Buffer.from([0x80, 0x80, 0x80, 0x01])]); // 2 MiB announced, no body sent
    expect(connected().feed(header)).toMatchObject({ kind: 'limit', limit: 'packet_size' });
    expect(connected().feed(publishPacket('a', Buffer.alloc(1024 - 8)))).toBeUndefined();
  });

  it('closes on a Remaining Length longer than four bytes', () => {
    expect(connected().feed(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x80]))).toMatchObject({ rule: 'MQTT-2.2.3' });
  });

  it('closes on ill-formed UTF-8, a wildcard or an empty PUBLISH topic', () => {
    expect(connected().feed(publishPacket(Buffer.from([0x61, 0xc3]), 'x'))).toMatchObject({ rule: 'MQTT-1.5.3-1' });
    expect(connected().feed(publishPacket('a/+/b', 'x'))).toMatchObject({ rule: 'MQTT-3.3.2-2' });
    expect(connected().feed(publishPacket('', 'x'))).toMatchObject({ rule: 'MQTT-4.7.3-1' });
  });

  it('closes on a QoS 1 PUBLISH with packet identifier 0 (MQTT-2.3.1-1)', () => {
    expect(connected().feed(publishPacket('a', 'x', 1, 0))).toMatchObject({ rule: 'MQTT-2.3.1-1' });
  });

  it('closes on an UNSUBSCRIBE without topics (MQTT-3.10.3-2) and a SUBSCRIBE without filters (MQTT-3.8.3-3)', () => {
    expect(connected().feed(packet(0xa2, Buffer.from([0, 1])))).toMatchObject({ rule: 'MQTT-3.10.3-2' });
    expect(connected().feed(packet(0x82, Buffer.from([0, 1])))).toMatchObject({ rule: 'MQTT-3.8.3-3' });
  });

  it('closes on ill-formed UTF-8 in a topic filter', () => {
    expect(connected().feed(packet(0x82, Buffer.concat([Buffer.from([0, 1]), field(Buffer.from([0xfe])), Buffer.from([1])])))).toMatchObject({ rule: 'MQTT-1.5.3-1' });
    expect(connected().feed(packet(0xa2, Buffer.concat([Buffer.from([0, 1]), field(Buffer.from([0x61, 0x00]))])))).toMatchObject({ rule: 'MQTT-1.5.3-2' });
  });

  it('passes a valid SUBSCRIBE and UNSUBSCRIBE', () => {
    const g = connected();
    expect(g.feed(packet(0x82, Buffer.concat([Buffer.from([0, 1]), field('devices/d/down'), Buffer.from([1])])))).toBeUndefined();
    expect(g.feed(packet(0xa2, Buffer.concat([Buffer.from([0, 2]), field('devices/d/down')])))).toBeUndefined();
  });
});
