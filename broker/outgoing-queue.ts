// One persistent client's queue of outgoing QoS > 0 messages, indexed (issue 3, "Speed").
// aedes-persistence 11's memory store keeps this queue as an array and finds a message by scanning it from
// the front on every send (`outgoingUpdate`) and every PUBACK (`outgoingClearMessageId`, then `splice`):
// when the ingest's persistent session lags by a few thousand messages, each acknowledgement costs a few
// thousand steps — 30 % of the broker's CPU in a profile at 1,000 devices. Here each operation is O(1)
// with the same answers: entries in enqueue order, found by (brokerId, brokerCounter) or by message id,
// the earliest entry winning when several match, exactly as the front-to-back scan does.
// Two modes. While every queued message comes from one broker with increasing counters and PUBACKs arrive
// for the oldest message (the ingest's session in steady state), no index is kept: a message is found by
// binary search on its counter and acknowledged at the front — each indexed message cost four Map
// insertions and deletions, ≈ 10 % of the broker's CPU at 1,000 devices × QoS 1. The first operation outside
// that pattern builds the indexes once (O(n)); the queue keeps them until it is empty again.

export interface OutgoingPacket {
  brokerId?: string | undefined;
  brokerCounter?: number | undefined;
  messageId?: number | undefined;
  readonly [key: string]: unknown;
}

// Fields written after construction are assigned in the constructor, not by initializers or object literals: with
// ES2022 class fields a declared field is defined (undefined) and then assigned, so V8 tracks it as mutable from the
// first instance. A field V8 still tracks as constant when it is first reassigned (`removed` at the first PUBACK,
// `entries` when the queue first empties, `indexed`…) throws away all optimized code that relied on it —
// broker/memory-persistence.ts's `enqueueHeld` and the ingest's delivery were compiled 4–5 times in a pipeline run
// ("code dependencies" deoptimizations; docs/benchmarks.md, "Broker and ingest warm-up: deoptimizations").
class Entry<P> {
  packet: P;
  /** Enqueue order. */
  readonly seq: number;
  removed: boolean;

  constructor(packet: P, seq: number) {
    this.packet = packet;
    this.seq = seq;
    this.removed = false;
  }
}

/** The entries under one key: one in the common case, an array when keys collide (no allocation on the hot path). */
type Slot<P> = Entry<P> | Entry<P>[];

class EntryIndex<K, P extends OutgoingPacket> {
  private readonly map = new Map<K, Slot<P>>();

  add(key: K, entry: Entry<P>): void {
    const slot = this.map.get(key);
    if (slot === undefined) this.map.set(key, entry);
    else if (Array.isArray(slot)) slot.push(entry);
    else this.map.set(key, [slot, entry]);
  }

  remove(key: K, entry: Entry<P>): void {
    const slot = this.map.get(key);
    if (slot === entry) {
      this.map.delete(key);
    } else if (Array.isArray(slot)) {
      const i = slot.indexOf(entry);
      if (i >= 0) slot.splice(i, 1);
      if (slot.length === 1) this.map.set(key, slot[0]!);
      else if (slot.length === 0) this.map.delete(key);
    }
  }

  /** The earliest entry under `key`; with `otherThan`, only among entries from another broker than that id. */
  earliest(key: K, otherThan?: { readonly brokerId?: string | undefined }): Entry<P> | undefined {
    const slot = this.map.get(key);
    if (slot === undefined) return undefined;
    if (!Array.isArray(slot)) return otherThan === undefined || slot.packet.brokerId !== otherThan.brokerId ? slot : undefined;
    let min: Entry<P> | undefined;
    for (const e of slot) if ((min === undefined || e.seq < min.seq) && (otherThan === undefined || e.packet.brokerId !== otherThan.brokerId)) min = e;
    return min;
  }
}

