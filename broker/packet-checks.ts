// Checks of MQTT 3.1.1 packet bodies on their raw bytes, before Aedes and mqtt-packet see them:
// mqtt-packet decodes strings with Buffer#toString (ill-formed UTF-8 silently becomes U+FFFD), ignores
// bytes left over after a CONNECT's last field, accepts a password without a username and an UNSUBSCRIBE
// without topics. Each check cites the normative statement it enforces.
import { isUtf8 } from 'node:buffer';

/** Why a connection is closed (or refused with a CONNACK return code first). */
export type Verdict =
  | { readonly kind: 'protocol'; readonly rule: string; readonly reason: string; readonly connack?: number }
  | { readonly kind: 'limit'; readonly limit: LimitName; readonly reason: string; readonly connack?: number };

export type LimitName = 'packet_size' | 'keepalive' | 'connect_rate' | 'publish_rate' | 'connect_timeout' | 'drain_timeout';

export interface ConnectInfo {
  readonly protocolLevel: number;
  readonly clientId: string;
  readonly clean: boolean;
  readonly keepalive: number;
  readonly username: string | undefined;
  readonly will: { readonly topic: string; readonly qos: number; readonly retain: boolean } | undefined;
}

export const CONNACK_UNACCEPTABLE_PROTOCOL = 0x01;
export const CONNACK_IDENTIFIER_REJECTED = 0x02;

export function protocolError(rule: string, reason: string, connack?: number): Verdict {
  return connack === undefined ? { kind: 'protocol', rule, reason } : { kind: 'protocol', rule, reason, connack };
}

/** A UTF-8 encoded string field: well-formed (MQTT-1.5.3-1) and without U+0000 (MQTT-1.5.3-2). */
export function checkString(bytes: Buffer, what: string): Verdict | undefined {
  if (!isUtf8(bytes)) return protocolError('MQTT-1.5.3-1', `${what} is not well-formed UTF-8`);
  if (bytes.includes(0)) return protocolError('MQTT-1.5.3-2', `${what} contains U+0000`);
  return undefined;
}

/** A topic name (PUBLISH, will): a valid string, at least one character (MQTT-4.7.3-1), no wildcards (MQTT-3.3.2-2). */
export function checkTopicName(bytes: Buffer, what: string): Verdict | undefined {
  return checkTopicRange(bytes, 0, bytes.length, what);
}

/** checkTopicName on buf[start, end) without copying: one pass, and a UTF-8 validation only for non-ASCII. */
export function checkTopicRange(buf: Buffer, start: number, end: number, what: string): Verdict | undefined {
  if (end === start) return protocolError('MQTT-4.7.3-1', `${what} is empty`);
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i]!;
    if (b === 0x23 || b === 0x2b) return protocolError('MQTT-3.3.2-2', `${what} contains a wildcard`);
    if (b === 0) return protocolError('MQTT-1.5.3-2', `${what} contains U+0000`);
    if (b >= 0x80) ascii = false;
  }
  if (!ascii && !isUtf8(buf.subarray(start, end))) return protocolError('MQTT-1.5.3-1', `${what} is not well-formed UTF-8`);
  return undefined;
}

/** Reads length-prefixed fields (MQTT 3.1.1 §1.5.3) from a packet body; undefined when the body ends early. */
class FieldReader {
  pos = 0;
  constructor(readonly body: Buffer) {}
  field(): Buffer | undefined {
    if (this.pos + 2 > this.body.length) return undefined;
    const length = this.body.readUInt16BE(this.pos);
    if (this.pos + 2 + length > this.body.length) return undefined;
    const value = this.body.subarray(this.pos + 2, this.pos + 2 + length);
    this.pos += 2 + length;
    return value;
  }
  get done(): boolean {
    return this.pos === this.body.length;
  }
}

const CONNECT_FLAGS = { username: 0x80, password: 0x40, willRetain: 0x20, willQos: 0x18, will: 0x04, clean: 0x02, reserved: 0x01 } as const;

function checkConnectFlags(flags: number): Verdict | undefined {
  if (flags & CONNECT_FLAGS.reserved) return protocolError('MQTT-3.1.2-3', 'reserved connect flag is set');
  const willQos = (flags & CONNECT_FLAGS.willQos) >> 3;
  if (!(flags & CONNECT_FLAGS.will) && (willQos !== 0 || flags & CONNECT_FLAGS.willRetain)) {
    return protocolError('MQTT-3.1.2-11', 'will QoS or will retain set without the will flag'); // also -13, -15
  }
  if (willQos === 3) return protocolError('MQTT-3.1.2-14', 'will QoS is 3');
  if (flags & CONNECT_FLAGS.password && !(flags & CONNECT_FLAGS.username)) {
    return protocolError('MQTT-3.1.2-22', 'password flag set without the user name flag');
  }
  return undefined;
}

/**
 * Validates a whole CONNECT body (MQTT 3.1.1 §3.1). A malformed CONNECT closes the connection without a
 * CONNACK (MQTT-3.1.4-1); an unsupported protocol level gets CONNACK 0x01 first (MQTT-3.1.2-2); an empty
 * client id with CleanSession = 0 gets CONNACK 0x02 first (MQTT-3.1.3-8). Every keepalive is accepted,
 * 0 included (§3.1.2.10): the server enforces its own limit instead (broker/mqtt311.ts).
 */
