// A limit or protocol violation is counted every time and logged once per client and kind.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLimitReporter } from '../../../broker/limit-reporter.js';
import { createLogger } from '../../../core/log.js';
import { createMetrics } from '../../../core/metrics.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({ write(chunk: Buffer, _e, cb) { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); cb(); } });
  return { log: createLogger({ level: 'info', destination }), lines };
}

describe('limit reporter', () => {
  it('counts every hit and logs once per client and limit', async () => {
    const { log, lines } = capture();
    const metrics = createMetrics();
    const reporter = createLimitReporter(log, metrics);
    const verdict = { kind: 'limit', limit: 'publish_rate', reason: 'too fast' } as const;
    for (let i = 0; i < 5; i++) reporter.report(verdict, { clientId: 'probe-1' });
    reporter.report(verdict, { clientId: 'probe-2' });
    reporter.report({ kind: 'protocol', rule: 'MQTT-1.5.3-1', reason: 'bad utf-8' }, { address: '10.0.0.9' });
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/ruong_mqtt_limit_hits_total\{limit="publish_rate"\} 6/);
    expect(text).toMatch(/ruong_mqtt_protocol_violations_total\{rule="MQTT-1.5.3-1"\} 1/);
    expect(lines.map((l) => [l.msg, l.clientId ?? l.address])).toEqual([
      ['mqtt limit reached: connection closed', 'probe-1'],
      ['mqtt limit reached: connection closed', 'probe-2'],
      ['mqtt protocol violation: connection closed', '10.0.0.9'],
    ]);
  });
});
