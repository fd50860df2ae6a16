/**
 * The one HTTP wrapper: node:http/https with no redirects followed, every status returned, no
 * decompression and no Accept-Encoding (so the byte cap counts what we keep), an abort signal that
 * bounds the whole exchange including a slow body, a body cap that truncates instead of failing, an
 * https agent that accepts any certificate and records it, no proxy, and the Host header of the device.
 *
 * Until issue 18 this wrapped axios (LIBRARIES.md's choice). Every axios option iotcop set turned one
 * of its features off, and importing it cost 21 MB of resident memory in every scan (BENCHMARKS.md
 * "Memory"), so the wrapper now calls node's client directly and keeps what axios did on the wire: the
 * path as WHATWG URL parsing normalises it, and axios's default Accept header (devices answered it
 * before; no check result may change because the client did).
 *
 * Per-host limit: each request gets its own agent (keepAlive off, one socket), holds one limiter slot
 * and one budget unit from before the connect until its socket has closed. Only that agent opens a
 * socket, so the limit holds.
 */
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import type { HttpRequest, HttpResponse, TlsDetails } from './types.js';
import { NetError, toNetError } from './errors.js';
import { abortedError } from './limits.js';
import { admit, tlsCipherOptions, tlsDetailsOf, type DialContext } from './dial.js';
import { hostForUrl } from './scope.js';

type Capture = (socket: net.Socket) => void;

class CapturingHttpAgent extends http.Agent {
  constructor(private readonly capture: Capture) { super({ keepAlive: false, maxSockets: 1 }); }
  override createConnection(options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const socket = super.createConnection(options, callback) as net.Socket;
    this.capture(socket);
    return socket;
  }
}

class CapturingHttpsAgent extends https.Agent {
  constructor(private readonly capture: Capture) {
    super({ keepAlive: false, maxSockets: 1, rejectUnauthorized: false, ...tlsCipherOptions({}) });
  }
  override createConnection(options: https.RequestOptions, callback?: (err: Error | null, stream: Duplex) => void): Duplex {
    const socket = super.createConnection(options, callback) as net.Socket;
    this.capture(socket);
    return socket;
  }
}

/** What axios sent as Accept when the caller gave none (kept so devices see the same request as before). */
const DEFAULT_ACCEPT = 'application/json, text/plain, */*';

/** Names whose repeated values stay separate entries (their values may contain commas). */
const KEEP_SEPARATE = new Set(['set-cookie', 'www-authenticate', 'proxy-authenticate']);

/** Header map from node's rawHeaders: lower-cased names, repeats joined with ", " except the KEEP_SEPARATE ones. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    const value = rawHeaders[i + 1] ?? '';
    const prev = map.get(name);
    if (!prev) map.set(name, [value]);
    else if (KEEP_SEPARATE.has(name)) prev.push(value);
    else prev[0] = `${prev[0] ?? ''}, ${value}`;
  }
  return map;
}

function validatePath(path: string): void {
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || /[\s\\]/.test(path.slice(0, 1))) {
    throw new NetError('out-of-scope', 'HTTP path must be an absolute path on the device ("/…")');
  }
  if (/[\r\n\0]/.test(path)) throw new NetError('internal', 'HTTP path contains a control character');
}

/** Largest request body the wrapper sends (login forms and JSON logins are far smaller). */
export const HTTP_MAX_REQUEST_BODY = 16 * 1024;

/** The request body as bytes, or undefined; throws when a body is not allowed or too large. */
function requestBody(req: HttpRequest): Buffer | undefined {
  const method = req.method ?? 'GET';
  if (req.body === undefined) return method === 'POST' ? Buffer.alloc(0) : undefined;
  if (method !== 'POST') throw new NetError('internal', `HTTP ${method} must not carry a body`);
  const body = Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  if (body.length > HTTP_MAX_REQUEST_BODY) throw new NetError('internal', `HTTP request body of ${body.length} bytes exceeds ${HTTP_MAX_REQUEST_BODY}`);
  if (req.contentType !== undefined && (/[\r\n\0]/.test(req.contentType) || req.contentType.length > 200)) throw new NetError('internal', 'HTTP Content-Type contains a control character');
  return body;
}

