/** Typed failures of discovery. Warnings (nmap stderr, a host that could not be identified) are events, not errors. */
export type DiscoveryErrorKind = 'nmap-missing' | 'nmap-failed' | 'bad-arguments' | 'xml-invalid' | 'aborted' | 'io';

export class DiscoveryError extends Error {
  readonly kind: DiscoveryErrorKind;
  /** nmap's exit code, when the error came from an nmap run. */
  readonly exitCode?: number | null;
  /** nmap's stderr lines (capped), when the error came from an nmap run. */
  readonly stderr?: string[];

  constructor(kind: DiscoveryErrorKind, message: string, extra?: { exitCode?: number | null; stderr?: string[]; cause?: unknown }) {
    super(message, extra?.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'DiscoveryError';
    this.kind = kind;
    if (extra?.exitCode !== undefined) this.exitCode = extra.exitCode;
    if (extra?.stderr !== undefined) this.stderr = extra.stderr;
  }
}

export function isDiscoveryError(e: unknown, kind?: DiscoveryErrorKind): e is DiscoveryError {
  return e instanceof DiscoveryError && (kind === undefined || e.kind === kind);
}
