/**
 * Discovery: which devices are on the targets, which ports they have open, and what they are.
 *
 * With nmap: a host-discovery pass (`-sn`), then port scans of the hosts found in parallel batches,
 * a version-detection pass per host on the ports that may receive probes, and identification; each
 * host is emitted as soon as it is done, so probes can start on it while other hosts are scanned.
 * Without nmap: the built-in TCP connect scanner over the same port list (or an error with
 * `requireNmap`). With `nmapXmlFile`: the hosts of an existing scan.
 *
 * The stream always starts with a `capabilities` event. Fatal problems end it with a DiscoveryError;
 * problems with one host are `warning` events. Leaving the loop early (or aborting `signal`) stops
 * every nmap process before the iterator returns.
 */
import { readFile, stat } from 'node:fs/promises';
import { promises as dns } from 'node:dns';
import { setMaxListeners } from 'node:events';
import { DEFAULT_TCP_PORTS } from '../data/ports.js';
import type { Capabilities, Device, Service } from '../model.js';
import { discoveryArgs, portScanArgs, PORTSCAN_ALL_PORTS_HOST_TIMEOUT_S, PORTSCAN_HOST_TIMEOUT_S, scannablePorts, versionArgs, versionCandidates, type ScanFlags } from './args.js';
import { Channel } from './channel.js';
import { DiscoveryError } from './errors.js';
import { connectScanHost, isAlive, LIVENESS_PORTS } from './fallback.js';
import { emptySignals, type IdentificationOverride, type IdentifySignals, type ServiceSignal } from './identify.js';
import type { BannerResult } from './collectors/banner.js';
import { collectBanners, identifyHost } from './identify-host.js';
import { mapLimit, Semaphore } from './limit.js';
import { isLocallyAdministered, loadOuiTable, lookupVendor, type OuiTable } from './mac.js';
import { canonicalAddress, hostAddress, hostMac, mapHost, mergeVersionInfo } from './map.js';
import { readNeighbours } from './neighbours.js';
import { findNmap, nmapVersion, runNmap } from './nmap.js';
import { resolvePorts, type PortSet } from './portspec.js';
import { detectPrivileges, type PrivilegeInfo } from './privileges.js';
import { cap } from './text.js';
import { expandTargets, inNetworks, parseTarget, splitByFamily } from './targets.js';
import { MAX_NMAP_XML_BYTES, parseNmapXml, type NmapHost } from './xml.js';

export { DiscoveryError, isDiscoveryError, type DiscoveryErrorKind } from './errors.js';
export { identify, applyOverride, type IdentifySignals, type IdentificationOverride } from './identify.js';
export { parseNmapXml } from './xml.js';
export { parsePortSpec, resolvePorts, formatNmapPorts, type PortSet } from './portspec.js';

export interface DiscoveryOptions {
  /** Already scope-checked: IPv4/IPv6 addresses and CIDRs (no hostnames left). */
  targets: string[];
  /** Addresses/CIDRs passed to nmap --exclude and filtered from fallback and import results. */
  exclude: string[];
  /** nmap-style port spec "22,80,8000-8100,U:161" overriding the default list (unprefixed = TCP). */
  ports?: string;
  /** TCP 1–65535 (plus the UDP probe ports). */
  allPorts?: boolean;
  /** Default: look up "nmap" on PATH. An explicit path that is not executable is an error. */
  nmapPath?: string;
  requireNmap?: boolean;
  /** Import instead of scanning. Network identification then runs only on hosts inside `targets`. */
  nmapXmlFile?: string;
  /** Default: detect (root, or CAP_NET_RAW in the effective and ambient sets). */
  privileged?: boolean;
  /** Parallel per-host port-scan batches (default 4). */
  hostConcurrency?: number;
  /** Run identification collectors (default true). */
  identify?: boolean;
  signal?: AbortSignal;
  /** Per-exchange deadline for identification requests (default 3000 ms). */
  timeoutMs?: number;
  /** Owner facts from targets.yaml by canonical address: they win over identification. */
  overrides?: ReadonlyMap<string, IdentificationOverride>;
}

export type DiscoveryEvent =
  | { type: 'capabilities'; capabilities: Capabilities }
  | { type: 'notice'; message: string }
  | { type: 'hosts-found'; addresses: string[] }
  | { type: 'host'; device: Device }
  /** `incomplete`: discovery lost information it should have had (a port scan failed): the run's result is partial. */
  | { type: 'warning'; message: string; incomplete?: true };

