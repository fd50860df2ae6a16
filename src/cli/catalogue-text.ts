/** Plain-text listings for `iotcop guidelines` and `iotcop probes` (pure string building). */
import { GUIDELINES } from '../guidelines/catalogue.js';
import type { AnyProbe } from '../probes/contract.js';

export function guidelinesText(): string {
  const lines: string[] = ['UK Code of Practice for Consumer IoT Security — the 13 guidelines', ''];
  for (const g of GUIDELINES) {
    const psti = g.psti ? `  UK PSTI requirement ${g.psti.number}: ${g.psti.title} (${g.psti.provisions.join(', ')})` : '';
    lines.push(`${g.id.padEnd(10)} ${g.number}. ${g.title}`);
    lines.push(`           ${g.summary}`);
    lines.push(`           Scan: ${g.testability}. ${g.scanCan}`);
    lines.push(`           ETSI EN 303 645 clause ${g.clause}: ${g.provisions.join(', ')}`);
    if (psti) lines.push(`         ${psti}`);
    if (g.testability === 'manual' || g.testability === 'partial') {
      for (const m of g.manualChecks) lines.push(`           Check by hand: ${m}`);
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

export function probesTable(probes: readonly AnyProbe[]): string {
  if (probes.length === 0) return 'No probes are registered.\n';
  const lines: string[] = [];
  for (const p of probes) {
    const a = p.meta.appliesTo;
    const applies = [
      a.scope,
      a.transport,
      a.services?.length ? `services ${a.services.join('/')}` : '',
      a.ports?.length ? `ports ${a.ports.join(',')}` : '',
      a.tls ? 'any TLS service' : '',
    ].filter(Boolean).join(', ');
    const guidelines = [...new Set(Object.values(p.meta.checks).flatMap((c) => c.guidelines))].sort((x, y) => Number(x.slice(7)) - Number(y.slice(7)));
    lines.push(`${p.meta.id}  [${p.meta.safety}]  ${p.meta.title}`);
    lines.push(`    applies to: ${applies}`);
    lines.push(`    guidelines: ${guidelines.join(', ')}   checks: ${Object.keys(p.meta.checks).join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function probesText(): Promise<string> {
  const { PROBES } = await import('../probes/registry.js');
  return probesTable(PROBES);
}
