/**
 * `iotcop scan`: targets → scope check → discovery (streamed per host) → scheduler (probes start on a host
 * as soon as discovery hands it over) → result → reports. SIGINT/SIGTERM stop the run, write the partial
 * report and exit 3.
 */
import { networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { EXIT, RuntimeFailure, UsageError } from '../errors.js';
import type { AnyProbe, CredentialPair, DeviceConfig, ProbeMeta } from '../probes/contract.js';
import type { Capabilities, Device, DeviceType, RunError, RunInfo, ScanResult } from '../report/model.js';
import { buildResult } from '../report/build.js';
import { loadConfig, type LoadedConfig } from '../targets/config.js';
import type { DeviceEntry } from '../targets/config-schema.js';
import { resolveTargets } from '../targets/resolve.js';
import { AUTO_MAX_HOSTS, autoTargets, checkScope, type InterfaceAddress } from '../targets/scope.js';
import { canonicalAddress, printable } from '../targets/spec.js';
import { resolveScanOptions, type ScanArgs, type ScanOptions } from './options.js';
import { TOOL_VERSION } from './version.js';
import { writeReports } from './write-reports.js';
// [history] issue 10: run history, --baseline, --webhook, --shard.
import { finishScanHistory, prepareScanHistory } from './commands/history.js';
import { shardScope } from '../targets/shard.js';

function localInterfaces(): InterfaceAddress[] {
  return Object.entries(networkInterfaces()).flatMap(([name, addrs]) =>
    (addrs ?? []).map((a) => ({ name, family: a.family, address: a.address, netmask: a.netmask, internal: a.internal, cidr: a.cidr })));
}

/** What targets.yaml says about one device, merged with its vendor's entry. */
export function deviceConfigs(loaded: LoadedConfig | undefined): Map<string, { entry: DeviceEntry; config: DeviceConfig; index: number }> {
  const out = new Map<string, { entry: DeviceEntry; config: DeviceConfig; index: number }>();
  const vendors = new Map((loaded?.config.vendors ?? []).map((v) => [v.name.toLowerCase(), v]));
  (loaded?.config.devices ?? []).forEach((entry, index) => {
    const vendor = entry.vendor ? vendors.get(entry.vendor.toLowerCase()) : undefined;
    const config: DeviceConfig = {
      name: entry.name, type: entry.type, vendor: entry.vendor, model: entry.model,
      expectedPorts: entry.expectedPorts?.map(String),
      credentials: entry.credentials,
      disclosureUrl: entry.disclosureUrl ?? vendor?.disclosureUrl,
      supportEnd: entry.supportEnd ?? vendor?.supportEnd,
      updateUrl: entry.updateUrl,
    };
    const key = canonicalAddress(entry.address) ?? entry.address.toLowerCase();
    out.set(key, { entry, config, index });
  });
  return out;
}

/** Applies the owner's overrides from targets.yaml to a discovered device (owner knowledge wins). */
export function applyOverrides(device: Device, found: { config: DeviceConfig } | undefined, loaded: LoadedConfig | undefined, index?: number): Device {
  if (!found) return device;
  const c = found.config;
  const ident = { ...device.identification };
  if (c.type) ident.type = c.type as DeviceType;
  if (c.vendor) ident.vendor = c.vendor;
  if (c.model) ident.model = c.model;
  if (c.type || c.vendor || c.model) {
    ident.confidence = 'high';
    ident.sources = ['targets.yaml', ...ident.sources.filter((s) => s !== 'targets.yaml')];
  }
  const d: Device = { ...device, identification: ident, name: c.name ?? device.name };
  const loc = index !== undefined ? loaded?.deviceLocations[index] : undefined;
  if (loc) d.declaredAt = loc;
  return d;
}

/** --vuln-db FILE: a local OSV feed added to the bundled known-vulnerable versions (no network lookups). */
async function withVulnDb(probes: readonly AnyProbe[], path: string, notice: (m: string) => void): Promise<AnyProbe[]> {
  const { loadVulnDb, VulnDbError } = await import('../store/vuln-db.js');
  const { createSoftwareVersionsProbe } = await import('../probes/software-versions.js');
  let db;
  try {
    db = await loadVulnDb(path);
  } catch (e) {
    if (e instanceof VulnDbError) throw new UsageError(`--vuln-db ${path}: ${e.message}`);
    throw e;
  }
  notice(`--vuln-db: ${db.stats.advisories} advisories from ${db.stats.records} OSV records in ${db.stats.files} file(s)${db.stats.skippedRecords ? `, ${db.stats.skippedRecords} records skipped (no product iotcop knows)` : ''}`);
  return probes.map((p) => (p.meta.id === 'software-versions' ? createSoftwareVersionsProbe({ extra: db.advisories }) : p));
}

export async function runScanCommand(args: ScanArgs): Promise<number> {
  const loaded = args.config ? await loadConfig(args.config) : undefined;
  const { PROBES: REGISTERED } = await import('../probes/registry.js');
  const opts = resolveScanOptions(args, loaded, REGISTERED.map((p) => p.meta.id));
  let note: ((msg: string) => void) | undefined;
  const notice = (msg: string) => {
    if (opts.quiet) return;
    if (note) note(`iotcop: ${printable(msg)}`); else process.stderr.write(`iotcop: ${printable(msg)}\n`);
  };

  const PROBES = args.vulnDb ? await withVulnDb(REGISTERED, args.vulnDb, notice) : REGISTERED;

  // Targets and scope: all checks happen before any packet is sent.
  let targets = opts.targets;
  let autoTargetsUsed = false;
  if (targets.length === 0 && !opts.nmapXml) {
    targets = autoTargets(localInterfaces(), opts.maxHostsGiven ? opts.maxHosts : AUTO_MAX_HOSTS);
    if (targets.length === 0) throw new UsageError('no target given and no private IPv4 subnet found on this machine\'s interfaces; name the addresses to scan');
    autoTargetsUsed = true;
    notice(`no target given: scanning this machine's local subnet${targets.length > 1 ? 's' : ''} ${targets.join(', ')}`);
  }
  let scope = opts.nmapXml && targets.length === 0
    ? undefined
    : checkScope({ targets: await resolveTargets(targets), exclude: opts.exclude, allowPublic: opts.allowPublic, maxHosts: opts.maxHosts });
  // [history] issue 10: --shard I/N keeps this shard's addresses; the database and --baseline are ready before any packet.
  if (scope && opts.shard) {
    scope = shardScope(scope, opts.shard, opts.maxHosts);
    notice(`shard ${opts.shard.index}/${opts.shard.count}: ${scope.size.toLocaleString('en-GB')} of the targets' addresses`);
  }
  const history = await prepareScanHistory(opts);

  const configs = deviceConfigs(loaded);
  const configFor = (d: Device) => configs.get(d.address)?.config;

  const startedAt = new Date();
  const controller = new AbortController();
  let stopReason: RunInfo['stopReason'];
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`iotcop: ${sig} again, exiting now\n`);
      process.exit(EXIT.runtime);
    }
    stopReason = 'signal';
    process.stderr.write(`iotcop: ${sig} received, stopping and writing the partial report…\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const { discover } = await import('../discovery/index.js');
  const { createRunner } = await import('../scheduler/run.js');
  const { createProgress } = await import('./progress.js');
  const progress = createProgress({ stream: process.stderr, quiet: opts.quiet || opts.jsonToStdout && !process.stderr.isTTY, tty: Boolean(process.stderr.isTTY) });

  note = (m) => progress.note(m);
  const devices: Device[] = [];
  const errors: RunError[] = [];
  let discoveryIncomplete: string | undefined;
  /** Errors are printed even with --quiet, whole (printable() would cut them at 80 characters). */
  // eslint-disable-next-line no-control-regex
  const oneLine = (m: string) => m.slice(0, 500).replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '?');
  const errorLine = (m: string) => { if (note && !opts.quiet) note(`iotcop: ${oneLine(m)}`); else process.stderr.write(`iotcop: ${oneLine(m)}\n`); };
  let capabilities: Capabilities = { nmap: null, privileged: false, scanType: 'none', notices: [] };
  const credentialsFor = (d: Device): CredentialPair[] =>
    (configFor(d)?.credentials ?? []).map((c) => ({ username: c.username, password: c.password, source: 'targets.yaml' }));

  const runner = createRunner(PROBES, {
    concurrency: opts.concurrency,
    perHost: opts.perHost,
    timeoutMs: opts.timeoutMs,
    attemptDelayMs: opts.attemptDelayMs,
    signal: controller.signal,
    settings: { safety: opts.safety, maxGuesses: opts.maxGuesses, attemptDelayMs: opts.attemptDelayMs, revealData: opts.revealData, online: opts.online },
    selectionFor: (d: Device) => {
      const entry = configs.get(d.address)?.entry;
      return { only: opts.only, skip: opts.skip, deviceOnly: entry?.only, deviceSkip: entry?.skip };
    },
    credentialsFor,
    configFor,
    onProgress: (e) => progress.update(e),
    log: {
      debug: (m) => { if (opts.verbose) process.stderr.write(`iotcop: ${printable(m)}\n`); },
      info: (m) => { if (opts.verbose) process.stderr.write(`iotcop: ${printable(m)}\n`); },
      warn: (m) => notice(m),
    },
    now: () => new Date(),
  });

  try {
    // [history] issue 10: an empty shard scans nothing (and still reports and records an empty run).
    for await (const event of (scope && scope.blocks.length === 0 ? (async function* () { /* empty shard */ })() : discover({
      targets: scope?.blocks ?? [],
      exclude: opts.exclude,
      ports: opts.ports,
      allPorts: opts.allPorts,
      nmapPath: opts.nmapPath,
      requireNmap: opts.requireNmap,
      nmapXmlFile: opts.nmapXml,
      signal: AbortSignal.any([controller.signal, runner.stopped]),
    }))) {
      if (event.type === 'capabilities') {
        capabilities = event.capabilities;
        for (const n of capabilities.notices) notice(n);
      } else if (event.type === 'notice' || event.type === 'warning') {
        capabilities.notices.push(event.message);
        notice(event.message);
        // [robustness] issue 11: a failed port scan (nmap killed…) leaves hosts without ports: the result is partial.
        if (event.type === 'warning' && event.incomplete) discoveryIncomplete = event.message;
      } else if (event.type === 'hosts-found') {
        progress.update({ type: 'hosts-found', count: event.addresses.length });
      } else if (event.type === 'host') {
        const found = configs.get(event.device.address);
        const device = applyOverrides(event.device, found, loaded, found?.index);
        devices.push(device);
        runner.addDevice(device);
      }
    }
  } catch (e) {
    // [robustness] issue 11: the run's own time budget also stops discovery; that is a timeout, not an error.
    if (!controller.signal.aborted && !runner.stopped.aborted) {
      const { DiscoveryError } = await import('../discovery/index.js');
      if (e instanceof DiscoveryError) {
        if (e.kind === 'nmap-missing' || e.kind === 'bad-arguments' || e.kind === 'xml-invalid') {
          progress.stop(false);
          throw e.kind === 'xml-invalid' || e.kind === 'bad-arguments' ? new UsageError(e.message) : new RuntimeFailure(e.message);
        }
        errors.push({ source: 'discovery', kind: 'internal', message: e.message });
        stopReason = 'error';
        errorLine(`discovery failed: ${e.message}; writing a partial report`);
      } else {
        throw e;
      }
    }
  }
  if (discoveryIncomplete && !stopReason && !controller.signal.aborted && !runner.stopped.aborted) {
    errors.push({ source: 'discovery', kind: 'internal', message: discoveryIncomplete });
    stopReason = 'error';
  }
  const outcome = await runner.finish();
  progress.stop();
  note = undefined;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);

  const finishedAt = new Date();
  const partial = outcome.partial || controller.signal.aborted || stopReason === 'error';
  const run: RunInfo = {
    id: randomUUID(),
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs: finishedAt.getTime() - startedAt.getTime(),
    targets: autoTargetsUsed ? targets : opts.targets,
    autoTargets: autoTargetsUsed,
    options: {
      safety: opts.safety, exclude: opts.exclude, allowPublic: opts.allowPublic, maxHosts: opts.maxHosts,
      timeoutMs: opts.timeoutMs, concurrency: opts.concurrency, perHost: opts.perHost,
      revealCredentials: opts.revealCredentials, only: opts.only, skip: opts.skip, failOn: opts.failOn,
      ...(opts.ports ? { ports: opts.ports } : {}),
    },
    capabilities,
    partial,
  };
  if (loaded) run.configFile = loaded.file;
  if (opts.shard) run.shard = { index: opts.shard.index, count: opts.shard.count }; // [history] issue 10
  const reason = stopReason ?? outcome.stopReason;
  if (reason) run.stopReason = reason;

  const probeMeta = new Map<string, ProbeMeta>(PROBES.map((p) => [p.meta.id, p.meta]));
  const result: ScanResult = buildResult({
    run, toolVersion: TOOL_VERSION, devices, outcomes: outcome.outcomes, probes: probeMeta,
    skipped: outcome.skipped, errors: [...errors, ...outcome.errors], revealCredentials: opts.revealCredentials,
    unresponsive: outcome.unresponsive, configFor, safety: opts.safety, now: finishedAt,
  });

  // [robustness] issue 11: reports that cannot be written (directory unwritable, disk full) must not lose the
  // result: it goes to a JSON file in the temporary directory, the history still records the run, and the exit is 3.
  let reportFailure: string | undefined;
  try {
    await writeReports(result, opts, startedAt, notice);
  } catch (e) {
    if (!(e instanceof RuntimeFailure)) throw e;
    reportFailure = e.message;
    const { tmpdir } = await import('node:os');
    const { render } = await import('../report/render/index.js');
    const { reportBaseName, reportPath, writeFileAtomic } = await import('./output.js');
    const rescue = reportPath(tmpdir(), reportBaseName(startedAt), 'json');
    try {
      await writeFileAtomic(rescue, render('json', result, { color: false }));
      reportFailure += `; the result was saved to ${rescue} instead`;
    } catch {
      reportFailure += '; the result could not be saved anywhere else either';
    }
  }
  // [robustness] issue 11: the figure behind the README's memory bound (kilobytes from getrusage).
  if (opts.verbose) process.stderr.write(`iotcop: peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
  const { exitCodeFor } = await import('../report/exit-code.js');
  const code = run.stopReason === 'signal' || run.stopReason === 'error' ? EXIT.runtime : exitCodeFor(result, opts.failOn);
  // [history] issue 10: compare with --baseline, save the run, print the changes, send --webhook.
  const finalCode = await finishScanHistory(history, result, code, opts, notice);
  if (reportFailure) {
    process.stderr.write(`iotcop: ${oneLine(reportFailure)}\n`);
    return EXIT.runtime;
  }
  return finalCode;
}

export type { ScanOptions };