export class OutgoingQueue<P extends OutgoingPacket = OutgoingPacket> {
  private seq: number;
  /** Entries in enqueue order from `head` on; removed ones are skipped and dropped from the front. */
  private entries: Entry<P>[];
  private head: number;
  private count: number;
  private readonly byBroker = new Map<string | undefined, EntryIndex<number | undefined, P>>(); // brokerId → counter → entries
  private readonly byMessageId = new EntryIndex<number, P>();
  /** Entries without a message id (not yet sent); none of them lies before `scan`. */
  private unsent: number;
  private scan: number;
  /** False in the unindexed mode (see the top of the file): the maps above and `unsent`/`scan` are unused. */
  private indexed: boolean;
  /** Unindexed mode: the broker id of every entry since the queue was last empty, and the last counter. */
  private brokerId: string | undefined;
  private lastCounter: number;

  constructor() {
    // Assigned here, not initialized above: see `Entry`.
    this.seq = 0;
    this.entries = [];
    this.head = 0;
    this.count = 0;
    this.unsent = 0;
    this.scan = 0;
    this.indexed = false;
    this.brokerId = undefined;
    this.lastCounter = 0;
  }

  get size(): number {
    return this.count;
  }

  enqueue(packet: P): void {
    const entry = new Entry(packet, ++this.seq);
    if (!this.indexed) {
      const counter = packet.brokerCounter;
      const empty = this.head === this.entries.length;
      if (typeof counter !== 'number' || (!empty && (packet.brokerId !== this.brokerId || !(counter > this.lastCounter)))) {
        this.buildIndexes();
      } else {
        if (empty) this.brokerId = packet.brokerId;
        this.lastCounter = counter;
      }
    }
    this.entries.push(entry);
    this.count++;
    if (this.indexed) this.index(entry, true);
  }

  /**
   * Records the message id a packet was sent with (same broker id and counter), or replaces the entry whose
   * message id matches but comes from another broker (a PUBREL replacing its PUBLISH, QoS 2). False if none.
   */
  update(packet: P): boolean {
    if (this.count === 0) return false;
    if (!this.indexed) {
      // Every entry is from `brokerId`: one from the same broker matches by counter only, as in the scan.
      if (packet.brokerId === this.brokerId) {
        const entry = this.byCounter(packet.brokerCounter);
        if (entry === undefined) return false;
        entry.packet.messageId = packet.messageId;
        return true;
      }
      this.buildIndexes();
    }
    const sameMessage = this.byBroker.get(packet.brokerId)?.earliest(packet.brokerCounter);
    const sameId = packet.messageId === undefined ? this.firstUnsent(packet) : this.byMessageId.earliest(packet.messageId, packet);
    const entry = sameMessage === undefined ? sameId : sameId === undefined || sameMessage.seq < sameId.seq ? sameMessage : sameId;
    if (entry === undefined) return false;
    if (entry === sameMessage) {
      // Same broker id and counter: only the message id changes (the common case: a queued message is sent).
      this.unindexMessageId(entry);
      entry.packet.messageId = packet.messageId;
      this.indexMessageId(entry, false);
    } else {
      this.unindex(entry);
      entry.packet = packet; // keeps its place in the queue
      this.index(entry, false);
    }
    return true;
  }

  /**
   * `update` for the steady state only (broker/store-session-delivery.ts): in the unindexed mode, records the
   * message id a message from `brokerId` is sent with, found by its counter — what `update` does there, without
   * a packet object. False (nothing changed) in the indexed mode or when no such entry is queued: the caller then
   * leaves the message to Aedes, which calls `update`.
   */
  markSent(brokerId: string | undefined, counter: number, messageId: number): boolean {
    if (this.indexed || this.count === 0 || brokerId !== this.brokerId) return false;
    const entry = this.byCounter(counter);
    if (entry === undefined) return false;
    entry.packet.messageId = messageId;
    return true;
  }

  /**
   * Where the queued copy of a message (broker id and counter) stands: not sent yet, sent (it carries a packet
   * id), or not queued at all (acknowledged already, or never queued for this session).
   */
  sendState(brokerId: string | undefined, counter: number): 'unsent' | 'sent' | 'absent' {
    if (this.count === 0) return 'absent';
    const entry = this.indexed ? this.byBroker.get(brokerId)?.earliest(counter) : brokerId === this.brokerId ? this.byCounter(counter) : undefined;
    return entry === undefined ? 'absent' : entry.packet.messageId === undefined ? 'unsent' : 'sent';
  }

