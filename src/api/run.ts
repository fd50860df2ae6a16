/**
 * One scan's orchestration, without any terminal or file output: targets → scope check → discovery
 * (streamed per host) → scheduler (probes start on a host as soon as discovery hands it over) → result.
 * Everything it learns goes out as events on a channel; the CLI (src/cli/scan.ts) and the programmatic
 * API (src/api/scan.ts) are its two clients.
 */
import { networkInterfaces } from 'node:os';
import { randomUUID } from 'node:crypto';
import { RuntimeFailure, UsageError } from '../errors.js';
import type { CredentialPair, DeviceConfig, Logger, ProbeMeta } from '../probes/contract.js';
import type { Capabilities, Device, DeviceType, RunError, RunInfo, ScanResult } from '../model.js';
import { buildResult, findingsFromOutcomes } from '../report/build.js';
import type { LoadedConfig } from '../targets/config.js';
import type { DeviceEntry } from '../targets/config-schema.js';
import { resolveTargets } from '../targets/resolve.js';
import { AUTO_MAX_HOSTS, autoTargets, checkScope, type InterfaceAddress } from '../targets/scope.js';
import { canonicalAddress } from '../targets/spec.js';
import { shardScope } from '../targets/shard.js';
import type { ScanOptions } from '../cli/options.js';
import { TOOL_VERSION } from '../cli/version.js';
import type { Channel } from './channel.js';
import type { ScanEvent } from './events.js';
import { loadVulnData } from './vuln-data.js';
import { localAddresses, markThisComputer } from '../discovery/this-computer.js';
import { withAnnouncedName } from '../discovery/identify.js';
import type { RunEvidence } from '../store/evidence.js';

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
      maxGuesses: entry.maxGuesses, maxFailuresPerAccount: entry.maxFailuresPerAccount,
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

export interface ScanHooks {
  /** Called after the scope check and before the first packet (the CLI opens the history database here). */
  ready?(): Promise<void>;
  /** Cancels the run (partial result, stopReason "signal"). */
  signal?: AbortSignal;
  /** Debug/info lines of the scheduler and probes. */
  log?: Logger;
  /** The offline vulnerability data store's directory, or false to ignore it. */
  dataDir: string | false;
  vulnDb?: string;
  /** The run's start time (the CLI names its report files after it before the result exists). */
  startedAt?: Date;
  /**
   * Receives the run's evidence just before the result is ready (the CLI stores it in the history for
   * `report --reassess`). Without this hook the runner keeps no evidence.
   */
  onEvidence?(evidence: RunEvidence): void;
}

const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

