// The native payload's common shape read straight from the received bytes (issue 19: the ingest's CPU per
// message — `toString` + `JSON.parse` + the JSON tree were a tenth of it, and their objects a good part of its
// garbage collection):
//   {"ts": <epoch ms>, "seq": <n>, "readings": {"<metric>": <number>, ...}}      (ts and seq optional, any order)
// It accepts a strict subset of what JSON.parse + parseNative (native.ts) accept and gives exactly what they
// give for it; anything else — an RFC 3339 time, a backlog array, an escape or non-ASCII byte in a name, a name
// starting with a digit (JSON.parse puts array-index names first), a number with an exponent or more than 15
// digits, a repeated name, an unknown field, invalid JSON — returns false, and the caller decodes the message
// the general way (JSON.parse + zod), so every error and its reason stay as they were.
// Why the numbers are exact: a mantissa of at most 15 digits (< 2⁵³) and 10^k (k ≤ 15) are both exact doubles,
// so m / 10^k is the correctly rounded value of the decimal — what JSON.parse gives (Clinger's fast path).
// test/unit/core/native-bytes.test.ts runs both paths over valid, malformed and fuzzed payloads.
import { createInterner } from '../../interned-text.js';
import { MAX_READINGS_PER_ENTRY } from './native.js';

/** What scanNative() read: `count` readings in payload order. Reused from message to message (no allocation). */
export interface NativeScan {
  ts: number | undefined;
  seq: number | undefined;
  count: number;
  readonly metrics: string[];
  readonly values: number[];
}

const MAX_NAME_BYTES = 64;
const MAX_DIGITS = 15;
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

const QUOTE = 0x22, COMMA = 0x2c, MINUS = 0x2d, DOT = 0x2e, COLON = 0x3a, ZERO = 0x30, NINE = 0x39;
const OPEN = 0x7b, CLOSE = 0x7d, BACKSLASH = 0x5c;

const READINGS_NAME = Buffer.from('readings"', 'latin1');

function isReadingsName(buf: Buffer, at: number): boolean {
  if (at + READINGS_NAME.length > buf.length) return false;
  for (let i = 0; i < READINGS_NAME.length; i++) if (buf[at + i] !== READINGS_NAME[i]) return false;
  return true;
}

/**
 * The offset of the first byte at or after `at` that is not JSON whitespace (space, tab, LF, CR), or the end.
 * (Never reads past the end: a typed-array read out of bounds made this loop a third of the whole scan.)
 */
function skipSpace(buf: Buffer, at: number): number {
  const end = buf.length;
  while (at < end) {
    const c = buf[at]!;
    if (c > 0x20 || (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09)) return at;
    at++;
  }
  return at;
}

export function createNativeScan(): NativeScan {
  return { ts: undefined, seq: undefined, count: 0, metrics: [], values: [] };
}

// Metric names as strings, found by their bytes (a device sends the same few names millions of times: the
// string is made once).
const nameOf = createInterner(10_000);
/** The name at each position of the last readings object read, and its bytes (ASCII). */
const lastNames: string[] = [];
const lastNameBytes: Uint8Array[] = [];

/** True when buf[from…] holds `bytes` followed by a closing quote. (Bytes to bytes: charCodeAt per character cost twice as much.) */
function isName(buf: Buffer, from: number, bytes: Uint8Array): boolean {
  const to = from + bytes.length;
  if (to >= buf.length || buf[to] !== QUOTE) return false;
  for (let i = 0; i < bytes.length; i++) if (buf[from + i] !== bytes[i]) return false;
  return true;
}

/**
 * Reads `buf` into `out`; false = not this shape (or not valid), decode it the general way. On false, `out`
 * holds garbage.
 */