export const NMAP_MISSING_NOTICE = 'nmap not found: reduced discovery (TCP connect scan only), install nmap for SYN scanning, service and version detection, UDP ports and MAC addresses';

const FALLBACK_MAX_ADDRESSES = 65_536;
const FALLBACK_CONNECT_TIMEOUT_MS = 1500;
const FALLBACK_LIVENESS_TIMEOUT_MS = 1000;
const FALLBACK_PER_HOST_CONNECTS = 32;
const FALLBACK_LIVENESS_CONCURRENCY = 128;
const PORT_TABLE = new Map(DEFAULT_TCP_PORTS.map((e) => [e.port, e.service]));
/** More open TCP ports than this on one host looks like a tarpit (HOSTILE.md #8). */
const TARPIT_OPEN_PORTS = 100;
/** Services listed per host at most (a tarpit answering on all 65535 ports would swamp the report). */
const MAX_SERVICES_PER_HOST = 512;
/** Ports given to one version-detection pass at most. */
const MAX_VERSION_PORTS = 64;

/** Keeps the default-list ports first, then the lowest others, up to the cap (UDP kept). */
function capServices(services: Service[]): Service[] {
  const known = (s: Service) => (PORT_TABLE.has(s.port) ? 0 : 1);
  const tcp = services.filter((s) => s.transport === 'tcp').sort((a, b) => known(a) - known(b) || a.port - b.port).slice(0, MAX_SERVICES_PER_HOST);
  return [...tcp.sort((a, b) => a.port - b.port), ...services.filter((s) => s.transport === 'udp')];
}

export function discover(options: DiscoveryOptions): AsyncIterable<DiscoveryEvent> {
  return { [Symbol.asyncIterator]: () => run(options) };
}

async function* run(options: DiscoveryOptions): AsyncGenerator<DiscoveryEvent> {
  const controller = new AbortController();
  // Every socket and child of the run listens on this signal.
  setMaxListeners(0, controller.signal);
  const outer = options.signal;
  const onOuterAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onOuterAbort, { once: true });
  const channel = new Channel<DiscoveryEvent>();
  const task = produce(options, controller, (e) => channel.push(e)).then(
    () => channel.close(),
    (e: unknown) => channel.fail(normaliseError(e, controller.signal)),
  );
  try {
    yield* channel;
  } finally {
    controller.abort();
    outer?.removeEventListener('abort', onOuterAbort);
    await task;
  }
}

