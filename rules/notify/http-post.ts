// One HTTP POST for the HTTP-based channels (webhook, SMS gateway, Zalo), with the outcome classified
// for the outbox: network errors, timeouts, 408, 425, 429 and 5xx are retryable (RFC 9110 §15.5.9,
// RFC 6585 §4, §15.6); other 4xx and redirects (not followed: a webhook must not be bounced elsewhere)
// are permanent.
import { NotifierError } from '../../core/alerts/notification-types.js';

const RETRYABLE_STATUS = new Set([408, 425, 429]);
const MAX_ERROR_BODY = 300;

export interface PostResult {
  readonly status: number;
  readonly body: string;
}

export async function postOrThrow(url: string, init: { headers: Record<string, string>; body: string }, signal: AbortSignal, what: string): Promise<PostResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: init.headers, body: init.body, signal, redirect: 'manual' });
  } catch (err) {
    const reason = signal.aborted ? String((signal.reason as Error | undefined)?.message ?? 'aborted') : (err as Error).message;
    throw new NotifierError(`${what} unreachable: ${reason}`, true, { cause: err });
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    throw new NotifierError(`${what} answer interrupted: ${(err as Error).message}`, true, { cause: err });
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, body };
  const retryable = res.status >= 500 || RETRYABLE_STATUS.has(res.status);
  throw new NotifierError(`${what} answered ${res.status}: ${body.slice(0, MAX_ERROR_BODY)}`, retryable);
}

/** Rejects a send on a closed notifier or an already aborted signal. */
export function checkOpen(closed: boolean, signal: AbortSignal, channel: string): void {
  if (closed) throw new NotifierError(`${channel} notifier is closed`, true);
  if (signal.aborted) throw new NotifierError(`${channel} send aborted`, true);
}