/** Runs one scan, pushing events to `out`; resolves with the result (rejects on usage and fatal errors). */
export async function runScan(opts: ScanOptions, loaded: LoadedConfig | undefined, hooks: ScanHooks, out: Channel<ScanEvent>): Promise<ScanResult> {
  /** Set before a fatal error: the runner is stopped quietly, its "stopping" events are not news. */
  let fatal = false;
  const notice = (message: string, level: 'info' | 'warning' | 'error' = 'info') => { if (!fatal) out.push({ type: 'notice', level, message }); };
  // discovery's code loads while the targets are checked; the probes' load after the sweep has started.
  const discoveryModule = import('../discovery/index.js');
  // awaited below; a usage error thrown before that must not leave it unhandled
  discoveryModule.catch(() => undefined);
  const vuln = await loadVulnData({ dataDir: hooks.dataDir, vulnDb: hooks.vulnDb, now: new Date() }, notice);

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
  // --shard I/N keeps this shard's addresses.
  if (scope && opts.shard) {
    scope = shardScope(scope, opts.shard, opts.maxHosts);
    notice(`shard ${opts.shard.index}/${opts.shard.count}: ${scope.size.toLocaleString('en-GB')} of the targets' addresses`);
  }
  await hooks.ready?.();

  const configs = deviceConfigs(loaded);
  // an imported nmap XML scan may come from another machine: its hosts are not this computer
  const ownAddresses = opts.nmapXml ? new Set<string>() : localAddresses(localInterfaces());
  // naming this computer's address as a target (not a range that holds it) is asking for it to be checked
  const namedTargets = new Set(opts.targets.map((t) => canonicalAddress(t)).filter((a): a is string => a !== null));
  const configFor = (d: Device) => configs.get(d.address)?.config;

  const startedAt = hooks.startedAt ?? new Date();
  const controller = new AbortController();
  let stopReason: RunInfo['stopReason'];
  const onAbort = () => {
    stopReason = 'signal';
    controller.abort(hooks.signal?.reason ?? new Error('cancelled'));
  };
  if (hooks.signal?.aborted) onAbort(); else hooks.signal?.addEventListener('abort', onAbort, { once: true });

  const { discover, DiscoveryError } = await discoveryModule;
  // The ping sweep starts now (its events wait in discovery's channel): it takes about a second on a
  // /24 and needs nothing of the probes, which load meanwhile. Discovery also stops when the runner
  // does (its time budget), through discoveryStop.
  const discoveryStop = new AbortController();
  const discovery = (scope && scope.blocks.length === 0 ? (async function* () { /* an empty shard scans nothing (and still reports and records an empty run) */ })() : discover({
    targets: scope?.blocks ?? [],
    exclude: opts.exclude,
    ports: opts.ports,
    allPorts: opts.allPorts,
    nmapPath: opts.nmapPath,
    requireNmap: opts.requireNmap,
    nmapXmlFile: opts.nmapXml,
    signal: AbortSignal.any([controller.signal, discoveryStop.signal]),
  }))[Symbol.asyncIterator]();
  const firstEvent = discovery.next();
  // a failure before the loop below is read again there
  firstEvent.catch(() => undefined);
  const [{ PROBES }, { createRunner }] = await Promise.all([import('../probes/registry.js'), import('../scheduler/run.js')])
    .catch(async (e: unknown) => { await discovery.return?.(undefined); throw e; });
  const probeMeta = new Map<string, ProbeMeta>(PROBES.map((p) => [p.meta.id, p.meta]));

  const devices: Device[] = [];
  const errors: RunError[] = [];
  let discoveryIncomplete: string | undefined;
  let capabilities: Capabilities = { nmap: null, privileged: false, scanType: 'none', notices: [] };
  const credentialsFor = (d: Device): CredentialPair[] =>
    (configFor(d)?.credentials ?? []).map((c) => ({ username: c.username, password: c.password, source: 'targets.yaml' }));
  const log = hooks.log ?? silent;

  const runner = createRunner(PROBES, {
    concurrency: opts.concurrency,
    perHost: opts.perHost,
    timeoutMs: opts.timeoutMs,
    attemptDelayMs: opts.attemptDelayMs,
    signal: controller.signal,
    vulnData: vuln.data,
    settings: { safety: opts.safety, maxGuesses: opts.maxGuesses, attemptDelayMs: opts.attemptDelayMs, revealData: opts.revealData, online: opts.online },
    selectionFor: (d: Device) => {
      const entry = configs.get(d.address)?.entry;
      // a targets.yaml entry for this computer, or its address as a target, asks for it like --include-self
      const includeSelf = opts.includeSelf || entry !== undefined || namedTargets.has(d.address);
      return { only: opts.only, skip: opts.skip, deviceOnly: entry?.only, deviceSkip: entry?.skip, includeSelf };
    },
    credentialsFor,
    configFor,
    keepEvidence: Boolean(hooks.onEvidence),
    revealCredentials: opts.revealCredentials,
    onProgress: (e) => { if (!fatal) out.push({ type: 'progress', progress: e }); },
    onOutcome: (o) => {
      for (const finding of findingsFromOutcomes([o], probeMeta, devices, opts.revealCredentials)) out.push({ type: 'finding', finding });
    },
    log: { debug: log.debug, info: log.info, warn: (m) => notice(m, 'warning') },
    now: () => new Date(),
  });

  if (runner.stopped.aborted) discoveryStop.abort();
  else runner.stopped.addEventListener('abort', () => discoveryStop.abort(), { once: true });

  try {
    for (let next = await firstEvent; !next.done; next = await discovery.next()) {
      const event = next.value;
      if (event.type === 'capabilities') {
        capabilities = event.capabilities;
        for (const n of capabilities.notices) notice(n);
      } else if (event.type === 'notice' || event.type === 'warning') {
        capabilities.notices.push(event.message);
        notice(event.message, event.type === 'warning' ? 'warning' : 'info');
        // a failed port scan (nmap killed…) leaves hosts without ports: the result is partial.
        if (event.type === 'warning' && event.incomplete) discoveryIncomplete = event.message;
      } else if (event.type === 'hosts-found') {
        out.push({ type: 'progress', progress: { type: 'hosts-found', count: event.addresses.length } });
      } else if (event.type === 'host') {
        const found = configs.get(event.device.address);
        const device = markThisComputer(applyOverrides(withAnnouncedName(event.device), found, loaded, found?.index), ownAddresses, found?.entry.name !== undefined);
        devices.push(device);
        out.push({ type: 'device', device });
        runner.addDevice(device);
      }
    }
  } catch (e) {
    // a failure of this loop's own (not discovery's) stops discovery's nmap processes too
    await discovery.return?.(undefined);
    // the run's own time budget also stops discovery; that is a timeout, not an error.
    if (!controller.signal.aborted && !runner.stopped.aborted) {
      if (e instanceof DiscoveryError) {
        if (e.kind === 'nmap-missing' || e.kind === 'bad-arguments' || e.kind === 'xml-invalid') {
          fatal = true;
          controller.abort(e);
          await runner.finish();
          hooks.signal?.removeEventListener('abort', onAbort);
          throw e.kind === 'xml-invalid' || e.kind === 'bad-arguments' ? new UsageError(e.message) : new RuntimeFailure(e.message);
        }
        errors.push({ source: 'discovery', kind: 'internal', message: e.message });
        stopReason = 'error';
        notice(`discovery failed: ${e.message}; writing a partial report`, 'error');
      } else {
        hooks.signal?.removeEventListener('abort', onAbort);
        throw e;
      }
    }
  }
  if (discoveryIncomplete && !stopReason && !controller.signal.aborted && !runner.stopped.aborted) {
    errors.push({ source: 'discovery', kind: 'internal', message: discoveryIncomplete });
    stopReason = 'error';
  }
  const outcome = await runner.finish();
  hooks.signal?.removeEventListener('abort', onAbort);
  if (hooks.onEvidence) {
    const { EVIDENCE_FORMAT, storedConfigOf, storedJobOf } = await import('../store/evidence.js');
    const configs: RunEvidence['configs'] = {};
    for (const d of devices) { const c = configFor(d); if (c) configs[d.address] = storedConfigOf(c); }
    hooks.onEvidence({ format: EVIDENCE_FORMAT, toolVersion: TOOL_VERSION, jobs: outcome.outcomes.map(storedJobOf), configs });
  }

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
    vulnData: vuln.info,
  };
  if (loaded) run.configFile = loaded.file;
  if (opts.shard) run.shard = { index: opts.shard.index, count: opts.shard.count };
  const reason = stopReason ?? outcome.stopReason;
  if (reason) run.stopReason = reason;

  return buildResult({
    run, toolVersion: TOOL_VERSION, devices, outcomes: outcome.outcomes, probes: probeMeta,
    skipped: outcome.skipped, errors: [...errors, ...outcome.errors], revealCredentials: opts.revealCredentials,
    unresponsive: outcome.unresponsive, configFor, safety: opts.safety, now: finishedAt,
  });
}
