// `ruong broker` keeps V8's young generation at its initial 2 × 1 MB instead of letting it grow to 2 × 16 MB
// (issue 19, docs/benchmarks.md "Broker memory and connect"): a broker holds mostly idle connections, and the grown
// young generation was 14–30 MB of its resident memory — base and ≈ 1.6 KB per connected device at 10,000 — for
// no CPU gain per message (bench:pipeline: the broker's CPU per message within noise with 1 MB semi-spaces).
// The heap's limits are fixed when node starts (v8.setFlagsFromString('--max-semi-space-size') then does nothing),
// but the growth factor is read whenever V8 grows the young generation — so it is set here, imported by cli/main.ts
// before it loads the command (cli/command-line.ts), so it runs before any other module is even compiled (set after
// them, the young generation had already grown to 2 × 4 MB; set before they ran but after they were compiled, V8
// still often reported a 4 MB new space at start, now 1–2 MB).
// This covers every way the command starts (`ruong broker`, `npx ruong broker`, `node dist/cli/main.js broker`)
// without a second process. A young generation the operator sized (node's --max-semi-space-size or
// --semi-space-growth-factor, on the command line or in NODE_OPTIONS) is left alone. Other commands: unchanged.
import { setFlagsFromString } from 'node:v8';

export function brokerYoungGenerationFlag(argv: readonly string[], execArgv: readonly string[], nodeOptions: string | undefined): string | undefined {
  if (argv[0] !== 'broker') return undefined;
  if (/--(max[-_])?semi[-_]space/.test(`${execArgv.join(' ')} ${nodeOptions ?? ''}`)) return undefined;
  return '--semi-space-growth-factor=1';
}

const flag = brokerYoungGenerationFlag(process.argv.slice(2), process.execArgv, process.env.NODE_OPTIONS);
if (flag) setFlagsFromString(flag);
