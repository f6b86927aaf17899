// `ruong start`: the whole platform in one process, with graceful shutdown on SIGINT/SIGTERM.
import type { Config } from '../core/config.js';
import { createLogger } from '../core/log.js';
import { DEMO_ADMIN, DEMO_TECHNICIAN } from './demo-seed.js';
import { configuredBrokerUrls } from './broker-config.js';
import { recordBrokerUrlsFor } from './broker-urls-file.js';
import { createPlatform } from './platform.js';
import { runUntilSignal } from './process-services.js';

export async function runStart(config: Config, out: (line: string) => void): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL });
  const platform = await createPlatform(config, log);
  await runUntilSignal(platform.lifecycle, log);

  const url = `http://${config.PUBLIC_HOST}:${platform.httpPort()}/`;
  const brokerUrls = configuredBrokerUrls(config, { tcp: platform.mqttPort(), ws: platform.mqttWsPort(), tls: platform.mqttTlsPort() });
  await recordBrokerUrlsFor({ registry: platform.registry, config }, brokerUrls); // for `ruong provision` (cli/broker-urls-file.ts)
  out('');
  out(`  Ruộng is running — store: ${platform.store.kind}, data: ${config.DATA_DIR}`);
  out(`  Dashboard:  ${url}`);
  out(`  MQTT:       ${brokerUrls.join('  ')}`);
  if (platform.demo) {
    out(`  Demo logins: ${DEMO_TECHNICIAN} (technician), ${DEMO_ADMIN} (admin) — password ${platform.demo.generated ? `${platform.demo.password}  (saved in ${config.DATA_DIR}/demo-credentials.txt)` : '(DEMO_PASSWORD)'}`);
  } else if (config.DEMO) {
    out(`  Demo logins: ${DEMO_TECHNICIAN} (technician), ${DEMO_ADMIN} (admin) — password in ${config.DATA_DIR}/demo-credentials.txt (or DEMO_PASSWORD)`);
  }
  out('  Stop with Ctrl-C.');
  out('');
  return 0;
}
