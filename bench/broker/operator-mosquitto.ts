// The peer in bench/broker/operator.ts (`--tree mosquitto=@mosquitto`): Debian's Mosquitto 2 with the same N devices
// as `ruong broker` gets, each with its own password (operatorSecret, the secret the loaders send), refusing
// anonymous clients, so both brokers check a credential per CONNECT. Mosquitto stores passwords as it does by
// default (`mosquitto_passwd -U`: salted PBKDF2-SHA512); Ruộng stores a salted SHA-256 of a 192-bit random secret.
// Its connect time, CPU per connect and RSS are read exactly as the `ruong broker`'s are, in the same rounds.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchDeviceId, MOSQUITTO } from './brokers.js';
import { operatorSecret } from './operator-secrets.js';

/** The tree directory that names this peer instead of a Ruộng tree. */
export const MOSQUITTO_TREE = '@mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';

export function startAuthenticatedMosquitto(dir: string, port: number, devices: number, runKey: string): ChildProcess {
  if (!existsSync(MOSQUITTO) || !existsSync(MOSQUITTO_PASSWD)) throw new Error('mosquitto is missing: apt-get install -y mosquitto');
  const passwords = join(dir, 'mosquitto.passwd');
  const lines: string[] = [];
  for (let i = 0; i < devices; i++) lines.push(`${benchDeviceId(i)}:${operatorSecret(runKey, i)}`);
  writeFileSync(passwords, `${lines.join('\n')}\n`, { mode: 0o600 });
  const hashed = spawnSync(MOSQUITTO_PASSWD, ['-U', passwords], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (hashed.status !== 0) throw new Error(`mosquitto_passwd -U failed: ${hashed.stderr.toString()}`);
  writeFileSync(join(dir, 'mosquitto.conf'), [
    // `user`: started as root, Mosquitto would drop to the `mosquitto` user, who cannot read the bench's private dir.
    `listener ${port} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwords}`, 'max_connections -1',
    ...(process.getuid?.() === 0 ? ['user root'] : []),
    'persistence false', 'log_dest stderr', 'log_type error', '',
  ].join('\n'));
  return spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
