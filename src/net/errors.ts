/**
 * What went wrong on the wire, in the closed ErrorKind vocabulary of the result model.
 * Every failure that leaves src/net is a NetError; `classifyError` maps anything else a probe or a
 * library may throw (node socket errors, ssh2/mqtt errors carrying a `code`, AbortError) onto it.
 */
import type { ErrorKind } from '../model.js';

export class NetError extends Error {
  readonly kind: ErrorKind;
  /** The node error code behind it, when there was one (ECONNRESET, ERR_SSL_…). */
  readonly code?: string;
  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NetError';
    this.kind = kind;
    if (options?.code !== undefined) this.code = options.code;
  }
}

export function isNetError(e: unknown): e is NetError {
  return e instanceof NetError;
}

const CODE_KINDS: ReadonlyMap<string, ErrorKind> = new Map<string, ErrorKind>([
  ['ECONNREFUSED', 'refused'],
  ['ECONNRESET', 'reset'],
  ['EPIPE', 'reset'],
  ['ECONNABORTED', 'reset'],
  ['ERR_STREAM_PREMATURE_CLOSE', 'reset'],
  ['ETIMEDOUT', 'timeout'],
  ['ESOCKETTIMEDOUT', 'timeout'],
  ['ERR_SOCKET_CONNECTION_TIMEOUT', 'timeout'],
  ['EHOSTUNREACH', 'unreachable'],
  ['ENETUNREACH', 'unreachable'],
  ['EHOSTDOWN', 'unreachable'],
  ['ENETDOWN', 'unreachable'],
  ['EADDRNOTAVAIL', 'unreachable'],
  ['ABORT_ERR', 'aborted'],
  ['ERR_CANCELED', 'aborted'],
  ['HPE_HEADER_OVERFLOW', 'protocol-error'],
  ['HPE_INVALID_CONSTANT', 'protocol-error'],
  ['HPE_INVALID_HEADER_TOKEN', 'protocol-error'],
  ['HPE_INVALID_STATUS', 'protocol-error'],
  ['HPE_INVALID_VERSION', 'protocol-error'],
  ['HPE_INVALID_CHUNK_SIZE', 'protocol-error'],
  ['HPE_UNEXPECTED_CONTENT_LENGTH', 'protocol-error'],
  ['ERR_BAD_RESPONSE', 'protocol-error'],
  ['ERR_FR_TOO_MANY_REDIRECTS', 'protocol-error'],
  ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls-handshake'],
  ['EPROTO', 'tls-handshake'],
]);

function codeOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const c = (e as { code: unknown }).code;
    if (typeof c === 'string') return c;
  }
  return undefined;
}

function kindOfCode(code: string | undefined): ErrorKind | undefined {
  if (code === undefined) return undefined;
  const k = CODE_KINDS.get(code);
  if (k) return k;
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) return 'tls-handshake';
  if (code.startsWith('HPE_')) return 'protocol-error';
  return undefined;
}

/** Errors that mean a bug in our code, whatever their message says. */
const PROGRAMMING_ERRORS = new Set(['TypeError', 'ReferenceError', 'RangeError', 'SyntaxError']);
const LIBRARY_PROTOCOL_ERRORS = /\b(bad packet length|packet length \d+ out of range|invalid (variable byte integer|header|packet|protocol|identification|response|message|reply|length)|malformed|protocol mismatch|bad identification|unexpected (packet|response|message|end))\b/i;

/** ErrorKind of anything thrown: NetError keeps its kind; node/library codes are mapped; the rest is `internal`. */
export function classifyError(e: unknown): ErrorKind {
  if (e instanceof NetError) return e.kind;
  const direct = kindOfCode(codeOf(e));
  if (direct) return direct;
  // Libraries (ssh2, basic-ftp) wrap the socket error: look one level down.
  if (typeof e === 'object' && e !== null && 'cause' in e) {
    const inner = (e as { cause: unknown }).cause;
    if (inner instanceof NetError) return inner.kind;
    const k = kindOfCode(codeOf(inner));
    if (k) return k;
  }
  if (e instanceof Error) {
    if (e.name === 'AbortError') return 'aborted';
    if (e.name === 'TimeoutError') return 'timeout';
    const m = e.message.slice(0, 300);
    if (/\b(alert|handshake|wrong version number|ssl|tls)\b/i.test(m)) return 'tls-handshake';
    // what client libraries (basic-ftp, ssh2, net-snmp) throw at a device that
    // stalls or talks nonsense is the device's doing, not a crash of ours: "Timeout (control socket)",
    // "connack timeout", "Bad packet length", "Invalid variable byte integer"…
    if (!PROGRAMMING_ERRORS.has(e.name)) {
      if (/\btime(?:d)?[ -]?out\b/i.test(m)) return 'timeout';
      if (LIBRARY_PROTOCOL_ERRORS.test(m)) return 'protocol-error';
    }
  }
  return 'internal';
}

/** A NetError for anything thrown, keeping the original as cause. Messages are cut to 300 characters. */
export function toNetError(e: unknown, fallback?: ErrorKind): NetError {
  if (e instanceof NetError) return e;
  const kind = classifyError(e);
  const message = e instanceof Error ? e.message : String(e);
  const code = codeOf(e);
  return new NetError(kind === 'internal' && fallback ? fallback : kind, message.slice(0, 300), {
    cause: e, ...(code === undefined ? {} : { code }),
  });
}

/** The one shape every probe stores for a failed exchange: the classified kind and the message, capped. */
export function errorDetail(e: unknown, max = 300): { kind: ErrorKind; message: string } {
  return { kind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, max) };
}
