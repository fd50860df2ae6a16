// Debian's net-snmp snmpd on 127.0.0.1 for tests on real software: a fresh directory, a free port, the
// given access line ("rocommunity public 127.0.0.1"), and a wait until it answers SNMPv3 discovery.
// Installed by lab/install-deps (CI runs it): a missing snmpd fails the test, never skips it.
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeDiscovery, parseDiscoveryReply } from '../../src/net/snmp-v3.js';
import { freeUdpPort } from '../net/helpers.js';

const SNMPD = '/usr/sbin/snmpd';

/** One SNMPv3 discovery exchange, for waiting until snmpd is up. */
function discover(port: number, timeoutMs = 300): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const done = (v: boolean): void => { clearTimeout(t); try { s.close(); } catch { /* closed */ } resolve(v); };
    const t = setTimeout(() => done(false), timeoutMs);
    s.on('message', (m) => done(parseDiscoveryReply(m, 77) !== null));
    s.on('error', () => done(false));
    s.send(encodeDiscovery(77), port, '127.0.0.1');
  });
}

export interface Snmpd { port: number; proc: ChildProcess; dir: string; stop(): Promise<void> }

export async function startSnmpd(communityLine: string): Promise<Snmpd> {
  const dir = mkdtempSync(join(tmpdir(), 'iotcop-snmpd-'));
  const port = await freeUdpPort();
  writeFileSync(join(dir, 'snmpd.conf'), `${communityLine}\nsysDescr iotcop test printer (net-snmp)\nsysLocation lab bench\n`);
  const proc = spawn(SNMPD, ['-f', '-Lf', join(dir, 'log'), '-C', '-c', join(dir, 'snmpd.conf'), `udp:127.0.0.1:${port}`], {
    env: { ...process.env, SNMP_PERSISTENT_DIR: dir, MIBS: '' }, stdio: 'ignore',
  });
  // snmpd writes its persistent state as it exits: remove the directory only after it is gone.
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => { proc.kill('SIGTERM'); await exited; rmSync(dir, { recursive: true, force: true }); };
  for (let i = 0; i < 40; i++) {
    if (await discover(port)) return { port, proc, dir, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`snmpd did not start on 127.0.0.1:${port} (is ${SNMPD} installed? bash lab/install-deps)`);
}

