// Real software, not our own echo: Debian's net-snmp snmpd (what routers, NAS and printers run) on
// 127.0.0.1, in a typical careless configuration ("rocommunity public") and with a changed community,
// and onesixtyone (the community scanner testers hold iotcop against) run on the same agent with the same
// community list. A difference between the two is a bug until explained; the one explained difference is
// silence: onesixtyone prints nothing both for "agent there, communities rejected" and for "nothing
// there", where iotcop tells them apart with SNMPv3 discovery (pass vs not_tested).
// snmpd and onesixtyone are installed by lab/install-deps (CI runs it); the test fails, never skips,
// when they are missing.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import community, { CHECK_DEFAULT } from '../../src/probes/snmp-default-community.js';
import disclosure from '../../src/probes/snmp-disclosure.js';
import { credentialDb } from '../../src/data/credentials.js';
import { assessInput, credContext, device } from './helpers/credential-context.js';
import { startSnmpd, type Snmpd } from '../helpers/snmpd.js';
import type { Service } from '../../src/report/model.js';

jest.setTimeout(60_000);
const run = promisify(execFile);

/** onesixtyone with iotcop's own community list: the communities it reports for 127.0.0.1. */
async function onesixtyone(port: number, dir: string): Promise<string[]> {
  const file = join(dir, 'communities');
  writeFileSync(file, `${credentialDb().file.snmpCommunities.map((c) => c.community).join('\n')}\n`);
  const { stdout } = await run('onesixtyone', ['-c', file, '-p', String(port), '-w', '20', '127.0.0.1'], { timeout: 20_000 });
  return [...stdout.matchAll(/^127\.0\.0\.1 \[([^\]]+)\]/gm)].map((m) => m[1]!);
}

async function scan(port: number) {
  const service: Service = { port, transport: 'udp', state: 'open', name: 'snmp' };
  const dev = device([service]);
  const c = credContext({ service, device: dev, maxGuesses: 10 });
  const cev = await community.collect(c.ctx);
  const d = credContext({ service, device: dev, maxGuesses: 10 });
  const dev2 = await disclosure.collect(d.ctx);
  return {
    cev, dev2,
    community: community.assess(cev, assessInput(dev, service)),
    disclosure: disclosure.assess(dev2, assessInput(dev, service)),
  };
}

const running: Snmpd[] = [];
afterEach(async () => { while (running.length) await running.pop()!.stop(); });

describe('snmp probes on Debian snmpd, next to onesixtyone', () => {
  it('"rocommunity public" (the careless default): both find "public"; iotcop confirms it and reads the system group', async () => {
    const agent = await startSnmpd('rocommunity public 127.0.0.1');
    running.push(agent);
    const r = await scan(agent.port);
    const def = r.community.find((x) => x.check === CHECK_DEFAULT)!;
    expect(def).toMatchObject({ status: 'fail', credential: { username: '', password: 'public' } });
    expect(r.cev.confirmation).toEqual({ wrongPassword: 'rejected', again: 'succeeded' });
    expect(r.cev.sysDescr).toBe('iotcop test printer (net-snmp)');
    expect(r.disclosure[0]).toMatchObject({ status: 'warn' });
    expect(await onesixtyone(agent.port, agent.dir)).toEqual(['public']);
  });

  it('a changed community: neither finds one; iotcop says pass only because snmpd answered SNMPv3 discovery', async () => {
    const agent = await startSnmpd('rocommunity Long-Random-Community-7Q 127.0.0.1');
    running.push(agent);
    const r = await scan(agent.port);
    expect(r.cev.agent.v3).toBe('answered');
    expect(r.community[0]).toMatchObject({ status: 'pass' });
    expect(r.cev.candidatesTried).toBe(r.cev.candidatesPlanned); // every community, v2c and v1
    expect(r.disclosure[0]).toMatchObject({ status: 'pass' });
    expect(await onesixtyone(agent.port, agent.dir)).toEqual([]);
  });

  it('nothing there (snmpd stopped, port open|filtered): onesixtyone is silent, iotcop says not_tested — never pass', async () => {
    const agent = await startSnmpd('rocommunity public 127.0.0.1');
    const { port, dir } = agent;
    agent.proc.kill('SIGTERM');
    await new Promise((r) => agent.proc.once('exit', r));
    await new Promise((r) => setTimeout(r, 50)); // its last state write
    // A bound socket that never answers: what a firewalled or absent agent looks like (no ICMP unreachable).
    const quiet = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => quiet.bind(port, '127.0.0.1', resolve));
    try {
      const r = await scan(port);
      expect(r.cev.agent.v3).toBe('silent');
      expect(r.community[0]).toMatchObject({ status: 'not_tested', title: 'No SNMP agent answered' });
      expect(r.disclosure[0]).toMatchObject({ status: 'not_tested' });
      expect(await onesixtyone(port, dir)).toEqual([]);
    } finally {
      quiet.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
