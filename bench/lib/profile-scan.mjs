// Where an iotcop scan spends its time (bench/bench.mjs --profile). Runs the same pipeline as
// `iotcop scan` (discovery streamed per host into the scheduler, the CLI's defaults) from the built
// modules in dist/, and prints one JSON object: when discovery found the hosts and handed each one
// over, and every job's probe, device, port, start and duration. Reports are not rendered.
//
//   ip netns exec iotcop-lan node bench/lib/profile-scan.mjs TARGET [--exclude A,B]
// Run it only inside the lab's LAN namespace, on lab targets (bench/bench.mjs does).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');
const load = (p) => import(pathToFileURL(path.join(DIST, p)).href);

const { values, positionals } = parseArgs({ allowPositionals: true, options: { exclude: { type: 'string', default: '' } } });
if (positionals.length !== 1 || !/^10\.231\.\d+\.\d+(\/\d+)?$/.test(positionals[0])) {
  process.stderr.write('profile-scan: give one lab target (10.231.x.y or 10.231.x.0/24)\n');
  process.exit(2);
}
const { discover } = await load('discovery/index.js');
const { createRunner } = await load('scheduler/run.js');
const { PROBES } = await load('probes/registry.js');
const { DEFAULTS } = await load('cli/options.js');

const t0 = Date.now();
const rel = () => Date.now() - t0;
const silent = { debug() {}, info() {}, warn() {} };
const runner = createRunner(PROBES, {
  concurrency: DEFAULTS.concurrency,
  perHost: DEFAULTS.perHost,
  timeoutMs: DEFAULTS.timeoutMs,
  attemptDelayMs: DEFAULTS.attemptDelayMs,
  settings: { safety: DEFAULTS.safety, maxGuesses: DEFAULTS.maxGuesses, attemptDelayMs: DEFAULTS.attemptDelayMs, revealData: false, online: false },
  log: silent,
  now: () => new Date(),
});
const discovery = { hostsFound: [], hosts: [], doneAtMs: undefined };
for await (const ev of discover({
  targets: [positionals[0]],
  exclude: values.exclude ? values.exclude.split(',') : [],
  signal: runner.stopped,
})) {
  if (ev.type === 'hosts-found') discovery.hostsFound.push({ atMs: rel(), count: ev.addresses.length });
  else if (ev.type === 'host') {
    discovery.hosts.push({ address: ev.device.address, atMs: rel(), services: ev.device.services.length });
    runner.addDevice(ev.device);
  }
}
discovery.doneAtMs = rel();
const outcome = await runner.finish();
const totalMs = rel();
const jobs = outcome.outcomes.map((o) => ({
  probe: o.probe, device: o.device, port: o.port, transport: o.transport, status: o.status,
  startMs: Date.parse(o.startedAt) - t0, durationMs: o.durationMs, connections: o.connections,
}));
// Exit only once the pipe took every byte: a profile of 200 devices (some 400 KB) was cut short by exiting at once.
process.stdout.write(`${JSON.stringify({ totalMs, concurrency: DEFAULTS.concurrency, discovery, jobs, skipped: outcome.skipped.length, unresponsive: outcome.unresponsive })}\n`, () => process.exit(0));
