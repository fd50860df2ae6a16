/** Discovery from an existing nmap XML file (--nmap-xml): its hosts, filtered to the targets, then identification. */
import { readFile, stat } from 'node:fs/promises';
import { DiscoveryError } from './errors.js';
import { mapLimit } from './limit.js';
import { hostAddress, mapHost } from './map.js';
import { inNetworks } from './targets.js';
import { MAX_NMAP_XML_BYTES, parseNmapXml, type NmapHost } from './xml.js';
import { checkAborted, type Context, emitCapabilities, errorText, finishHost } from './scan-context.js';

export async function importScan(ctx: Context, file: string): Promise<void> {
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

