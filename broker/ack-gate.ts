// Holds each outgoing PUBACK until the message it acknowledges has been persisted.
// Aedes 1.2 writes the PUBACK of a QoS 1 PUBLISH *before* it stores the message for offline subscribers
// (lib/handlers/publish.js: write(PubAck) → broker.publish → enqueueOffline), so a broker killed right after
// a PUBACK loses a message the device has already deleted. With a persistence that outlives the process
// (Redis), PUBACK means "accepted ownership" (MQTT-4.3.2-2) only once Aedes' `published` hook has run.
// PUBACKs keep their order (MQTT-4.6.0-2): everything written after a held PUBACK waits behind it.
// No sockets here: broker/guarded-connection.ts passes the outgoing bytes through `write`.

const PUBACK_HEADER = 0x40;

const enum State { Header, Length, Body, Ack }

interface HeldAck {
  readonly messageId: number;
  readonly bytes: Buffer;
}

export class AckGate {
  private readonly pending = new Map<number, number>();
  private readonly queue: (Buffer | HeldAck)[] = [];
  private state = State.Header;
  private bodyLeft = 0;
  private multiplier = 1;
  private ack: Buffer | undefined;
  private ackHave = 0;

  /** An incoming QoS 1 PUBLISH with this packet id: its PUBACK waits for `release`. */
  expect(messageId: number): void {
    this.pending.set(messageId, (this.pending.get(messageId) ?? 0) + 1);
  }

  /** The message with this packet id is persisted; returns the bytes that may now go out. */
  release(messageId: number): Buffer[] {
    const count = this.pending.get(messageId);
    if (count === undefined) return [];
    if (count > 1) this.pending.set(messageId, count - 1);
    else this.pending.delete(messageId);
    return this.flush();
  }

  get holding(): boolean {
    return this.queue.length > 0;
  }

  /** Frames outgoing bytes; returns those that may go out now (the rest waits behind a held PUBACK). */
  write(chunk: Buffer): Buffer[] {
    let plainStart = 0;
    let i = 0;
    while (i < chunk.length) {
      switch (this.state) {
        case State.Header:
          // With nothing pending no PUBACK waits: frame it like any other packet (no copy).
          if (chunk[i] === PUBACK_HEADER && this.pending.size > 0) {
            if (i > plainStart) this.queue.push(chunk.subarray(plainStart, i));
            this.state = State.Ack;
            this.ack = Buffer.allocUnsafe(4);
            this.ackHave = 0;
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
          // A 3.1.1 PUBACK is exactly 0x40 0x02 <packet id>.
          const take = Math.min(4 - this.ackHave, chunk.length - i);
          chunk.copy(this.ack!, this.ackHave, i, i + take);
          this.ackHave += take;
          i += take;
          plainStart = i;
          if (this.ackHave === 4) {
            this.queue.push({ messageId: this.ack!.readUInt16BE(2), bytes: this.ack! });
            this.state = State.Header;
          }
          break;
        }
      }
    }
    if (this.state !== State.Ack && chunk.length > plainStart) this.queue.push(chunk.subarray(plainStart));
    return this.flush();
  }

  private flush(): Buffer[] {
    const out: Buffer[] = [];
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (Buffer.isBuffer(head)) {
        out.push(head);
      } else {
        if (this.pending.has(head.messageId)) break;
        out.push(head.bytes);
      }
      this.queue.shift();
    }
    return out;
  }
}
