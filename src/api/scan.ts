/**
 * `scan(targets, settings)`: the programmatic API. Validates everything the CLI validates (same rules,
 * same errors), then runs the scan in the background; iterate the returned object for events and await
 * `.result` for the final ScanResult. Cancel with `settings.signal`.
 */
import type { LoadedConfig } from '../targets/config.js';
import { resolveScanOptions, type ScanArgs, type ScanOptions } from '../cli/options.js';
import { PROBE_IDS } from '../probes/ids.js';
import { createChannel } from './channel.js';
import type { ScanEvent, ScanRun, ScanSettings } from './events.js';
import { runScan, type ScanHooks } from './run.js';
import { defaultDataDir } from './vuln-data.js';

/** Starts a resolved scan (the CLI's entry): events on the iterator, the result on `.result`. */
export function startScan(opts: ScanOptions, loaded: LoadedConfig | undefined, hooks: ScanHooks): ScanRun {
  const channel = createChannel<ScanEvent>();
  const result = runScan(opts, loaded, hooks, channel).then(
    (r) => { channel.push({ type: 'done', result: r }); channel.end(); return r; },
    (e: unknown) => { channel.fail(e); throw e; },
  );
  // Whoever only iterates gets the error from the iterator; an unobserved `result` must not crash the process.
  result.catch(() => undefined);
  return { result, [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator]() };
}

function toArgs(targets: readonly string[], s: ScanSettings): ScanArgs {
  return {
    targets: [...targets], safety: s.safety, ports: s.ports, allPorts: s.allPorts, exclude: s.exclude,
    allowPublic: s.allowPublic, maxHosts: s.maxHosts,
    ...(s.timeoutMs !== undefined ? { timeout: String(s.timeoutMs / 1000) } : {}),
    concurrency: s.concurrency, perHost: s.perHost, maxGuesses: s.maxGuesses, delay: s.attemptDelayMs,
    revealCredentials: s.revealCredentials, revealData: s.revealData, includeSelf: s.includeSelf, only: s.only, skip: s.skip,
    failOn: s.failOn, nmapXml: s.nmapXml, requireNmap: s.requireNmap, nmap: s.nmapPath, online: s.online,
    history: false,
  };
}

/**
 * Scans `targets` (addresses, CIDR blocks, ranges, hostnames; an empty list scans the local subnets).
 * Nothing is written to disk or the terminal; no history is recorded.
 */
export function scan(targets: string | readonly string[], settings: ScanSettings = {}): ScanRun {
  const list = typeof targets === 'string' ? [targets] : targets;
  const channel = createChannel<ScanEvent>();
  const result = (async () => {
    const { loadConfig } = await import('../targets/config.js');
    const loaded = settings.config ? await loadConfig(settings.config) : undefined;
    const opts = resolveScanOptions(toArgs(list, settings), loaded, PROBE_IDS);
    const run = startScan(opts, loaded, {
      dataDir: settings.dataDir ?? defaultDataDir(undefined),
      ...(settings.vulnDb ? { vulnDb: settings.vulnDb } : {}),
      ...(settings.signal ? { signal: settings.signal } : {}),
      ...(settings.log ? { log: settings.log } : {}),
    });
    for await (const event of run) channel.push(event);
    return run.result;
  })();
  result.then(() => channel.end(), (e: unknown) => channel.fail(e));
  result.catch(() => undefined);
  return { result, [Symbol.asyncIterator]: () => channel[Symbol.asyncIterator]() };
}
