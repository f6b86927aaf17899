// A recorded irrigation (issue 17) reaches the rules engine of this process at once instead of at its next minute
// check: the API calls this after each new event, and it queues one minute check (rules/engine.ts polls the
// registry's irrigation feed there) — several events within `delayMs` share one. With the API in another process
// the minute check alone picks them up.
export function irrigationTrigger(check: () => Promise<void>, delayMs = 200): () => void {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    setTimeout(() => {
      queued = false;
      void check();
    }, delayMs).unref();
  };
}
