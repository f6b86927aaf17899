// What SIGINT/SIGTERM do to a long-running `ruong` command (issue 14): the first signal stops the
// lifecycle (stop intake → end streams → flush → close) and exits; whatever clients, the store or the
// output pipe do, the process is gone within 10 s; a second signal exits at once.
import type { Lifecycle } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';

/** The promise to the operator (and to systemd's TimeoutStopSec): exit within 10 s of the first signal. */
export const SHUTDOWN_PROMISE_MS = 10_000;
/** When a stop that hangs is given up: a margin under the promise for the exit itself. */
export const SHUTDOWN_DEADLINE_MS = 9_000;

const signalNumbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15 };

export interface ShutdownDeps {
  readonly lifecycle: Pick<Lifecycle, 'stop'>;
  readonly log: Logger;
  readonly exit: (code: number) => void;
  readonly deadlineMs?: number;
}

/** The signal handler. Exit codes: 0 stopped cleanly, 1 a stop failed or passed the deadline, 128 + n on a second signal. */
export function createShutdown(deps: ShutdownDeps): (signal: string) => void {
  const deadlineMs = deps.deadlineMs ?? SHUTDOWN_DEADLINE_MS;
  let signals = 0;
  return (signal) => {
    if (++signals > 1) {
      deps.exit(128 + (signalNumbers[signal] ?? 2)); // a second Ctrl-C does not wait (shell convention 128 + n)
      return;
    }
    deps.log.info({ signal, deadlineMs }, 'shutting down: stop intake, flush, close');
    const deadline = setTimeout(() => {
      deps.log.error({ deadlineMs }, 'shutdown did not finish in time; exiting without it');
      deps.exit(1);
    }, deadlineMs);
    deps.lifecycle.stop().then(
      () => { clearTimeout(deadline); deps.exit(0); },
      (err: unknown) => { clearTimeout(deadline); deps.log.error({ err }, 'shutdown failed'); deps.exit(1); },
    );
  };
}
