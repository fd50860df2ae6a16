/**
 * One bounded TCP or TLS exchange for the identification collectors: connect, optionally write one
 * request, read until the peer closes, the byte cap is hit or the absolute deadline fires. Never
 * throws for network trouble: the result says what happened (HOSTILE.md: deadlines and caps on
 * every exchange, no unhandled ECONNRESET).
 */
import net from 'node:net';
import tls from 'node:tls';

export interface CertInfo {
  subject?: string;
  issuer?: string;
  /** SHA-256 of the leaf certificate DER, lower-case hex. */
  sha256?: string;
}

export interface ExchangeOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** Sent after connecting; nothing is sent when absent. */
  send?: string | Buffer;
  /** Stop reading at this many bytes (the data is cut to it). */
  maxBytes: number;
  /** Absolute deadline for the whole exchange, connect included. */
  timeoutMs: number;
  /** Stop early when this returns true for the bytes so far. */
  until?: (received: Buffer) => boolean;
  signal?: AbortSignal;
  servername?: string;
  /** Close as soon as the connection (and TLS handshake) is up: for reading the certificate only. */
  handshakeOnly?: boolean;
}

export interface ExchangeResult {
  connected: boolean;
  data: Buffer;
  truncated: boolean;
  timedOut: boolean;
  /** 'refused', 'reset', 'unreachable', 'tls', 'aborted', … when the exchange failed. */
  error?: string;
  cert?: CertInfo;
}

function formatName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  return name.split('\n').map((l) => l.trim()).filter(Boolean).join(', ').slice(0, 400);
}

function classify(e: NodeJS.ErrnoException): string {
  switch (e.code) {
    case 'ECONNREFUSED': return 'refused';
    case 'ECONNRESET': case 'EPIPE': return 'reset';
    case 'EHOSTUNREACH': case 'ENETUNREACH': case 'EHOSTDOWN': return 'unreachable';
    default: return e.code?.startsWith('ERR_SSL') || /SSL|TLS/i.test(e.message) ? 'tls' : (e.code ?? 'error').toLowerCase();
  }
}

export function exchange(options: ExchangeOptions): Promise<ExchangeResult> {
  return new Promise<ExchangeResult>((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let connected = false;
    let truncated = false;
    let done = false;
    let cert: CertInfo | undefined;

    if (options.signal?.aborted) {
      resolve({ connected: false, data: Buffer.alloc(0), truncated: false, timedOut: false, error: 'aborted' });
      return;
    }

    const socket: net.Socket = options.tls
      ? tls.connect({
        host: options.host, port: options.port, rejectUnauthorized: false,
        // Devices run old stacks: accept what they offer; we only read the certificate here.
        minVersion: 'TLSv1', ciphers: 'ALL@SECLEVEL=0',
        ...(options.servername && net.isIP(options.servername) === 0 ? { servername: options.servername } : {}),
      })
      : net.connect({ host: options.host, port: options.port });

    const finish = (extra: Partial<ExchangeResult>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners('data');
      socket.on('error', () => { /* late errors after destroy are expected */ });
      socket.destroy();
      const result: ExchangeResult = { connected, data: Buffer.concat(chunks), truncated, timedOut: false, ...extra };
      if (cert) result.cert = cert;
      resolve(result);
    };
    const onAbort = () => finish({ error: 'aborted' });
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer = setTimeout(() => finish({ timedOut: true }), options.timeoutMs);

    const onConnected = () => {
      connected = true;
      if (socket instanceof tls.TLSSocket) {
        try {
          const x509 = socket.getPeerX509Certificate();
          if (x509) {
            cert = { sha256: x509.fingerprint256.replace(/:/g, '').toLowerCase() };
            const subject = formatName(x509.subject);
            if (subject) cert.subject = subject;
            const issuer = formatName(x509.issuer);
            if (issuer) cert.issuer = issuer;
          }
        } catch { /* no certificate */ }
      }
      if (options.handshakeOnly) {
        finish({});
        return;
      }
      if (options.send !== undefined) {
        socket.write(options.send);
      }
    };
    socket.once(options.tls ? 'secureConnect' : 'connect', onConnected);
    socket.on('data', (chunk: Buffer) => {
      const room = options.maxBytes - bytes;
      if (chunk.length >= room) {
        chunks.push(chunk.subarray(0, room));
        bytes += room;
        truncated = chunk.length > room;
        finish({ truncated: true });
        return;
      }
      chunks.push(chunk);
      bytes += chunk.length;
      if (options.until?.(Buffer.concat(chunks))) finish({});
    });
    socket.on('end', () => finish({}));
    socket.on('close', () => finish({}));
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ error: classify(e) }));
  });
}
