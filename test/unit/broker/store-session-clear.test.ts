// broker/memory-persistence.ts `outgoingClearMessageId`: a copy queued for the ingest's session (the reading a
// device waits for its PUBACK on, broker/store-acks.ts) is cleared only by a packet id the session acknowledged.
// Aedes also calls it without a packet id, for a message its dedupe drops (aedes/lib/client.js deliverQoS); the
// memory store's scan then clears the session's earliest unsent message, which would release that device's PUBACK
// for a reading nobody stored. Other sessions keep aedes-persistence's behaviour.
import type { Client } from 'aedes';
import { describe, expect, it } from 'vitest';
import { createMemoryPersistence, indexedStoreOf } from '../../../broker/memory-persistence.js';
import type { AckHold } from '../../../broker/store-acks.js';

const INGEST = 'ruong-ingest';

async function storeWithQueuedReading() {
  const store = indexedStoreOf(createMemoryPersistence())!;
  await store.createStoreSessions([{ clientId: INGEST, filters: ['devices/+/up'] }]);
  const released: AckHold[] = [];
  store.onStored = (hold) => released.push(hold);
  const publisher = { id: 'probe-12' } as unknown as Client;
  const packet = { cmd: 'publish', topic: 'devices/probe-12/up', payload: Buffer.from('{}'), qos: 1, retain: false, brokerId: 'b', brokerCounter: 1 };
  store.enqueueHeld([{ clientId: INGEST }, { clientId: 'other-session' }], packet, publisher, 7);
  return { store, released };
}

describe('clearing a copy queued for the ingest\'s session', () => {
  it('without a packet id clears nothing and keeps the device\'s PUBACK held', async () => {
    const { store, released } = await storeWithQueuedReading();
    await expect(store.outgoingClearMessageId({ id: INGEST }, { messageId: undefined })).resolves.toBeUndefined();
    expect(store.queuedNow(INGEST)).toHaveLength(1);
    expect(released).toEqual([]);
  });

  it('with the packet id the session acknowledged clears it and releases the PUBACK', async () => {
    const { store, released } = await storeWithQueuedReading();
    expect(store.markSent(INGEST, 'b', 1, 42)).toBe(true);
    const cleared = await store.outgoingClearMessageId({ id: INGEST }, { messageId: 42 });
    expect(cleared?.brokerCounter).toBe(1);
    expect(store.queuedNow(INGEST)).toHaveLength(0);
    expect(released.map((h) => [h.publisher.id, h.messageId])).toEqual([['probe-12', 7]]);
  });

  it('another session keeps aedes-persistence\'s behaviour: no packet id clears its earliest unsent message', async () => {
    const { store } = await storeWithQueuedReading();
    const cleared = await store.outgoingClearMessageId({ id: 'other-session' }, { messageId: undefined });
    expect(cleared?.brokerCounter).toBe(1);
    expect(store.queuedNow('other-session')).toHaveLength(0);
    expect(store.queuedNow(INGEST)).toHaveLength(1);
  });
});