function normaliseError(e: unknown, signal: AbortSignal): DiscoveryError {
  if (e instanceof DiscoveryError) return e;
  if (signal.aborted) return new DiscoveryError('aborted', 'discovery was cancelled', { cause: e });
  return new DiscoveryError('io', `discovery failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DiscoveryError('aborted', 'discovery was cancelled');
}

type Emit = (e: DiscoveryEvent) => void;

interface Context {
  options: DiscoveryOptions;
  signal: AbortSignal;
  /** Aborted on the first fatal error so sibling work stops (and on cancellation). */
  controller: AbortController;
  emit: Emit;
  ports: PortSet;
  priv: PrivilegeInfo;
  oui: OuiTable;
  identifyNetwork: boolean;
  timeoutMs: number;
  hostConcurrency: number;
}

function validate(options: DiscoveryOptions): { ports: PortSet; hostConcurrency: number } {
  const hostConcurrency = options.hostConcurrency ?? 4;
  if (!Number.isInteger(hostConcurrency) || hostConcurrency < 1 || hostConcurrency > 64) {
    throw new DiscoveryError('bad-arguments', 'hostConcurrency must be an integer from 1 to 64');
  }
  if (options.timeoutMs !== undefined && (!Number.isFinite(options.timeoutMs) || options.timeoutMs <= 0)) {
    throw new DiscoveryError('bad-arguments', 'timeoutMs must be a positive number');
  }
  for (const t of [...options.targets, ...options.exclude]) parseTarget(t);
  if (options.nmapXmlFile === undefined && options.targets.length === 0) {
    throw new DiscoveryError('bad-arguments', 'no targets to scan');
  }
  return { ports: resolvePorts(options), hostConcurrency };
}

async function produce(options: DiscoveryOptions, controller: AbortController, emit: Emit): Promise<void> {
  const signal = controller.signal;
  const { ports, hostConcurrency } = validate(options);
  checkAborted(signal);
  const [priv, oui] = await Promise.all([detectPrivileges(options.privileged), loadOuiTable()]);
  checkAborted(signal);
  const ctx: Context = {
    options, signal, controller, emit, ports, priv, oui, hostConcurrency,
    identifyNetwork: options.identify !== false,
    timeoutMs: options.timeoutMs ?? 3000,
  };

  if (options.nmapXmlFile !== undefined) {
    await importScan(ctx, options.nmapXmlFile);
    return;
  }

  const nmapPath = await findNmap(options.nmapPath);
  if (nmapPath === null) {
    if (options.nmapPath !== undefined) {
      throw new DiscoveryError('nmap-missing', `nmap not found or not executable at ${options.nmapPath}`);
    }
    if (options.requireNmap) {
      throw new DiscoveryError('nmap-missing', 'nmap not found on PATH and --require-nmap was given: install nmap (e.g. apt-get install nmap)');
    }
    await fallbackScan(ctx);
    return;
  }
  const version = await nmapVersion(nmapPath, signal);
  await nmapScan(ctx, { path: nmapPath, version });
}

function privilegeNotices(ctx: Context, nmapPresent: boolean): string[] {
  const notices: string[] = [];
  if (!ctx.priv.privileged && nmapPresent) {
    const udp = ctx.ports.udp.length > 0 ? `; UDP ports (${ctx.ports.udp.join(', ')}) are not scanned` : '';
    notices.push(`not running as root (no CAP_NET_RAW): TCP connect scan instead of SYN scan, no MAC addresses from nmap${udp}`);
  }
  return notices;
}

function emitCapabilities(ctx: Context, capabilities: Capabilities): void {
  ctx.emit({ type: 'capabilities', capabilities });
  for (const message of capabilities.notices) ctx.emit({ type: 'notice', message });
}

// ---------------------------------------------------------------------------------------------
// nmap

async function nmapScan(ctx: Context, nmap: { path: string; version: string }): Promise<void> {
  const { options, signal, emit } = ctx;
  emitCapabilities(ctx, {
    nmap,
    privileged: ctx.priv.privileged,
    scanType: ctx.priv.privileged ? 'syn' : 'connect',
    notices: privilegeNotices(ctx, true),
  });

  const { v4, v6 } = splitByFamily(options.targets);
  const ex = splitByFamily(options.exclude);
  const groups = [
    { family: 4 as const, targets: v4.map((t) => t.text), exclude: ex.v4.map((t) => t.text) },
    { family: 6 as const, targets: v6.map((t) => t.text), exclude: ex.v6.map((t) => t.text) },
  ].filter((g) => g.targets.length > 0);

  // 1. Host discovery.
  const found = new Map<string, { host: NmapHost; family: 4 | 6 }>();
  for (const g of groups) {
    checkAborted(signal);
    const flags: ScanFlags = { privileged: ctx.priv.privileged, needsPrivilegedFlag: ctx.priv.needsPrivilegedFlag, family: g.family };
    const res = await runNmap(nmap.path, discoveryArgs(g.targets, g.exclude, flags), { signal, timeoutMs: 30 * 60_000 });
    for (const w of res.warnings) emit({ type: 'warning', message: `nmap: ${w}` });
    for (const host of res.run.hosts) {
      if (host.state !== 'up') continue;
      const address = hostAddress(host);
      if (!address || inNetworks(address, options.exclude) || !inNetworks(address, options.targets)) continue;
      if (!found.has(address)) found.set(address, { host, family: g.family });
    }
  }
  const addresses = [...found.keys()];
  emit({ type: 'hosts-found', addresses });
  if (addresses.length === 0) return;

  // Reverse DNS, ours and bounded (nmap's own waits for unreachable resolvers; discovery runs -n).
  const names = ctx.identifyNetwork ? await mapLimit(addresses, 16, (a) => reverseDns(a, ctx.timeoutMs, signal)) : [];
  checkAborted(signal);
  addresses.forEach((a, i) => {
    const name = names[i];
    const entry = found.get(a)!;
    if (name && !entry.host.hostnames.some((h) => h.name === name)) entry.host = { ...entry.host, hostnames: [...entry.host.hostnames, { name, type: 'PTR' }] };
  });

  // 2. Port scans in batches, hosts emitted as they complete.
  const neighbours = ctx.priv.privileged ? new Map<string, string>() : await readNeighbours();
  const batches: { family: 4 | 6; hosts: string[] }[] = [];
  const size = batchSize(addresses.length, ctx.hostConcurrency);
  for (const family of [4, 6] as const) {
    const list = addresses.filter((a) => found.get(a)!.family === family);
    for (let i = 0; i < list.length; i += size) batches.push({ family, hosts: list.slice(i, i + size) });
  }
  const hostTimeout = options.allPorts ? PORTSCAN_ALL_PORTS_HOST_TIMEOUT_S : PORTSCAN_HOST_TIMEOUT_S;
  const scannable = scannablePorts(ctx.ports, ctx.priv.privileged);
  await mapLimit(batches, ctx.hostConcurrency, async (batch) => {
    checkAborted(signal);
    const flags: ScanFlags = { privileged: ctx.priv.privileged, needsPrivilegedFlag: ctx.priv.needsPrivilegedFlag, family: batch.family };
    let scanned = new Map<string, NmapHost>();
    let scanFailed = false;
    if (scannable.tcp.length > 0 || scannable.udp.length > 0) {
      try {
        const res = await runNmap(nmap.path, portScanArgs(batch.hosts, ctx.ports, flags, hostTimeout), {
          signal, timeoutMs: (hostTimeout * batch.hosts.length + 120) * 1000,
        });
        for (const w of res.warnings) emit({ type: 'warning', message: `nmap: ${w}` });
        scanned = new Map(res.run.hosts.map((h) => [hostAddress(h) ?? '', h]));
      } catch (e) {
        if (signal.aborted || (e instanceof DiscoveryError && e.kind === 'aborted')) throw e;
        if (e instanceof DiscoveryError && e.kind === 'bad-arguments') throw e;
        // the hosts are up (host discovery saw them): list them without ports rather than lose them.
        emit({ type: 'warning', message: `port scan of ${batch.hosts.join(', ')} failed: ${errorText(e)}; listed without their ports`, incomplete: true });
        scanFailed = true;
      }
    }
    await mapLimit(batch.hosts, Math.min(batch.hosts.length, 4), async (address) => {
      const discovered = found.get(address)!.host;
      const portHost = scanned.get(address);
      if (portHost?.timedOut) emit({ type: 'warning', message: `${address}: port scan hit the ${hostTimeout} s host timeout; its port list may be incomplete` });
      else if (!portHost && !scanFailed && (scannable.tcp.length > 0 || scannable.udp.length > 0)) emit({ type: 'warning', message: `${address}: missing from the port scan output` });
      const merged: NmapHost = portHost ?? { ...discovered, ports: [] };
      if (merged.hostnames.length === 0) merged.hostnames = discovered.hostnames;
      const extraMac = hostMac(discovered)?.mac ?? neighbours.get(address);
      const mapped = mapHost(merged, ctx.oui, extraMac);
      if (!mapped) return;
      const device = await finishHost(ctx, mapped.device, mapped.signals, async (dev, telnetPorts) => {
        const all = versionCandidates(dev, telnetPorts);
        if (all.length === 0) return;
        const candidates = all.length <= MAX_VERSION_PORTS ? all
          : [...all.filter((p) => PORT_TABLE.has(p)), ...all.filter((p) => !PORT_TABLE.has(p))].slice(0, MAX_VERSION_PORTS).sort((a, b) => a - b);
        if (candidates.length < all.length) emit({ type: 'warning', message: `${address}: version detection limited to ${candidates.length} of ${all.length} open ports` });
        try {
          const res = await runNmap(nmap.path, versionArgs(address, candidates, flags), { signal, timeoutMs: 10 * 60_000 });
          for (const w of res.warnings) emit({ type: 'warning', message: `nmap: ${w}` });
          const vh = res.run.hosts.find((h) => hostAddress(h) === address);
          if (vh?.timedOut) emit({ type: 'warning', message: `${address}: version detection timed out; services keep the port-table names` });
          return mergeVersionInfo(dev, vh);
        } catch (e) {
          if (signal.aborted) throw e;
          emit({ type: 'warning', message: `${address}: version detection failed: ${errorText(e)}` });
          return undefined;
        }
      }, portHost ? scannable.udp : []);
      checkAborted(signal);
      emit({ type: 'host', device });
    }, ctx.controller);
  }, ctx.controller);
}

function batchSize(hosts: number, concurrency: number): number {
  // Small batches stream best; large networks use bigger ones so nmap's own parallelism helps.
  if (hosts <= concurrency * 8) return 1;
  return Math.min(16, Math.ceil(hosts / (concurrency * 8)));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

type VersionPass = (device: Device, telnetPorts: number[]) => Promise<ServiceSignal[] | undefined>;

/**
 * The per-host tail shared by every source: tarpit check, banners (to spot telnet), the version
 * pass (nmap only), identification, the default name.
 */
async function finishHost(ctx: Context, device: Device, signals: IdentifySignals, versionPass?: VersionPass, udpScanned?: readonly number[]): Promise<Device> {
  const { signal, options } = ctx;
  const openTcp = device.services.filter((s) => s.transport === 'tcp').length;
  if (openTcp > TARPIT_OPEN_PORTS) {
    ctx.emit({ type: 'warning', message: `${device.address}: ${openTcp} open TCP ports — possibly a tarpit or a device answering on every port; identification is limited${openTcp > MAX_SERVICES_PER_HOST ? ` and only ${MAX_SERVICES_PER_HOST} ports are listed` : ''}` });
    if (openTcp > MAX_SERVICES_PER_HOST) device.services = capServices(device.services);
  }
  const override = options.overrides?.get(device.address);
  const semaphore = new Semaphore(2);
  // Banners (nothing sent) also keep version detection off telnet on unusual ports, so they are
  // read before a version pass even when identification is off.
  const banners = ctx.identifyNetwork || versionPass ? await collectBanners(device, semaphore, ctx.timeoutMs, signal) : [];
  checkAborted(signal);
  const telnetPorts = banners.filter((b) => b.telnet).map((b) => b.port);
  let sig = signals;
  if (versionPass) {
    const extra = await versionPass(device, telnetPorts);
    checkAborted(signal);
    if (extra && extra.length > 0) {
      const byKey = new Map(sig.services.map((s) => [`${s.port}/${s.transport}`, s]));
      for (const s of extra) byKey.set(`${s.port}/${s.transport}`, s);
      sig = { ...sig, services: [...byKey.values()] };
    }
  }
  const hostOptions = {
    timeoutMs: ctx.timeoutMs, signal, udpPorts: ctx.ports.udp, network: ctx.identifyNetwork, udpScanned: udpScanned ?? [],
    ...(override ? { override } : {}),
  };
  const result = await identifyHost(device, sig, hostOptions, banners);
  if (!ctx.identifyNetwork) applyBanners(result.device, banners);
  return result.device;
}

/** With identification off, banners read for the version pass still name telnet and fill Service.banner. */
function applyBanners(device: Device, banners: BannerResult[]): void {
  for (const b of banners) {
    const svc = device.services.find((s) => s.transport === 'tcp' && s.port === b.port);
    if (!svc) continue;
    if (b.telnet && (svc.name === undefined || svc.name === 'unknown')) svc.name = 'telnet';
    if (b.text && svc.banner === undefined) svc.banner = b.text;
  }
}

// ---------------------------------------------------------------------------------------------
// Fallback: no nmap

async function fallbackScan(ctx: Context): Promise<void> {
  const { options, signal, emit } = ctx;
  const notices = [NMAP_MISSING_NOTICE];
  if (ctx.ports.udp.length > 0) notices.push(`UDP ports (${ctx.ports.udp.join(', ')}) are not scanned without nmap; mDNS and SSDP answers still list theirs`);
  emitCapabilities(ctx, { nmap: null, privileged: ctx.priv.privileged, scanType: 'fallback-connect', notices });

  const candidates = expandTargets(options.targets, options.exclude, FALLBACK_MAX_ADDRESSES);
  // Hosts of ranges must answer a few common ports first; single addresses go straight to the scan.
  const liveness = await mapLimit(candidates, FALLBACK_LIVENESS_CONCURRENCY, async (c) => {
    if (!c.fromRange) return true;
    return isAlive(c.address, LIVENESS_PORTS, { timeoutMs: FALLBACK_LIVENESS_TIMEOUT_MS, signal });
  });
  checkAborted(signal);
  const toScan = candidates.filter((_, i) => liveness[i]);
  // Every address listed here later gets a `host` event or a warning.
  emit({ type: 'hosts-found', addresses: toScan.map((c) => c.address) });

  await mapLimit(toScan, ctx.hostConcurrency, async (c) => {
    checkAborted(signal);
    const scan = await connectScanHost(c.address, ctx.ports.tcp, { timeoutMs: FALLBACK_CONNECT_TIMEOUT_MS, signal, concurrency: FALLBACK_PER_HOST_CONNECTS });
    checkAborted(signal);
    if (!scan.up && !c.fromRange) {
      emit({ type: 'warning', message: `${c.address} answered on none of the scanned TCP ports (the built-in scanner cannot ping): left out` });
      return;
    }
    const neighbours = await readNeighbours();
    const device: Device = {
      address: c.address,
      hostnames: [],
      name: c.address,
      identification: { type: 'unknown', confidence: 'low', sources: [] },
      services: scan.open.map((port) => {
        const svc: Service = { port, transport: 'tcp', state: 'open' };
        // Like nmap without -sV: the name the port table gives.
        const name = PORT_TABLE.get(port);
        if (name) svc.name = name;
        return svc;
      }),
    };
    const mac = neighbours.get(c.address);
    const signals = emptySignals();
    if (mac) {
      device.mac = mac;
      if (isLocallyAdministered(mac)) { device.macRandomised = true; signals.macRandomised = true; }
      const vendor = lookupVendor(mac, ctx.oui);
      if (vendor) { device.macVendor = vendor; signals.macVendor = vendor; }
    }
    const name = ctx.identifyNetwork ? await reverseDns(c.address, ctx.timeoutMs, signal) : undefined;
    if (name) { device.hostnames.push(name); signals.hostnames = [name]; }
    signals.services = device.services.map((s) => (s.name ? { port: s.port, transport: s.transport, name: s.name } : { port: s.port, transport: s.transport }));
    const finished = await finishHost(ctx, device, signals);
    checkAborted(signal);
    emit({ type: 'host', device: finished });
  }, ctx.controller);
}

/** PTR lookup through the system's resolvers, one try, short deadline. Loopback is never looked up. */
async function reverseDns(address: string, timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  if (address.startsWith('127.') || address === '::1') return undefined;
  const resolver = new dns.Resolver({ timeout: Math.min(timeoutMs, 1500), tries: 1 });
  const onAbort = () => resolver.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const names = await resolver.reverse(address);
    return cap(names[0], 253);
  } catch {
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

// ---------------------------------------------------------------------------------------------
// Import of an existing nmap XML

async function importScan(ctx: Context, file: string): Promise<void> {
  const { options, signal, emit } = ctx;
  let xml: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new DiscoveryError('io', `${file} is not a file`);
    if (info.size > MAX_NMAP_XML_BYTES) throw new DiscoveryError('xml-invalid', `${file} is larger than ${MAX_NMAP_XML_BYTES} bytes`);
    xml = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof DiscoveryError) throw e;
    throw new DiscoveryError('io', `cannot read ${file}: ${errorText(e)}`, { cause: e });
  }
  const run = parseNmapXml(xml);
  const scope = options.targets;
  const notices = [`imported ${run.hosts.length} host record(s) from ${file}${run.version ? ` (nmap ${run.version})` : ''}; no scan was run`];
  const network = ctx.identifyNetwork && scope.length > 0;
  if (ctx.identifyNetwork && scope.length === 0) notices.push('no targets given with the import: identification uses the imported data only');
  emitCapabilities(ctx, { nmap: null, privileged: ctx.priv.privileged, scanType: 'import', notices });

  const hosts: NmapHost[] = [];
  const seen = new Set<string>();
  for (const h of run.hosts) {
    if (h.state !== 'up') continue;
    const address = hostAddress(h);
    if (!address || seen.has(address)) continue;
    if (inNetworks(address, options.exclude)) continue;
    if (scope.length > 0 && !inNetworks(address, scope)) {
      emit({ type: 'warning', message: `${address} is in the imported file but outside the targets: left out` });
      continue;
    }
    seen.add(address);
    hosts.push(h);
  }
  emit({ type: 'hosts-found', addresses: hosts.map((h) => hostAddress(h)!) });
  const importCtx: Context = { ...ctx, identifyNetwork: network };
  await mapLimit(hosts, ctx.hostConcurrency, async (h) => {
    checkAborted(signal);
    const mapped = mapHost(h, ctx.oui);
    if (!mapped) return;
    const device = await finishHost(importCtx, mapped.device, mapped.signals);
    checkAborted(signal);
    emit({ type: 'host', device });
  }, ctx.controller);
}

export { canonicalAddress };
