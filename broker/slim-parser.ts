// What mqtt-packet keeps that a broker of many idle connections does not need (issue 3 and issue 19, memory per
// device; docs/benchmarks.md):
// - Aedes gives every client an mqtt-packet parser whose byte buffer is a `bl` BufferListStream — a full Duplex
//   stream (two stream states, listeners) that the parser only ever uses as a list of buffers (append, consume,
//   length, slice, read*). broker/byte-list.ts has those methods without the stream (≈ 0.7 KB less heap per
//   connection) and without the sub-buffers `bl` cuts for every consume and every byte read (CPU per message).
//   The parser's `_resetState` (run by its constructor and after a parse error) is replaced to make a ByteList
//   directly: replacing `bl` after Aedes built the parser still cost a BufferListStream per connection, thrown
//   away at once (≈ 2 % of a connect's CPU and its garbage, issue 19). `slimParser` stays for a parser made before.
// - The parser keeps the client's whole CONNECT packet as its `settings` (parser.js `_parseConnect`), for ever:
//   client id, username, the password Buffer and the bytes it was cut from. It reads only `protocolVersion` and
//   `bridgeMode` from it afterwards; those two are kept (a heap snapshot at 2,000 idle devices: the CONNECT and its
//   password were ≈ 0.4 KB of each connection).
// - mqtt-packet's writer fills, on the first packet it writes, a cache of 65,536 two-byte Buffers (one per
//   packet id / length value): ≈ 6.5 MB of heap for the life of the process (0.65 KB per device at 10,000),
//   to save a 2-byte Buffer.allocUnsafe per number written — negligible next to the ≈ 20 µs of broker CPU a
//   message costs. Turned off when this module loads (core/mqtt-packet-numbers.ts, as in every Ruộng process;
//   broker-service.ts imports this module before Aedes writes anything).
import { createRequire } from 'node:module';
import mqttPacket from 'mqtt-packet';
import '../core/mqtt-packet-numbers.js';
import { ByteList } from './byte-list.js';

interface ByteBuffer { readonly length: number }
interface ParserSettings { readonly protocolVersion?: number; readonly bridgeMode?: boolean }


interface ParserState { packet: unknown; error: unknown; _list: unknown; _stateCounter: number }
{
  // parser.js `_resetState`, with a ByteList for its `bl()` (mqtt-packet pinned: broker/pinned-versions.ts). Set on
  // the prototype of parser.js's class — the very file Aedes loads (mqtt-packet's `parser` export is that class's
  // static `parser`) — without making a parser first: that would call the `bl()` being replaced, and load `bl`
  // (broker/quiet-packet-debug.ts).
  const requirePacket = createRequire(createRequire(import.meta.url).resolve('mqtt-packet'));
  const Parser = requirePacket('./parser.js') as { parser: unknown; prototype: { _resetState(this: ParserState): void } };
  const PacketClass = requirePacket('./packet.js') as new () => unknown;
  if (Parser.parser !== (mqttPacket as unknown as { parser: unknown }).parser) throw new Error('broker: mqtt-packet\'s parser is not parser.js\'s class (broker/slim-parser.ts)');
  Parser.prototype._resetState = function resetState(this: ParserState): void {
    this.packet = new PacketClass();
    this.error = null;
    this._list = new ByteList();
    this._stateCounter = 0;
  };
}

/** Replaces the Aedes client's parser buffer by a ByteList while it is still empty (right after `handle`). */
export function slimParser(client: unknown): void {
  const parser = (client as { _parser?: { _list?: ByteBuffer } } | undefined)?._parser;
  if (parser?._list && parser._list.length === 0 && !(parser._list instanceof ByteList)) parser._list = new ByteList();
}

/** Once the CONNECT is parsed (Aedes' preConnect): the parser keeps of it only what it reads later. */
export function forgetConnectPacket(client: unknown, connect: ParserSettings): void {
  const parser = (client as { _parser?: { settings?: ParserSettings } } | undefined)?._parser;
  if (parser?.settings === connect) parser.settings = { protocolVersion: connect.protocolVersion, bridgeMode: connect.bridgeMode };
}