  /** Removes and returns the earliest entry with this message id. */
  clear(messageId: number | undefined): P | undefined {
    let entry: Entry<P> | undefined;
    const first = this.entries[this.head]; // never a removed entry (see below)
    if (!this.indexed && first !== undefined && messageId !== undefined && first.packet.messageId === messageId) {
      entry = first; // the earliest entry of all, so the earliest with this id
    } else {
      if (!this.indexed) this.buildIndexes();
      entry = messageId === undefined ? this.firstUnsent(undefined) : this.byMessageId.earliest(messageId);
      if (entry === undefined) return undefined;
      this.unindex(entry);
    }
    entry.removed = true;
    this.count--;
    const entries = this.entries;
    while (this.head < entries.length && entries[this.head]!.removed) this.head++;
    if (this.head === entries.length) {
      // Empty (every index entry is gone with its entry): back to the unindexed mode.
      this.entries = [];
      this.head = 0;
      this.scan = 0;
      this.indexed = false;
      this.byBroker.clear();
    } else if (this.head > 1024 && this.head * 2 > entries.length) {
      this.entries = entries.slice(this.head);
      this.scan = Math.max(0, this.scan - this.head);
      this.head = 0;
    }
    return entry.packet;
  }

  /** A snapshot in enqueue order. */
  toArray(): P[] {
    const out: P[] = [];
    for (let i = this.head; i < this.entries.length; i++) if (!this.entries[i]!.removed) out.push(this.entries[i]!.packet);
    return out;
  }

  /** Unindexed mode: the live entry with this counter (counters increase from `head` on). */
  private byCounter(counter: number | undefined): Entry<P> | undefined {
    if (typeof counter !== 'number') return undefined;
    const entries = this.entries;
    let lo = this.head;
    let hi = entries.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const e = entries[mid]!;
      const c = e.packet.brokerCounter!;
      if (c === counter) return e.removed ? undefined : e;
      if (c < counter) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Leaves the unindexed mode: indexes every live entry. */
  private buildIndexes(): void {
    this.indexed = true;
    this.unsent = 0;
    this.scan = this.head;
    for (let i = this.head; i < this.entries.length; i++) if (!this.entries[i]!.removed) this.index(this.entries[i]!, true);
  }

  /** The earliest entry not yet sent; with `otherThan`, only among entries from another broker than that id. */
  private firstUnsent(otherThan: { readonly brokerId?: string | undefined } | undefined): Entry<P> | undefined {
    if (this.unsent === 0) return undefined;
    const entries = this.entries;
    let i = Math.max(this.scan, this.head);
    while (i < entries.length && (entries[i]!.removed || entries[i]!.packet.messageId !== undefined)) i++;
    this.scan = i;
    for (; i < entries.length; i++) {
      const e = entries[i]!;
      if (!e.removed && e.packet.messageId === undefined && (otherThan === undefined || e.packet.brokerId !== otherThan.brokerId)) return e;
    }
    return undefined;
  }

  /** `last`: the entry was just enqueued (so it does not lie before `scan`). */
  private index(entry: Entry<P>, last: boolean): void {
    let counters = this.byBroker.get(entry.packet.brokerId);
    if (!counters) this.byBroker.set(entry.packet.brokerId, (counters = new EntryIndex()));
    counters.add(entry.packet.brokerCounter, entry);
    this.indexMessageId(entry, last);
  }

  private unindex(entry: Entry<P>): void {
    this.byBroker.get(entry.packet.brokerId)?.remove(entry.packet.brokerCounter, entry);
    this.unindexMessageId(entry);
  }

  private indexMessageId(entry: Entry<P>, last: boolean): void {
    if (entry.packet.messageId !== undefined) {
      this.byMessageId.add(entry.packet.messageId, entry);
    } else {
      this.unsent++;
      if (!last) this.scan = this.head; // it may lie before `scan` (a message id taken back, which Aedes never does)
    }
  }

  private unindexMessageId(entry: Entry<P>): void {
    if (entry.packet.messageId !== undefined) this.byMessageId.remove(entry.packet.messageId, entry);
    else this.unsent--;
  }
}
