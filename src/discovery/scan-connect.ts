/** Discovery without nmap: liveness probes and the built-in TCP connect scan over the same port list. */
import type { Device, Service } from '../model.js';
import { connectScanHost, isAlive, LIVENESS_PORTS } from './fallback.js';
import { emptySignals } from './identify.js';
import { mapLimit } from './limit.js';
import { isLocallyAdministered, lookupVendor } from './mac.js';
import { readNeighbours } from './neighbours.js';
import { expandTargets } from './targets.js';
import { NMAP_MISSING_NOTICE, PORT_TABLE, checkAborted, type Context, emitCapabilities, finishHost, reverseDns } from './scan-context.js';

const FALLBACK_MAX_ADDRESSES = 65_536;
const FALLBACK_CONNECT_TIMEOUT_MS = 1500;
const FALLBACK_LIVENESS_TIMEOUT_MS = 1000;
const FALLBACK_PER_HOST_CONNECTS = 32;
const FALLBACK_LIVENESS_CONCURRENCY = 128;

export async function fallbackScan(ctx: Context): Promise<void> {
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

