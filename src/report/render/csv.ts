/**
 * CSV report: one row per finding (every status), for spreadsheets and quick filtering.
 * RFC 4180: CRLF line ends, every text cell quoted. Every cell goes through csvCell, which
 * neutralises formulas (a leading `= + - @`, tab, CR or LF gets a `'`) and makes control
 * characters visible. Evidence is compact JSON, capped below Excel's 32,767-character cell limit.
 */
import type { ScanResult } from '../../model.js';
import { clip, csvCell } from '../escape.js';
import { compareFindings, naturalCompare, type RenderOptions } from './common.js';

export const CSV_COLUMNS = [
  'finding_id', 'device_address', 'device_name', 'status', 'severity', 'confidence', 'check', 'probe',
  'guidelines', 'provisions', 'port', 'transport', 'title', 'summary', 'remediation',
  'credential_username', 'credential_password', 'credential_masked', 'error_kind', 'error_message', 'evidence',
] as const;

const EVIDENCE_MAX = 32_000;

export function renderCsv(result: ScanResult, _options: RenderOptions): string {
  const names = new Map(result.devices.map((d) => [d.address, d.name]));
  const findings = [...result.findings].sort((a, b) => naturalCompare(a.device, b.device) || compareFindings(a, b));
  const rows: string[] = [CSV_COLUMNS.map((c) => csvCell(c)).join(',')];
  for (const f of findings) {
    let evidence = '';
    try {
      evidence = JSON.stringify(f.evidence) ?? '';
    } catch {
      evidence = '';
    }
    const cells: Record<(typeof CSV_COLUMNS)[number], string | number | boolean | undefined> = {
      finding_id: f.id,
      device_address: f.device,
      device_name: names.get(f.device) ?? '',
      status: f.status,
      severity: f.severity,
      confidence: f.confidence,
      check: f.check,
      probe: f.probe,
      guidelines: f.guidelines.join(' '),
      provisions: f.provisions.join(' '),
      port: f.port,
      transport: f.port !== undefined ? f.transport ?? 'tcp' : undefined,
      title: f.title,
      summary: f.summary ?? '',
      remediation: f.remediation,
      credential_username: f.credential?.username,
      credential_password: f.credential?.password,
      credential_masked: f.credential?.masked,
      error_kind: f.error?.kind,
      error_message: f.error?.message,
      evidence: clip(evidence, EVIDENCE_MAX),
    };
    rows.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return `${rows.join('\r\n')}\r\n`;
}
