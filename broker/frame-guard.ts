// An incremental MQTT 3.1.1 framer over the bytes a client sends, run before Aedes buffers or parses them.
// It reads each fixed header, so a packet larger than the limit closes the connection as soon as its
// Remaining Length arrives (Aedes has no packet size limit: it buffers whatever the header announces).
// It keeps only the bytes it inspects (a CONNECT, SUBSCRIBE or UNSUBSCRIBE body, a PUBLISH topic), never
// a PUBLISH payload. No sockets here: broker/guarded-connection.ts feeds it.
import { checkConnect, checkSubscription, checkTopicName, checkTopicRange, protocolError, type ConnectInfo, type Verdict } from './packet-checks.js';

const CONNECT = 1;
const PUBLISH = 3;
const SUBSCRIBE = 8;
const UNSUBSCRIBE = 10;

const enum State { Header, Length, Body }
const enum Inspect { None, Whole, TopicLength, TopicAndId }

export interface FrameGuardOptions {
  readonly maxPacketBytes: number;
}

/** Called for each complete PUBLISH header; a verdict closes the connection (e.g. a rate limit). */
export type PublishHook = (qos: number, messageId: number) => Verdict | undefined;

export class FrameGuard {
  /** The client's CONNECT once it has been validated. */
  connect: ConnectInfo | undefined;
  onPublish: PublishHook | undefined;
  /** QoS 1 PUBLISH headers seen since the owner last cleared this (broker/read-pause.ts: Aedes acknowledges these
   *  before delivering them, so their senders run ahead of delivery). */
  qos1Publishes = 0;

  private state = State.Header;
  private type = 0;
  private flags = 0;
  private remaining = 0;
  private multiplier = 1;
  private lengthBytes = 0;
  private bodyLeft = 0;
  private inspect = Inspect.None;
  private need = 0;
  private have = 0;
  private piece: Buffer | undefined;
  private sawConnect = false;

  constructor(private readonly opts: FrameGuardOptions) {}

