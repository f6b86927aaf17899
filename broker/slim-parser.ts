// Aedes gives every client an mqtt-packet parser whose byte buffer is a `bl` BufferListStream — a full
// Duplex stream (two stream states, listeners) that the parser only ever uses as a list of buffers
// (append, consume, length, slice, read*). broker/byte-list.ts has those methods without the stream
// (≈ 0.7 KB less heap per connection, issue 3, memory per device; docs/benchmarks.md) and without the
// sub-buffers `bl` cuts for every consume and every byte read (CPU per message).
import { ByteList } from './byte-list.js';

interface ByteBuffer { readonly length: number }

/** Replaces the Aedes client's parser buffer by a ByteList while it is still empty (right after `handle`). */
export function slimParser(client: unknown): void {
  const parser = (client as { _parser?: { _list?: ByteBuffer } } | undefined)?._parser;
  if (parser?._list && parser._list.length === 0 && !(parser._list instanceof ByteList)) parser._list = new ByteList();
}
