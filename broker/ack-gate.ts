// Holds each outgoing PUBACK until the message it acknowledges has been persisted.
// Aedes 1.2 writes the PUBACK of a QoS 1 PUBLISH *before* it stores the message for offline subscribers
// (lib/handlers/publish.js: write(PubAck) → broker.publish → enqueueOffline), so a broker killed right after
// a PUBACK loses a message the device has already deleted. With a persistence that outlives the process
// (Redis), PUBACK means "accepted ownership" (MQTT-4.3.2-2) only once Aedes' `published` hook has run.
// PUBACKs keep their order (MQTT-4.6.0-2): everything written after a held PUBACK waits behind it.
// No sockets here: broker/guarded-connection.ts passes the outgoing bytes through `write` and gets those that
// may go out through the `out` function it gives the gate (called at once while nothing is held).
// Allocation per message (issue 19, the broker's GC time; docs/benchmarks.md): a held PUBACK waits in the queue
// as its packet id alone (a small integer, stored in the array without an object of its own) and gets its 4
// bytes only when it goes out — held for as long as the ingest takes to store the message, a record and a
// Buffer per PUBACK outlived young-generation collections; and no array per write or release (an array for the
// bytes to pass on, for each of the 3–6 pieces mqtt-packet writes per packet, was 1.2 KB of the broker's
// 6–7 KB allocated per message at 1,000 devices × QoS 1).

const PUBACK_HEADER = 0x40;

const enum State { Header, Length, Body, Ack }

export class AckGate {
  /** @param out takes the bytes that may go out now, in order. */
  constructor(private readonly out: (bytes: Buffer) => void) {}

  private readonly pending = new Map<number, number>();
  /** Bytes to write, and held PUBACKs as their packet id (a number). */
  private readonly queue: (Buffer | number)[] = [];
  private state = State.Header;
  private bodyLeft = 0;
  private multiplier = 1;
  /** Bytes of the PUBACK being read (a 3.1.1 PUBACK is exactly 0x40 0x02 <packet id>), and its packet id. */
  private ackHave = 0;
  private ackId = 0;

  /** An incoming QoS 1 PUBLISH with this packet id: its PUBACK waits for `release`. */
  expect(messageId: number): void {
    this.pending.set(messageId, (this.pending.get(messageId) ?? 0) + 1);
  }

  /** The message with this packet id is persisted: what waited for it goes out. */
  release(messageId: number): void {
    const count = this.pending.get(messageId);
    if (count === undefined) return;
    if (count > 1) this.pending.set(messageId, count - 1);
    else this.pending.delete(messageId);
    this.flush();
  }

  get holding(): boolean {
    return this.queue.length > 0;
  }

  /** Frames outgoing bytes; passes on those that may go out now (the rest waits behind a held PUBACK). */
  write(chunk: Buffer): void {
    let plainStart = 0;
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case State.Header:
          // With nothing pending no PUBACK waits: frame it like any other packet (no copy).
          if (chunk[i] === PUBACK_HEADER && this.pending.size > 0) {
            if (i > plainStart) this.pass(chunk.subarray(plainStart, i));
            this.state = State.Ack;
            this.ackHave = 0;
            this.ackId = 0;
          } else {
            this.state = State.Length;
            this.bodyLeft = 0;
            this.multiplier = 1;
            i++;
          }
          break;
        case State.Length: {
          const byte = chunk[i++]!;
          this.bodyLeft += (byte & 0x7f) * this.multiplier;
          this.multiplier *= 128;
          if (!(byte & 0x80)) this.state = this.bodyLeft > 0 ? State.Body : State.Header;
          break;
        }
        case State.Body: {
          const take = Math.min(this.bodyLeft, chunk.length - i);
          i += take;
          this.bodyLeft -= take;
          if (this.bodyLeft === 0) this.state = State.Header;
          break;
        }
        case State.Ack: {
          // Bytes 0 and 1 are 0x40 0x02; 2 and 3 the packet id (big-endian).
          if (this.ackHave >= 2) this.ackId = (this.ackId << 8) | chunk[i]!;
          this.ackHave++;
          i++;
          plainStart = i;
          if (this.ackHave === 4) {
            if (this.queue.length === 0 && !this.pending.has(this.ackId)) this.out(pubAck(this.ackId));
            else this.queue.push(this.ackId);
            this.state = State.Header;
          }
          break;
        }
      }
    }
    if (this.state !== State.Ack && chunk.length > plainStart) this.pass(plainStart === 0 ? chunk : chunk.subarray(plainStart));
  }

  /**
   * A PUBACK written as its packet id (broker/device-publish.ts), exactly as `write` treats its 4 bytes: held while
   * its message or an earlier held PUBACK waits, else out now.
   */
  acknowledge(messageId: number): void {
    if (this.state !== State.Header) {
      this.write(pubAck(messageId)); // between a packet's pieces (not the case with mqtt-packet): frame it
      return;
    }
    if (this.pending.size === 0) this.pass(pubAck(messageId));
    else if (this.queue.length === 0 && !this.pending.has(messageId)) this.out(pubAck(messageId));
    else this.queue.push(messageId);
  }

  /** Bytes that are not a held PUBACK: out now, unless something waits before them. */
  private pass(bytes: Buffer): void {
    if (this.queue.length === 0) this.out(bytes);
    else this.queue.push(bytes);
  }

  private flush(): void {
    const queue = this.queue;
    while (queue.length > 0) {
      const head = queue[0]!;
      if (typeof head === 'number') {
        if (this.pending.has(head)) break;
        queue.shift();
        this.out(pubAck(head));
      } else {
        queue.shift();
        this.out(head);
      }
    }
  }
}

/** The 4 bytes of a PUBACK (§3.4). */
export function pubAck(messageId: number): Buffer {
  const bytes = Buffer.allocUnsafe(4);
  bytes[0] = PUBACK_HEADER;
  bytes[1] = 2;
  bytes[2] = messageId >> 8;
  bytes[3] = messageId & 0xff;
  return bytes;
}
