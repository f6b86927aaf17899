// A batch of stored readings as columns (issue 19, the ingest's CPU per message): the ingest holds every reading
// from the moment it is decoded until its batch is stored — long enough for V8's young-generation collections to
// copy each reading object (and its two boxed numbers) once or twice and promote many to the old generation.
// Copied into columns when batched, the decoder's objects die young; the numbers sit unboxed in Float64Arrays and
// the strings (device, metric, tenancy: the same few objects over and over) are pointers. A ReadingColumns is
// reused once its batch is stored (ingest/batcher.ts `release`), so its capacity is allocated once.
// `at(i)` / `toArray()` give StoredReading objects where one is needed (stores without `writeColumns`, the spool,
// the `stored` event's listeners).
import type { ReadingFlag, StoredReading } from './reading.js';

const INITIAL = 256;

export class ReadingColumns {
  private n = 0;
  deviceId: string[] = [];
  metric: string[] = [];
  fieldId: string[] = [];
  farmId: string[] = [];
  cooperativeId: string[] = [];
  flags: (readonly ReadingFlag[] | undefined)[] = [];
  ts = new Float64Array(INITIAL);
  value = new Float64Array(INITIAL);
  /** (Small integers or undefined: nothing boxed.) */
  seq: (number | undefined)[] = [];

  get length(): number {
    return this.n;
  }

  static from(batch: readonly StoredReading[]): ReadingColumns {
    const c = new ReadingColumns();
    c.addAll(batch);
    return c;
  }

  add(r: StoredReading): void {
    const i = this.n;
    if (i === this.ts.length) this.grow();
    this.deviceId[i] = r.deviceId;
    this.metric[i] = r.metric;
    this.fieldId[i] = r.fieldId;
    this.farmId[i] = r.farmId;
    this.cooperativeId[i] = r.cooperativeId;
    this.flags[i] = r.flags;
    this.ts[i] = r.ts;
    this.value[i] = r.value;
    this.seq[i] = r.seq;
    this.n = i + 1;
  }

  addAll(batch: readonly StoredReading[]): void {
    for (let i = 0; i < batch.length; i++) this.add(batch[i]!);
  }


  /** Reading i as an object (the fields in the order the decoders give them). */
  at(i: number): StoredReading {
    return {
      deviceId: this.deviceId[i]!, metric: this.metric[i]!, ts: this.ts[i]!, value: this.value[i]!, seq: this.seq[i], flags: this.flags[i],
      fieldId: this.fieldId[i]!, farmId: this.farmId[i]!, cooperativeId: this.cooperativeId[i]!,
    };
  }

  toArray(): StoredReading[] {
    const out = new Array<StoredReading>(this.n);
    for (let i = 0; i < this.n; i++) out[i] = this.at(i);
    return out;
  }

  /** Empties the batch for reuse, keeping its capacity (flags are dropped: they are the only per-reading objects). */
  clear(): void {
    this.flags.fill(undefined, 0, this.n);
    this.n = 0;
  }

  private grow(): void {
    const bigger = (a: Float64Array) => { const b = new Float64Array(a.length * 2); b.set(a); return b; };
    this.ts = bigger(this.ts);
    this.value = bigger(this.value);
  }
}

/** A batch as the ingest hands it over: columns, or (tests, the spool's replay) an array. */
export type ReadingBatch = ReadingColumns | readonly StoredReading[];

export const asColumns = (batch: ReadingBatch): ReadingColumns => (batch instanceof ReadingColumns ? batch : ReadingColumns.from(batch));
export const asArray = (batch: ReadingBatch): readonly StoredReading[] => (batch instanceof ReadingColumns ? batch.toArray() : batch);
