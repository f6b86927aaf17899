// A first-in first-out queue whose push and shift are O(1): fixed-size chunks linked in order, so no
// operation ever copies the queued items (unlike Array.prototype.shift on a large array).
const CHUNK = 1024;

interface Chunk<T> {
  readonly items: (T | undefined)[];
  next: Chunk<T> | undefined;
}

export interface Fifo<T> {
  readonly length: number;
  push(item: T): void;
  shift(): T | undefined;
}

export function createFifo<T>(): Fifo<T> {
  const newChunk = (): Chunk<T> => ({ items: new Array<T | undefined>(CHUNK), next: undefined });
  let head = newChunk();
  let tail = head;
  let readAt = 0; // next item to shift in head
  let writeAt = 0; // next free slot in tail
  let length = 0;
  return {
    get length() {
      return length;
    },
    push(item: T): void {
      if (writeAt === CHUNK) {
        tail.next = newChunk();
        tail = tail.next;
        writeAt = 0;
      }
      tail.items[writeAt++] = item;
      length++;
    },
    shift(): T | undefined {
      if (length === 0) return undefined;
      if (readAt === CHUNK) {
        head = head.next!; // length > 0, so a next chunk exists
        readAt = 0;
      }
      const item = head.items[readAt];
      head.items[readAt++] = undefined; // let the item be collected
      length--;
      if (length === 0) { // reuse the head chunk from its start
        tail = head;
        head.next = undefined;
        readAt = 0;
        writeAt = 0;
      }
      return item;
    },
  };
}
