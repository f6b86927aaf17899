// Aedes gives every client an mqtt-packet parser whose byte buffer is a `bl` BufferListStream — a full
// Duplex stream (two stream states, listeners) that the parser only ever uses as a list of buffers
// (append, consume, length, slice, read*). `bl`'s plain BufferList has the same methods without the stream:
// swapping it in saves ≈ 0.7 KB of heap per connection (issue 3, memory per device; docs/benchmarks.md).
// Resolved from mqtt-packet's own location, so it is the `bl` that mqtt-packet itself uses.
import { createRequire } from 'node:module';

interface ByteList { readonly length: number; append(buf: Buffer): unknown }
type ByteListClass = new () => ByteList;

const requireHere = createRequire(import.meta.url);
const BufferList = (createRequire(requireHere.resolve('mqtt-packet'))('bl') as { BufferList: ByteListClass }).BufferList;

/** Replaces the Aedes client's parser buffer by a plain BufferList while it is still empty (right after `handle`). */
export function slimParser(client: unknown): void {
  const parser = (client as { _parser?: { _list?: ByteList } } | undefined)?._parser;
  if (parser?._list && parser._list.length === 0 && !(parser._list instanceof BufferList)) parser._list = new BufferList();
}