  /** Inspects the next bytes from the client; a verdict means: close (bytes after it must not be fed). */
  feed(chunk: Buffer): Verdict | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === State.Header) {
        const verdict = this.header(chunk[i++]!);
        if (verdict) return verdict;
      } else if (this.state === State.Length) {
        const verdict = this.length(chunk[i++]!);
        if (verdict) return verdict;
      } else {
        const available = Math.min(this.bodyLeft, chunk.length - i);
        if (this.inspect === Inspect.TopicLength && available >= 2) {
          // Fast path: the PUBLISH topic (and packet id) lie in this chunk — check them in place, no copy.
          const verdict = this.publishInPlace(chunk, i, available);
          if (verdict !== false) {
            if (verdict) return verdict;
            i += available;
            this.bodyLeft -= available;
            if (this.bodyLeft === 0) this.state = State.Header;
            continue;
          }
        }
        if (this.inspect === Inspect.None) {
          i += available;
          this.bodyLeft -= available;
        } else {
          const take = Math.min(this.need - this.have, available);
          this.collect(chunk, i, take);
          i += take;
          this.bodyLeft -= take;
          if (this.have === this.need) {
            const verdict = this.inspected();
            if (verdict) return verdict;
          }
        }
        if (this.bodyLeft === 0) {
          if (this.inspect !== Inspect.None) return protocolError('MQTT-3.1.4-1', 'packet ends before its fields');
          this.state = State.Header;
        }
      }
    }
    return undefined;
  }

  private header(byte: number): Verdict | undefined {
    this.type = byte >> 4;
    this.flags = byte & 0x0f;
    if (!this.sawConnect && this.type !== CONNECT) return protocolError('MQTT-3.1.0-1', 'first packet is not CONNECT');
    if (this.sawConnect && this.type === CONNECT) return protocolError('MQTT-3.1.0-2', 'second CONNECT');
    this.sawConnect = true;
    this.state = State.Length;
    this.remaining = 0;
    this.multiplier = 1;
    this.lengthBytes = 0;
    return undefined;
  }

  private length(byte: number): Verdict | undefined {
    this.lengthBytes++;
    this.remaining += (byte & 0x7f) * this.multiplier;
    this.multiplier *= 128;
    if (byte & 0x80) {
      // The Remaining Length takes at most four bytes (MQTT 3.1.1 §2.2.3).
      return this.lengthBytes === 4 ? protocolError('MQTT-2.2.3', 'remaining length longer than four bytes') : undefined;
    }
    const size = 1 + this.lengthBytes + this.remaining;
    if (size > this.opts.maxPacketBytes) {
      return { kind: 'limit', limit: 'packet_size', reason: `packet of ${size} bytes announced, limit ${this.opts.maxPacketBytes}` };
    }
    return this.startBody();
  }

  private startBody(): Verdict | undefined {
    this.bodyLeft = this.remaining;
    this.have = 0;
    this.piece = undefined;
    if (this.type === CONNECT || this.type === SUBSCRIBE || this.type === UNSUBSCRIBE) {
      this.inspect = Inspect.Whole;
      this.need = this.remaining;
    } else if (this.type === PUBLISH) {
      this.inspect = Inspect.TopicLength;
      this.need = 2;
    } else {
      this.inspect = Inspect.None;
    }
    if (this.remaining > 0) {
      this.state = State.Body;
      return undefined;
    }
    // An empty body: only packets with nothing to inspect may have one.
    this.state = State.Header;
    return this.inspect === Inspect.None ? undefined : this.inspected();
  }

  /** Appends `take` bytes from chunk[at]; zero-copy when the whole piece lies in one chunk. */
  private collect(chunk: Buffer, at: number, take: number): void {
    if (this.have === 0 && take === this.need) {
      this.piece = chunk.subarray(at, at + take);
    } else {
      this.piece ??= Buffer.allocUnsafe(this.need);
      chunk.copy(this.piece, this.have, at, at + take);
    }
    this.have += take;
  }

  /** Runs when the bytes asked for have arrived. */
  private inspected(): Verdict | undefined {
    const piece = this.piece ?? Buffer.alloc(0);
    this.piece = undefined;
    this.have = 0;
    switch (this.inspect) {
      case Inspect.Whole:
        this.inspect = Inspect.None;
        return this.whole(piece);
      case Inspect.TopicLength: {
        if (piece.length < 2) return protocolError('MQTT-3.1.4-1', 'PUBLISH without a topic');
        const qos = (this.flags >> 1) & 0x03;
        this.need = piece.readUInt16BE(0) + (qos > 0 ? 2 : 0);
        if (this.need > this.bodyLeft) return protocolError('MQTT-3.1.4-1', 'PUBLISH topic longer than the packet');
        this.inspect = Inspect.TopicAndId;
        return this.need === 0 ? this.inspected() : undefined;
      }
      case Inspect.TopicAndId: {
        this.inspect = Inspect.None;
        return this.publish(piece);
      }
      default:
        return undefined;
    }
  }

  private whole(body: Buffer): Verdict | undefined {
    if (this.type === CONNECT) {
      const result = checkConnect(body);
      if ('verdict' in result) return result.verdict;
      this.connect = result.info;
      return undefined;
    }
    return checkSubscription(body, this.type === UNSUBSCRIBE);
  }

  /** Checks a PUBLISH whose topic and packet id are all in chunk[at, at + available); false when they are not. */
  private publishInPlace(chunk: Buffer, at: number, available: number): Verdict | undefined | false {
    const qos = (this.flags >> 1) & 0x03;
    const topicEnd = at + 2 + chunk.readUInt16BE(at);
    const idEnd = topicEnd + (qos > 0 ? 2 : 0);
    if (idEnd > at + available) return false;
    this.inspect = Inspect.None;
    if (qos === 3) return protocolError('MQTT-3.3.1-4', 'PUBLISH with both QoS bits set');
    const verdict = checkTopicRange(chunk, at + 2, topicEnd, 'topic name');
    if (verdict) return verdict;
    const messageId = qos > 0 ? chunk.readUInt16BE(topicEnd) : 0;
    if (qos > 0 && messageId === 0) return protocolError('MQTT-2.3.1-1', 'PUBLISH packet identifier is 0');
    if (qos === 1) this.qos1Publishes++;
    return this.onPublish?.(qos, messageId);
  }

  private publish(piece: Buffer): Verdict | undefined {
    const qos = (this.flags >> 1) & 0x03;
    if (qos === 3) return protocolError('MQTT-3.3.1-4', 'PUBLISH with both QoS bits set');
    const topicEnd = qos > 0 ? piece.length - 2 : piece.length;
    const verdict = checkTopicName(piece.subarray(0, topicEnd), 'topic name');
    if (verdict) return verdict;
    const messageId = qos > 0 ? piece.readUInt16BE(topicEnd) : 0;
    if (qos > 0 && messageId === 0) return protocolError('MQTT-2.3.1-1', 'PUBLISH packet identifier is 0');
    if (qos === 1) this.qos1Publishes++;
    return this.onPublish?.(qos, messageId);
  }
}
