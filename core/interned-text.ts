// Strings of bytes that repeat (issue 19, the ingest's CPU per message): a device sends the same topic and the
// same metric names in every message. An interner gives the string of a byte range without making a new one
// when it has seen those bytes before: one hash and one comparison of the bytes instead of a decode and a fresh
// string (which is garbage, and which every Map lookup then hashes again). Bounded: cleared when full.

/** The string of `buf[from, to)`, decoded as UTF-8 the first time those bytes are seen. */
export type Interner = (buf: Buffer, from: number, to: number) => string;

interface Known { readonly bytes: Buffer; readonly text: string }

export function createInterner(maxEntries: number): Interner {
  const known = new Map<number, Known | Known[]>();
  let size = 0;
  return (buf, from, to) => {
    let hash = to - from;
    for (let i = from; i < to; i++) hash = (Math.imul(hash, 31) + buf[i]!) | 0;
    const hit = known.get(hash);
    if (hit !== undefined) {
      if (!Array.isArray(hit)) { if (sameBytes(hit.bytes, buf, from, to)) return hit.text; }
      else for (const k of hit) if (sameBytes(k.bytes, buf, from, to)) return k.text;
    }
    if (size >= maxEntries) { known.clear(); size = 0; }
    const entry: Known = { bytes: Buffer.from(buf.subarray(from, to)), text: buf.toString('utf8', from, to) };
    const now = known.get(hash);
    known.set(hash, now === undefined ? entry : Array.isArray(now) ? [...now, entry] : [now, entry]);
    size++;
    return entry.text;
  };
}

function sameBytes(a: Buffer, buf: Buffer, from: number, to: number): boolean {
  if (a.length !== to - from) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== buf[from + i]) return false;
  return true;
}