export function scanNative(buf: Buffer, out: NativeScan): boolean {
  const end = buf.length;
  let at = 0;
  let c: number | undefined;
  let sawTs = false, sawSeq = false, sawReadings = false;
  out.ts = undefined;
  out.seq = undefined;
  out.count = 0;

  at = skipSpace(buf, at);
  if (at >= end || buf[at] !== OPEN) return false;
  at++;
  for (;;) {
    at = skipSpace(buf, at);
    if (at >= end || buf[at] !== QUOTE) return false;
    // one of "ts", "seq", "readings"
    let field: 1 | 2 | 3; // ts, seq, readings
    if (buf[at + 1] === 0x74 && buf[at + 2] === 0x73 && buf[at + 3] === QUOTE) { field = 1; at += 4; }
    else if (buf[at + 1] === 0x73 && buf[at + 2] === 0x65 && buf[at + 3] === 0x71 && buf[at + 4] === QUOTE) { field = 2; at += 5; }
    else if (isReadingsName(buf, at + 1)) { field = 3; at += 10; }
    else return false;
    at = skipSpace(buf, at);
    if (at >= end || buf[at] !== COLON) return false;
    at++;
    at = skipSpace(buf, at);
    if (field === 3) {
      if (sawReadings) return false;
      sawReadings = true;
      at = scanReadings(buf, at, out);
      if (at < 0) return false;
    } else {
      // a non-negative integer of at most 15 digits, no leading zero (JSON), no fraction or exponent
      const from = at;
      let n = 0;
      while (at < end && (c = buf[at]!) >= ZERO && c <= NINE) { n = n * 10 + (c - ZERO); at++; }
      const digits = at - from;
      if (digits === 0 || digits > MAX_DIGITS || (digits > 1 && buf[from] === ZERO)) return false;
      if (at < end && ((c = buf[at]!) === DOT || c === 0x65 || c === 0x45)) return false;
      if (field === 1) { if (sawTs) return false; sawTs = true; out.ts = n; }
      else { if (sawSeq) return false; sawSeq = true; out.seq = n; }
    }
    at = skipSpace(buf, at);
    if (at >= end) return false;
    if (buf[at] === COMMA) { at++; continue; }
    if (buf[at] !== CLOSE) return false;
    at++;
    break;
  }
  at = skipSpace(buf, at);
  return at === end && sawReadings;
}

/** `{"name": number, ...}` at `at` (non-empty, ≤ 64 names); the offset after its `}`, or -1. */
function scanReadings(buf: Buffer, at: number, out: NativeScan): number {
  const end = buf.length;
  let c: number | undefined;
  if (at >= end || buf[at] !== OPEN) return -1;
  at++;
  for (;;) {
    at = skipSpace(buf, at);
    if (at >= end || buf[at] !== QUOTE) return -1;
    const from = ++at;
    const n = out.count;
    // The name this position held in the last message read (a device sends the same shape every time): equal
    // bytes and a closing quote after them = that name, already checked — no scan, no lookup.
    let name = lastNames[n];
    if (name !== undefined && isName(buf, from, lastNameBytes[n]!)) {
      at = from + name.length;
    } else {
      // printable ASCII without `"` or `\`, not starting with a digit (array-index names are enumerated first)
      c = buf[at];
      if (c !== undefined && c >= ZERO && c <= NINE) return -1;
      while (at < end && (c = buf[at]!) !== QUOTE) {
        if (c < 0x20 || c >= 0x7f || c === BACKSLASH) return -1;
        at++;
      }
      if (at >= end || at === from || at - from > MAX_NAME_BYTES) return -1;
      name = nameOf(buf, from, at); // ASCII only (checked): UTF-8 = latin1
      if (n < MAX_READINGS_PER_ENTRY) { lastNames[n] = name; lastNameBytes[n] = Uint8Array.from(buf.subarray(from, at)); }
    }
    at++;
    if (n >= MAX_READINGS_PER_ENTRY) return -1;
    for (let i = 0; i < n; i++) if (out.metrics[i] === name) return -1; // a repeated name: JSON.parse keeps the last
    at = skipSpace(buf, at);
    if (at >= end || buf[at] !== COLON) return -1;
    at++;
    at = skipSpace(buf, at);
    // -?(0|[1-9][0-9]*)(\.[0-9]+)? with at most 15 digits in all
    let negative = false;
    if (at < end && buf[at] === MINUS) { negative = true; at++; }
    const intFrom = at;
    let m = 0;
    while (at < end && (c = buf[at]!) >= ZERO && c <= NINE) { m = m * 10 + (c - ZERO); at++; }
    const intDigits = at - intFrom;
    if (intDigits === 0 || (intDigits > 1 && buf[intFrom] === ZERO)) return -1;
    let fracDigits = 0;
    if (at < end && buf[at] === DOT) {
      at++;
      const fracFrom = at;
      while (at < end && (c = buf[at]!) >= ZERO && c <= NINE) { m = m * 10 + (c - ZERO); at++; }
      fracDigits = at - fracFrom;
      if (fracDigits === 0) return -1;
    }
    if (intDigits + fracDigits > MAX_DIGITS) return -1;
    if (at < end && ((c = buf[at]!) === 0x65 || c === 0x45)) return -1; // an exponent: left to JSON.parse
    const v = fracDigits === 0 ? m : m / POW10[fracDigits]!;
    out.metrics[n] = name;
    out.values[n] = negative ? -v : v;
    out.count = n + 1;
    at = skipSpace(buf, at);
    if (at >= end) return -1;
    if (buf[at] === COMMA) { at++; continue; }
    if (buf[at] !== CLOSE) return -1;
    return at + 1;
  }
}