export function checkConnect(body: Buffer): { verdict: Verdict } | { info: ConnectInfo } {
  const r = new FieldReader(body);
  const name = r.field();
  if (!name) return { verdict: protocolError('MQTT-3.1.4-1', 'CONNECT ends inside the protocol name') };
  const protocol = name.toString('latin1');
  if (protocol !== 'MQTT' && protocol !== 'MQIsdp') return { verdict: protocolError('MQTT-3.1.2-1', 'unknown protocol name') };
  if (r.pos + 4 > body.length) return { verdict: protocolError('MQTT-3.1.4-1', 'CONNECT ends inside the variable header') };
  const level = body[r.pos]!;
  // 3.1.1 is level 4 named "MQTT"; MQTT 3.1 (level 3, "MQIsdp") is still spoken by old firmware and Aedes.
  if (!((level === 4 && protocol === 'MQTT') || (level === 3 && protocol === 'MQIsdp'))) {
    return { verdict: protocolError('MQTT-3.1.2-2', `unsupported protocol level ${level}`, CONNACK_UNACCEPTABLE_PROTOCOL) };
  }
  const flags = body[r.pos + 1]!;
  const keepalive = body.readUInt16BE(r.pos + 2);
  r.pos += 4;
  const flagsVerdict = checkConnectFlags(flags);
  if (flagsVerdict) return { verdict: flagsVerdict };

  const clientId = r.field();
  if (!clientId) return { verdict: protocolError('MQTT-3.1.4-1', 'CONNECT ends inside the client id') };
  const idVerdict = checkString(clientId, 'client id'); // MQTT-3.1.3-4
  if (idVerdict) return { verdict: idVerdict };
  let will: ConnectInfo['will'];
  if (flags & CONNECT_FLAGS.will) {
    const topic = r.field();
    const message = topic && r.field();
    if (!topic || !message) return { verdict: protocolError('MQTT-3.1.2-9', 'will flag set but will topic or message missing') };
    const topicVerdict = checkTopicName(topic, 'will topic');
    if (topicVerdict) return { verdict: topicVerdict };
    will = { topic: topic.toString('utf8'), qos: (flags & CONNECT_FLAGS.willQos) >> 3, retain: (flags & CONNECT_FLAGS.willRetain) !== 0 };
  }
  let username: string | undefined;
  if (flags & CONNECT_FLAGS.username) {
    const user = r.field();
    if (!user) return { verdict: protocolError('MQTT-3.1.2-19', 'user name flag set but no user name') };
    const userVerdict = checkString(user, 'user name');
    if (userVerdict) return { verdict: userVerdict };
    username = user.toString('utf8');
  }
  if (flags & CONNECT_FLAGS.password && !r.field()) return { verdict: protocolError('MQTT-3.1.2-21', 'password flag set but no password') };
  // Bytes after the last flagged field: a user name or password sent without its flag (MQTT-3.1.2-18, -20).
  if (!r.done) return { verdict: protocolError('MQTT-3.1.2-18', 'bytes after the last field the flags announce (user name or password without its flag)') };

  const clean = (flags & CONNECT_FLAGS.clean) !== 0;
  if (clientId.length === 0 && !clean) {
    return { verdict: protocolError('MQTT-3.1.3-8', 'empty client id with CleanSession = 0', CONNACK_IDENTIFIER_REJECTED) };
  }
  return { info: { protocolLevel: level, clientId: clientId.toString('utf8'), clean, keepalive, username, will } };
}

/** SUBSCRIBE (§3.8) and UNSUBSCRIBE (§3.10) bodies: a non-zero packet id, then at least one valid filter. */
export function checkSubscription(body: Buffer, unsubscribe: boolean): Verdict | undefined {
  const what = unsubscribe ? 'UNSUBSCRIBE' : 'SUBSCRIBE';
  if (body.length < 2) return protocolError('MQTT-2.3.1-1', `${what} without a packet identifier`);
  if (body.readUInt16BE(0) === 0) return protocolError('MQTT-2.3.1-1', `${what} packet identifier is 0`);
  const r = new FieldReader(body);
  r.pos = 2;
  if (r.done) return protocolError(unsubscribe ? 'MQTT-3.10.3-2' : 'MQTT-3.8.3-3', `${what} without a topic filter`);
  while (!r.done) {
    const filter = r.field();
    if (!filter) return protocolError('MQTT-3.1.4-1', `${what} ends inside a topic filter`);
    if (filter.length === 0) return protocolError('MQTT-4.7.3-1', `${what} with an empty topic filter`);
    const verdict = checkString(filter, 'topic filter');
    if (verdict) return verdict;
    if (!unsubscribe) {
      if (r.pos >= body.length) return protocolError('MQTT-3.8.3-1', 'SUBSCRIBE filter without its requested QoS');
      if (body[r.pos]! > 2) return protocolError('MQTT-3.8.3-4', 'SUBSCRIBE requested QoS byte is invalid');
      r.pos += 1;
    }
  }
  return undefined;
}
