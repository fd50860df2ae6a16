/**
 * HTTP identification: GET / over plain TCP or TLS with a byte cap and an absolute deadline; no
 * redirects followed. Gives the page title, the Server header, the Basic/Digest realm and (over TLS)
 * the certificate subject.
 */
import { bytesToText, cap } from '../text.js';
import { exchange, type CertInfo } from './socket.js';

export const HTTP_MAX_BYTES = 64 * 1024;

export interface HttpIdent {
  port: number;
  tls: boolean;
  status?: number;
  title?: string;
  server?: string;
  realm?: string;
  cert?: CertInfo;
  /** Set when the exchange failed (refused, timeout, tls…). */
  error?: string;
}

export interface ParsedHttp {
  status: number;
  headers: Map<string, string[]>;
  body: Buffer;
}

/** Parses a raw HTTP/1.x response (headers must be complete; the body may be cut). */
export function parseHttpResponse(raw: Buffer): ParsedHttp | undefined {
  const end = raw.indexOf('\r\n\r\n');
  const altEnd = end === -1 ? raw.indexOf('\n\n') : -1;
  const headEnd = end !== -1 ? end : altEnd;
  const head = (headEnd === -1 ? raw : raw.subarray(0, headEnd)).toString('latin1');
  const body = headEnd === -1 ? Buffer.alloc(0) : raw.subarray(headEnd + (end !== -1 ? 4 : 2));
  const lines = head.split(/\r?\n/);
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers = new Map<string, string[]>();
  for (const line of lines.slice(1, 200)) {
    const idx = line.indexOf(':');
    if (idx <= 0) continue;
    const name = line.slice(0, idx).trim().toLowerCase().slice(0, 100);
    const value = line.slice(idx + 1).trim().slice(0, 2000);
    const list = headers.get(name) ?? [];
    list.push(value);
    headers.set(name, list);
  }
  return { status: Number(m[1]), headers, body };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, ent: string) => {
    if (ent[0] === '#') {
      const code = ent[1] === 'x' || ent[1] === 'X' ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ent.toLowerCase()] ?? whole;
  });
}

/** The first <title> of an HTML body (searched in the capped body only). */
export function extractTitle(body: Buffer): string | undefined {
  const text = bytesToText(body.subarray(0, HTTP_MAX_BYTES));
  const m = /<title[^>]{0,200}>([^<]{0,2000})<\/title/i.exec(text);
  if (!m) return undefined;
  return cap(decodeEntities(m[1]!).replace(/\s+/g, ' '));
}

export function extractRealm(values: string[] | undefined): string | undefined {
  for (const v of values ?? []) {
    const m = /realm\s*=\s*"([^"]{0,400})"/i.exec(v) ?? /realm\s*=\s*([^\s,]{1,200})/i.exec(v);
    if (m) return cap(m[1]);
  }
  return undefined;
}

export function hostHeader(host: string, port: number, tls: boolean): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return (tls && port === 443) || (!tls && port === 80) ? h : `${h}:${port}`;
}

export async function httpIdentify(host: string, port: number, useTls: boolean, timeoutMs: number, signal?: AbortSignal): Promise<HttpIdent> {
  const request = `GET / HTTP/1.0\r\nHost: ${hostHeader(host, port, useTls)}\r\nUser-Agent: iotcop (device identification)\r\nAccept: text/html,*/*\r\nConnection: close\r\n\r\n`;
  const r = await exchange({ host, port, tls: useTls, send: request, maxBytes: HTTP_MAX_BYTES, timeoutMs, signal });
  const out: HttpIdent = { port, tls: useTls };
  if (r.cert) out.cert = r.cert;
  const parsed = parseHttpResponse(r.data);
  if (!parsed) {
    out.error = r.error ?? (r.timedOut ? 'timeout' : 'not-http');
    return out;
  }
  out.status = parsed.status;
  const server = cap(parsed.headers.get('server')?.[0]);
  if (server) out.server = server;
  const realm = extractRealm(parsed.headers.get('www-authenticate'));
  if (realm) out.realm = realm;
  const title = extractTitle(parsed.body);
  if (title) out.title = title;
  return out;
}

/** TLS handshake only: the certificate of a non-HTTP TLS service. */
export async function tlsCertificate(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<CertInfo | undefined> {
  const r = await exchange({ host, port, tls: true, maxBytes: 1, timeoutMs, signal, handshakeOnly: true });
  return r.cert;
}
