// The usage texts of the one-shot commands (provision, cooperative, dead-letters, sim), apart from the commands
// themselves: `ruong --help`, cli/help.ts and cli/args.ts need the texts, and every `ruong` process loads those —
// importing the commands' modules for their texts made `ruong broker` load the simulator, the MQTT client and
// the rule catalogue it never runs (issue 19, the broker's base memory: docs/benchmarks.md).
import { DEVICE_KINDS } from '../core/registry/types.js';

export const provisionHelp = `Usage: ruong provision --field <fieldId> --kind <${DEVICE_KINDS.join('|')}> [--id <deviceId>] [--name <text>] [--dev-eui <EUI-64>] [--profile <deviceProfileId>]
Creates a device in a field and prints its MQTT credentials as JSON. The secret is shown only once.`;

export const cooperativeHelp = `Usage: ruong cooperative create --name <text> --admin <username> [--id <cooperative-id>] [--province <text>]
Creates a cooperative and its first admin in DATA_DIR's registry, and prints the admin's login and a one-time
password (shown once). The id defaults to the name without accents ("HTX Bình Minh" → htx-binh-minh).
The installation's first cooperative logs in with bare usernames; every other as <username>@<cooperative-id>.`;

export const deadLettersHelp = 'Usage: ruong dead-letters [--limit <N, default 50>]\nLists rejected input that belongs to no cooperative (unknown devices / DevEUIs), grouped by topic and reason.';

export const simHelp = [
  'ruong sim [--broker URL] (--scenario FILE | --devices N) [options]',
  '  --broker URL            broker to connect to [mqtt://PUBLIC_HOST:MQTT_PORT]',
  '  --scenario FILE         a scenario (scenarios/*.json): its farm, weather, faults and outages',
  '  --devices N             a generated fleet of N devices (farms of 20 in the Mekong Delta and Central Highlands)',
  '  --devices-file FILE     device credentials: [{deviceId, secret, …}] or {"deviceId": "secret"}; without it',
  '                          devices connect anonymously (broker with MQTT_ALLOW_ANONYMOUS=true)',
  '  --format F              fleet wire format: native | senml | thingsboard | mixed [native]',
  '  --speed X | max         simulated seconds per real second [the scenario\'s; 1 for a fleet]; max: catch up',
  '                          with the real clock as fast as the broker acknowledges (the demo\'s back-fill)',
  '  --interval S            seconds between two reports of a device [the scenario\'s; 600]',
  '  --hours-ago H           fleet: begin H hours in the past and backfill them at --speed [0]',
  '  --lns-secret S          the ruong-lns credential for LoRaWAN devices [DATA_DIR/lns.secret if present]',
  '  --connect-rate N        devices started per second [2000]',
  '  --stats S               seconds between two stats lines [10]',
  '  --duration S            stop after S seconds [a scenario: when delivered; a fleet: Ctrl-C]',
  '  --dry-run               print what a scenario\'s devices measure (JSON lines) without a broker',
].join('\n');
