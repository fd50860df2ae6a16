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
import { setMaxListeners } from 'node:events';
import { Channel } from './channel.js';
import { DiscoveryError } from './errors.js';
import { loadOuiTable } from './mac.js';
import { canonicalAddress } from './map.js';
import { findNmap, nmapVersion } from './nmap.js';
import { resolvePorts, type PortSet } from './portspec.js';
import { detectPrivileges } from './privileges.js';
import { parseTarget } from './targets.js';
import { type Context, type Emit, checkAborted } from './scan-context.js';
import { nmapScan } from './scan-nmap.js';
import { fallbackScan } from './scan-connect.js';
import { importScan } from './scan-import.js';
import type { DiscoveryEvent, DiscoveryOptions } from './types.js';

export { DiscoveryError, isDiscoveryError, type DiscoveryErrorKind } from './errors.js';
export { identify, applyOverride, type IdentifySignals, type IdentificationOverride } from './identify.js';
export { parseNmapXml } from './xml.js';
export { parsePortSpec, resolvePorts, formatNmapPorts, type PortSet } from './portspec.js';
export type { DiscoveryEvent, DiscoveryOptions } from './types.js';
export { NMAP_MISSING_NOTICE } from './scan-context.js';

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

function validate(options: DiscoveryOptions): { ports: PortSet; hostConcurrency: number } {
  const hostConcurrency = options.hostConcurrency ?? 8;
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

export { canonicalAddress };
