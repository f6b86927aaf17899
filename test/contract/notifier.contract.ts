// ONE contract every notification channel passes (docs/architecture.md: "Notifier … one contract suite for
// every channel, each run against a real local peer"). Adding a channel = passing this suite.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotifierError, type NotificationMessage, type Notifier } from '../../core/alerts/notification-types.js';

/** What the peer received, reduced to what every channel carries: the idempotency key and the text. */
export interface Received {
  readonly key: string;
  readonly text: string;
}

export interface NotifierHarness {
  readonly notifier: Notifier;
  /** A distinct message; its text contains `text` (Vietnamese, with diacritics). */
  message(key: string, text: string): NotificationMessage;
  received(): Promise<Received[]>;
  /** The peer stops listening (connection refused) / listens again on the same port. */
  down(): Promise<void>;
  up(): Promise<void>;
  /** The peer accepts the connection and never answers. */
  hang(): void | Promise<void>;
  /** The peer refuses messages for good (SMTP 550, HTTP 400, ZNS error code). */
  refuse(): void;
  /** Back to accepting. */
  accept(): void;
  close(): Promise<void>;
}

const VI = 'Độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰ — không lấy nước kênh';

async function rejection(p: Promise<unknown>): Promise<NotifierError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(NotifierError);
  return err as NotifierError;
}

const signal = () => new AbortController().signal;

/**
 * `permanentRefusal`: whether the protocol can refuse one message for good. MQTT 3.1.1 cannot (no negative
 * PUBACK: a refused publish is a disconnect, which is retryable), so that case is not part of its run.
 */
export function notifierContract(name: string, create: () => Promise<NotifierHarness>, opts: { permanentRefusal: boolean }): void {
  describe(`Notifier contract: ${name}`, () => {
    let h: NotifierHarness;
    beforeEach(async () => { h = await create(); });
    afterEach(async () => { await h.notifier.close(); await h.close(); });

    it('delivers a message the peer receives once, with its idempotency key and its Vietnamese text intact', async () => {
      await h.notifier.send(h.message('contract-1', VI), signal());
      const got = await h.received();
      expect(got).toHaveLength(1);
      expect(got[0]!.key).toBe('contract-1');
      expect(got[0]!.text).toContain(VI);
    });

    it('rejects retryable while the peer is down, and delivers once it is back', async () => {
      await h.down();
      const err = await rejection(h.notifier.send(h.message('contract-2', VI), AbortSignal.timeout(8_000)));
      expect(err.retryable).toBe(true);
      await h.up();
      await h.notifier.send(h.message('contract-2', VI), AbortSignal.timeout(8_000));
      expect((await h.received()).map((r) => r.key)).toEqual(['contract-2']);
    });

    it('rejects retryable when the send is aborted while the peer does not answer', async () => {
      await h.hang();
      const controller = new AbortController();
      const sending = h.notifier.send(h.message('contract-3', VI), controller.signal);
      setTimeout(() => controller.abort(new Error('send timed out')), 300);
      const err = await rejection(sending);
      expect(err.retryable).toBe(true);
    });

    if (opts.permanentRefusal) {
      it('rejects not retryable when the peer refuses the message for good', async () => {
        h.refuse();
        const err = await rejection(h.notifier.send(h.message('contract-4', VI), signal()));
        expect(err.retryable).toBe(false);
        h.accept();
        expect(await h.received()).toEqual([]);
      });
    }

    it('rejects retryable after close, and close is safe twice', async () => {
      await h.notifier.close();
      await h.notifier.close();
      const err = await rejection(h.notifier.send(h.message('contract-5', VI), signal()));
      expect(err.retryable).toBe(true);
      expect(await h.received()).toEqual([]);
    });

    it('refuses a message of another channel as not retryable', async () => {
      const other: NotificationMessage = h.notifier.channel === 'mqtt'
        ? { channel: 'email', key: 'contract-6', to: 'a@example.org', subject: 's', text: 't' }
        : { channel: 'mqtt', key: 'contract-6', topic: 'alerts/farm-1', payload: {} };
      const err = await rejection(h.notifier.send(other, signal()));
      expect(err.retryable).toBe(false);
    });
  });
}
