/** Discovery with nmap: host discovery, port scans in parallel batches, a version pass per host, identification. */
import { discoveryArgs, portScanArgs, PORTSCAN_ALL_PORTS_HOST_TIMEOUT_S, PORTSCAN_HOST_TIMEOUT_S, scannablePorts, versionArgs, versionCandidates, type ScanFlags } from './args.js';
import { DiscoveryError } from './errors.js';
import { mapLimit, Semaphore } from './limit.js';
import { hostAddress, hostMac, mapHost, mergeVersionInfo } from './map.js';
import { readNeighbours } from './neighbours.js';
import { runNmap } from './nmap.js';
import { inNetworks, splitByFamily } from './targets.js';
import type { NmapHost } from './xml.js';
import { PORT_TABLE, checkAborted, type Context, privilegeNotices, emitCapabilities, errorText, finishHost, reverseDns } from './scan-context.js';

/** Ports given to one version-detection pass at most. */
const MAX_VERSION_PORTS = 64;

export async function nmapScan(ctx: Context, nmap: { path: string; version: string }): Promise<void> {
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

  // Reverse DNS, ours and bounded (nmap's own waits for unreachable resolvers; discovery runs -n),
  // alongside the port scans: a host waits for its own name only once its ports are known.
  const lookups = new Semaphore(16);
  const names = new Map(addresses.map((a) => [a, ctx.identifyNetwork ? lookups.run(() => reverseDns(a, ctx.timeoutMs, signal)) : Promise.resolve(undefined)]));

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
      const discovered = withName(found.get(address)!.host, await names.get(address));
      checkAborted(signal);
      const portHost = scanned.get(address);
      if (portHost?.timedOut) emit({ type: 'warning', message: `${address}: port scan hit the ${hostTimeout} s host timeout; its port list may be incomplete` });
      else if (!portHost && !scanFailed && (scannable.tcp.length > 0 || scannable.udp.length > 0)) emit({ type: 'warning', message: `${address}: missing from the port scan output` });
      const merged: NmapHost = portHost ?? { ...discovered, ports: [] };
      if (merged.hostnames.length === 0) merged.hostnames = discovered.hostnames;
      const extraMac = hostMac(discovered)?.mac ?? neighbours.get(address);
      const mapped = mapHost(merged, ctx.oui, extraMac);
      if (!mapped) return;
      const device = await finishHost(ctx, mapped.device, mapped.signals, async (dev, telnetPorts, identifiedPorts) => {
        // ports our own collectors named (an HTTP answer) are not worth -sV's 6–11 s wait on a client-first port
        const all = versionCandidates(dev, telnetPorts).filter((p) => !identifiedPorts.includes(p));
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

/** The host with its reverse-DNS name added (once). */
function withName(host: NmapHost, name: string | undefined): NmapHost {
  if (!name || host.hostnames.some((h) => h.name === name)) return host;
  return { ...host, hostnames: [...host.hostnames, { name, type: 'PTR' }] };
}

function batchSize(hosts: number, concurrency: number): number {
  // Small batches stream best; large networks use bigger ones so nmap's own parallelism helps.
  if (hosts <= concurrency * 8) return 1;
  return Math.min(16, Math.ceil(hosts / (concurrency * 8)));
}