export async function httpRequest(ctx: DialContext, req: HttpRequest): Promise<HttpResponse> {
  validatePath(req.path);
  const body = requestBody(req);
  const release = await admit(ctx, `http ${req.port}`, req.port);
  const authority = `${hostForUrl(ctx.address)}:${req.port}`;
  const url = `${req.tls ? 'https' : 'http'}://${authority}${req.path}`;
  const parsed = new URL(url);
  const defaultPort = req.port === (req.tls ? 443 : 80);
  if (parsed.hostname !== hostForUrl(ctx.address) || (parsed.port !== String(req.port) && !(parsed.port === '' && defaultPort))) {
    release();
    throw new NetError('out-of-scope', 'HTTP request would leave the device');
  }
  const maxBytes = req.maxBytes ?? ctx.defaults.httpMaxBytes;
  const timeoutMs = Math.min(req.timeoutMs ?? ctx.defaults.httpTimeoutMs, Math.max(0, ctx.deadlineAt - Date.now()));
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new NetError('timeout', `HTTP exchange not done within ${timeoutMs} ms`)), Math.max(1, timeoutMs));
  const signal = AbortSignal.any([ctx.signal, deadline.signal]);

  let socket: net.Socket | undefined;
  let tlsInfo: TlsDetails | undefined;
  let gotResponse = false;
  const capture: Capture = (s) => {
    socket = s;
    s.on('error', () => undefined);
    s.once('close', release);
    s.once('connect', () => ctx.onConnect?.({ kind: req.tls ? 'https' : 'http', port: req.port }));
    if (s instanceof tls.TLSSocket) s.once('secureConnect', () => { tlsInfo = tlsDetailsOf(s); });
  };
  const agent = req.tls ? new CapturingHttpsAgent(capture) : new CapturingHttpAgent(capture);
  const onAbort = (): void => { socket?.destroy(); };
  signal.addEventListener('abort', onAbort, { once: true });

  // axios's default Accept goes first, as axios sent it, unless the caller gave its own.
  const given = Object.entries(req.headers ?? {}).filter(([k, v]) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) && !/[\r\n\0]/.test(v));
  const headers: Record<string, string> = given.some(([k]) => k.toLowerCase() === 'accept') ? {} : { Accept: DEFAULT_ACCEPT };
  for (const [k, v] of given) {
    // one entry per name, whatever its case (the last given wins), and never an Accept-Encoding: the cap must count real bytes
    for (const old of Object.keys(headers)) if (old.toLowerCase() === k.toLowerCase()) delete headers[old];
    if (k.toLowerCase() !== 'accept-encoding') headers[k] = v;
  }
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'host') delete headers[k];
  headers['Host'] = defaultPort ? hostForUrl(ctx.address) : authority;
  if (!Object.keys(headers).some((k) => k.toLowerCase() === 'user-agent')) headers['User-Agent'] = 'iotcop';
  if (body !== undefined) {
    for (const k of Object.keys(headers)) if (/^content-(?:type|length)$/i.test(k)) delete headers[k];
    headers['Content-Type'] = req.contentType ?? 'application/x-www-form-urlencoded';
    headers['Content-Length'] = String(body.length);
  }

  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  let headersOut = new Map<string, string[]>();
  let response: http.IncomingMessage | undefined;
  try {
    const request = (req.tls ? https : http).request({
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: req.port,
      path: parsed.pathname + parsed.search,
      method: req.method ?? 'GET',
      headers,
      agent,
      signal,
    });
    response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
      request.end(body);
    });
    const res = response;
    res.on('error', () => undefined); // while the loop below reads, it throws the error itself; after it stopped, the error is not ours
    gotResponse = true;
    ctx.breaker?.record(ctx.address, 'healthy');
    headersOut = headerMap(res.rawHeaders);
    if ((req.method ?? 'GET') !== 'HEAD') {
      for await (const chunk of res) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        const room = maxBytes - bytes;
        if (buf.length > room) {
          if (room > 0) chunks.push(buf.subarray(0, room));
          bytes = maxBytes;
          truncated = true;
          break;
        }
        chunks.push(buf);
        bytes += buf.length;
      }
    }
    return {
      status: res.statusCode ?? 0,
      headers: headersOut,
      body: Buffer.concat(chunks),
      truncated,
      ...(tlsInfo ? { tls: tlsInfo } : {}),
    };
  } catch (e) {
    if (ctx.signal.aborted) throw abortedError(ctx.signal);
    if (deadline.signal.aborted) throw deadline.signal.reason instanceof NetError ? deadline.signal.reason : new NetError('timeout', 'HTTP deadline reached');
    const err = toNetError(e);
    if (!gotResponse) {
      if (err.kind === 'refused') ctx.breaker?.record(ctx.address, 'healthy');
      else if (err.kind === 'timeout' || err.kind === 'reset' || err.kind === 'unreachable') ctx.breaker?.record(ctx.address, 'failure');
    }
    if (err.kind === 'internal') throw new NetError('protocol-error', err.message, { cause: e });
    throw err;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    response?.destroy();
    socket?.destroy();
    agent.destroy();
    if (!socket) release();
  }
}
