// `ruong broker` keeps V8's young generation small (cli/young-generation.ts, issue 19): only the broker command,
// never over a size the operator chose, and the flag set at run time does keep the young generation from growing.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { brokerYoungGenerationFlag } from '../../../cli/young-generation.js';

describe('the broker young generation flag', () => {
  it('is set for `ruong broker` only', () => {
    expect(brokerYoungGenerationFlag(['broker'], [], undefined)).toBe('--semi-space-growth-factor=1');
    for (const command of ['start', 'ingest', 'api', 'rules', 'sim', 'help']) expect(brokerYoungGenerationFlag([command], [], undefined)).toBeUndefined();
    expect(brokerYoungGenerationFlag([], [], undefined)).toBeUndefined();
  });

  it('leaves a young generation the operator sized alone (node flags or NODE_OPTIONS)', () => {
    expect(brokerYoungGenerationFlag(['broker'], ['--max-semi-space-size=16'], undefined)).toBeUndefined();
    expect(brokerYoungGenerationFlag(['broker'], ['--semi_space_growth_factor=2'], undefined)).toBeUndefined();
    expect(brokerYoungGenerationFlag(['broker'], [], '--max-old-space-size=512 --max-semi-space-size=8')).toBeUndefined();
    // V8 takes either spelling of its flags
    expect(brokerYoungGenerationFlag(['broker'], [], '--max_semi_space_size=16')).toBeUndefined();
    expect(brokerYoungGenerationFlag(['broker'], ['--max-old-space-size=512'], '--enable-source-maps')).toBe('--semi-space-growth-factor=1');
  });

  it('keeps the young generation at its initial size when set at run time, as the broker sets it', () => {
    // Short-lived garbage with some survivors grows the young generation to 2 × 16 MB without the flag.
    const script = `
      const v8 = require('node:v8');
      if (process.env.FLAG) v8.setFlagsFromString(process.env.FLAG);
      let keep = [];
      for (let i = 0; i < 2e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 20000) keep = []; }
      const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
      process.stdout.write(String(young.space_size));`;
    const youngBytes = (flag: string) => Number(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, FLAG: flag } }));
    const grown = youngBytes('');
    const kept = youngBytes(brokerYoungGenerationFlag(['broker'], [], undefined)!);
    expect(grown).toBeGreaterThanOrEqual(8 * 1024 * 1024);
    expect(kept).toBeLessThanOrEqual(2 * 1024 * 1024);
  });
});
