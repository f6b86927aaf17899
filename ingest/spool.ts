// The local spool (issue 4): while the store is down, batches are appended to segment files under
// DATA_DIR/spool and fsynced before their messages are acknowledged; they are replayed oldest first when
// the store returns, and a restarted ingest finds them here.
// - Frame: u32 payload length, u32 CRC-32 of the payload, payload (the batch as JSON), little-endian.
//   A frame cut short by a crash at the end of a segment is cut off by open() (that batch was never fsynced,
//   so never acknowledged — the broker redelivers its messages). A damaged frame inside a segment is skipped:
//   decoding resumes at the next intact frame, so acknowledged batches behind it are never dropped.
// - A short write (issue 14: fewer bytes written than the frame, e.g. a nearly full disk) or a failed write
//   is an error like a full spool (the batch stays unacknowledged); the segment is cut back to its last
//   whole frame, or, if that fails, closed so that nothing is ever appended behind a short frame.
// - Segments are named by a rising number; appends go to the newest, which is closed once it passes
//   segmentBytes or when the replay reaches it, so a segment being read is never written.
// - Bounded: an append that would pass maxBytes is refused (SPOOL_FULL → the batch is retried and its
//   messages stay unacknowledged: backpressure, not unbounded memory).
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { RuongError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { StoredReading } from '../core/telemetry/reading.js';

const HEADER = 8;
const SUFFIX = '.spool';

export interface SpoolOptions {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes?: number;
  readonly log: Logger;
  /** Called whenever the spool's size changes. */
  readonly onSize?: (bytes: number) => void;
  /** Opens a segment for appending (tests inject short writes); default: fs.promises open(path, 'a'). */
  readonly openSegment?: (path: string) => Promise<SegmentFile>;
}

/** What the spool needs of an open segment (a subset of fs.promises FileHandle). */
export interface SegmentFile {
  write(buffer: Buffer): Promise<{ bytesWritten: number }>;
  datasync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export interface SpoolSegment {
  readonly name: string;
  readonly batches: StoredReading[][];
}

export interface Spool {
  open(): Promise<void>;
  /** Appends and fsyncs one batch; rejects with STORE_UNAVAILABLE ("spool full") past maxBytes. */
  append(batch: readonly StoredReading[]): Promise<void>;
  /** The oldest segment's batches (closing the segment being appended to if it is the only one). */
  oldest(): Promise<SpoolSegment | undefined>;
  remove(name: string): Promise<void>;
  bytes(): number;
  isEmpty(): boolean;
  close(): Promise<void>;
}

export function shortWrite(written: number, expected: number): RuongError {
  return new RuongError('STORE_UNAVAILABLE', `spool write was short (${written} of ${expected} bytes): not acknowledging`);
}

export function spoolFull(): RuongError {
  return new RuongError('STORE_UNAVAILABLE', 'spool is full: not acknowledging until the store accepts writes again');
}

export function encodeFrame(batch: readonly StoredReading[]): Buffer {
  const payload = Buffer.from(JSON.stringify(batch), 'utf8');
  const frame = Buffer.allocUnsafe(HEADER + payload.length);
  frame.writeUInt32LE(payload.length, 0);
  frame.writeUInt32LE(crc32(payload), 4);
  payload.copy(frame, HEADER);
  return frame;
}

const MIN_PAYLOAD = 2; // "[]"
const OPEN_BRACKET = 0x5b; // a payload is a JSON array

/** The batch of an intact frame at `at`, or undefined. */
function frameAt(buf: Buffer, at: number): { batch: StoredReading[]; end: number } | undefined {
  if (at + HEADER > buf.length) return undefined;
  const length = buf.readUInt32LE(at);
  const end = at + HEADER + length;
  if (length < MIN_PAYLOAD || end > buf.length || buf[at + HEADER] !== OPEN_BRACKET) return undefined;
  const payload = buf.subarray(at + HEADER, end);
  if (crc32(payload) !== buf.readUInt32LE(at + 4)) return undefined;
  try {
    return { batch: JSON.parse(payload.toString('utf8')) as StoredReading[], end };
  } catch {
    return undefined;
  }
}

/**
 * Decodes the frames of a segment. A damaged frame is skipped by searching for the next intact one (length,
 * CRC-32 and JSON all agree), so acknowledged batches behind it survive; `validBytes` is where the last
 * intact frame ends (what follows is a torn tail), `skippedBytes` how much damage was passed over.
 */
export function decodeFrames(buf: Buffer): { batches: StoredReading[][]; validBytes: number; skippedBytes: number } {
  const batches: StoredReading[][] = [];
  let at = 0;
  let validBytes = 0;
  let skippedBytes = 0;
  while (at + HEADER <= buf.length) {
    const frame = frameAt(buf, at);
    if (!frame) { at++; continue; }
    skippedBytes += at - validBytes;
    batches.push(frame.batch);
    at = validBytes = frame.end;
  }
  return { batches, validBytes, skippedBytes };
}

const defaultOpen = (path: string): Promise<SegmentFile> => open(path, 'a');

export function createSpool(opts: SpoolOptions): Spool {
  const segmentBytes = opts.segmentBytes ?? 16 * 1024 * 1024;
  const sizes = new Map<string, number>(); // segment name → bytes, in name order
  let total = 0;
  const openSegment = opts.openSegment ?? defaultOpen;
  let active: { name: string; fh: SegmentFile } | undefined;
  let nextNumber = 1;
  // append, oldest and remove run one at a time: a segment is never read or deleted mid-append.
  let lock: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = lock.then(fn, fn);
    lock = next.catch(() => undefined);
    return next;
  };

  const nameOf = (n: number) => `${String(n).padStart(12, '0')}${SUFFIX}`;
  const setTotal = (bytes: number) => { total = bytes; opts.onSize?.(total); };

  function syncDir(): void {
    // A new file's directory entry must be durable too, or a power cut can lose the whole segment.
    const fd = openSync(opts.dir, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  }

  async function closeActive(): Promise<void> {
    const a = active;
    active = undefined;
    await a?.fh.close();
  }

  /** After a failed append: back to the segment's last whole frame, or closed so nothing follows the damage. */
  async function cutBack(a: { name: string; fh: SegmentFile }): Promise<void> {
    try {
      await a.fh.truncate(sizes.get(a.name) ?? 0);
      await a.fh.datasync();
    } catch (err) {
      opts.log.error({ err, segment: a.name }, 'spool segment could not be cut back after a failed write; closing it');
      if (active === a) await closeActive().catch(() => undefined);
    }
  }

  return {
    async open() {
      await mkdir(opts.dir, { recursive: true });
      const names = (await readdir(opts.dir)).filter((n) => n.endsWith(SUFFIX)).sort();
      let bytes = 0;
      for (const name of names) {
        const path = join(opts.dir, name);
        const { validBytes, batches, skippedBytes } = decodeFrames(await readFile(path));
        const size = (await stat(path)).size;
        if (skippedBytes > 0) opts.log.error({ segment: name, skippedBytes }, 'spool segment has a damaged frame; skipped it, kept the batches behind it');
        if (validBytes < size) {
          opts.log.warn({ segment: name, size, validBytes }, 'spool segment ends in a torn frame; truncated');
          await truncate(path, validBytes);
        }
        if (batches.length === 0) {
          await rm(path, { force: true });
          continue;
        }
        sizes.set(name, validBytes);
        bytes += validBytes;
      }
      const last = names[names.length - 1];
      nextNumber = last ? Number.parseInt(last, 10) + 1 : 1;
      setTotal(bytes);
      if (sizes.size > 0) opts.log.warn({ segments: sizes.size, bytes }, 'spool holds batches from before; replaying them first');
    },

    append: (batch) => serial(async () => {
      const frame = encodeFrame(batch);
      if (total + frame.length > opts.maxBytes) throw spoolFull();
      if (!active || (sizes.get(active.name) ?? 0) >= segmentBytes) {
        await closeActive();
        const name = nameOf(nextNumber++);
        active = { name, fh: await openSegment(join(opts.dir, name)) };
        sizes.set(name, 0);
        syncDir();
      }
      const a = active;
      try {
        const { bytesWritten } = await a.fh.write(frame);
        if (bytesWritten !== frame.length) throw shortWrite(bytesWritten, frame.length);
        await a.fh.datasync();
      } catch (err) {
        await cutBack(a);
        throw err;
      }
      sizes.set(a.name, (sizes.get(a.name) ?? 0) + frame.length);
      setTotal(total + frame.length);
    }),

    oldest: () => serial(async (): Promise<SpoolSegment | undefined> => {
      const name = sizes.keys().next().value;
      if (name === undefined) return undefined;
      if (active?.name === name) await closeActive();
      const { batches } = decodeFrames(await readFile(join(opts.dir, name)));
      return { name, batches };
    }),

    remove: (name) => serial(async () => {
      if (active?.name === name) await closeActive();
      await rm(join(opts.dir, name), { force: true });
      const size = sizes.get(name) ?? 0;
      sizes.delete(name);
      setTotal(total - size);
    }),

    bytes: () => total,
    isEmpty: () => sizes.size === 0,
    close: () => serial(closeActive),
  };
}
