/**
 * The opt-in online fetcher (`--online`): the one way a probe may reach beyond the LAN, to read a
 * vendor's published disclosure policy or to check an update server's certificate. Everything else
 * in src/net is bound to one device address; this is bound to nothing but is deliberately narrow:
 *
 * - https:// only (an http:// URL is refused before anything is sent);
 * - the host name is resolved here and every address it resolves to must be public unicast
 *   (no private, loopback, link-local, CGNAT, multicast or reserved ranges): a vendor URL in
 *   targets.yaml can never be used to reach into the LAN; the connection goes to the address that
 *   was checked (no second lookup, so no DNS rebinding);
 * - redirects are followed only to https:// URLs whose addresses pass the same check, at most 3 hops;
 * - GET or HEAD only, no cookies, no credentials, no Accept-Encoding (the byte cap counts real bytes),
 *   a body cap (256 KiB by default), an absolute deadline per fetch, and a request budget per API;
 * - certificates are not rejected but recorded: `tls.authorized` and `tls.authorizationError` say
 *   whether the chain and name verified against the system's trust store (the caller judges).
 *
 * Proposed contract addition (src/probes/contract.ts): `ProbeContext.online?: OnlineApi`, present only
 * when the run has `--online`; the runner creates one per job with the job's signal and budget.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import ipaddr from 'ipaddr.js';
import { NetError, toNetError } from './errors.js';
import { headerMap } from './http.js';

export interface OnlineFetchOptions {
  method?: 'GET' | 'HEAD';
  /** Body cap in bytes (default: the API's maxBytes). */
  maxBytes?: number;
  /** Deadline for the whole fetch, redirects included (default: the API's timeoutMs). */
  timeoutMs?: number;
}

export interface OnlineCertificate {
  subject?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  /** SHA-256 of the leaf certificate DER, lower-case hex. */
  sha256?: string;
}

export interface OnlineTls {
  /** The chain and the host name verified against the trust store. */
  authorized: boolean;
  /** Why not (node's code, e.g. DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID). */
  authorizationError?: string;
  protocol: string | null;
  certificate?: OnlineCertificate;
}

export interface OnlineResponse {
  /** The URL that answered (after redirects). */
  url: string;
  /** Redirect targets followed, in order. */
  redirects: string[];
  /** Set when a redirect was not followed (to http://, to a private address, too many hops). */
  redirectRefused?: { location: string; reason: string };
  status: number;
  /** Lower-cased header names (as the device HTTP wrapper gives them). */
  headers: Map<string, string[]>;
  body: Buffer;
  truncated: boolean;
  /** TLS of the connection that answered. */
  tls: OnlineTls;
  /** The address connected to. */
  address: string;
}

export interface OnlineApi {
  fetch(url: string, options?: OnlineFetchOptions): Promise<OnlineResponse>;
}

export interface OnlineApiOptions {
  signal?: AbortSignal;
  /** Deadline of one fetch including redirects (default 10 s). */
  timeoutMs?: number;
  /** Body cap (default 256 KiB). */
  maxBytes?: number;
  /** Redirect hops (default 3). */
  maxRedirects?: number;
  /** Requests this API may make in total, redirects included (default 8). */
  maxRequests?: number;
  /** Which resolved addresses may be contacted (default: public unicast only). Tests allow loopback. */
  allowAddress?: (address: string) => boolean;
  /** Extra trust anchors added to the system's (tests). */
  ca?: (string | Buffer)[];
  /** Name resolution (default: the system resolver, all addresses). */
  lookup?: (hostname: string) => Promise<string[]>;
}

/** Public unicast: not private, loopback, link-local, CGNAT, multicast, reserved, documentation, unspecified. */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  try {
    return ipaddr.process(address).range() === 'unicast';
  } catch {
    return false;
  }
}

async function systemLookup(hostname: string): Promise<string[]> {
  const all = await dnsLookup(hostname, { all: true, verbatim: true });
  return all.map((a) => a.address);
}

function parseHttpsUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NetError('internal', 'not a valid URL');
  }
  if (url.protocol !== 'https:') throw new NetError('out-of-scope', `only https:// URLs are fetched online (got ${url.protocol.replace(/:$/, '')})`);
  if (url.username || url.password) throw new NetError('out-of-scope', 'URLs with credentials are not fetched');
  return url;
}

function certOf(socket: tls.TLSSocket): OnlineCertificate | undefined {
  try {
    const x = socket.getPeerX509Certificate();
    if (!x) return undefined;
    return {
      subject: x.subject.replace(/\n/g, ', ').slice(0, 300),
      issuer: x.issuer.replace(/\n/g, ', ').slice(0, 300),
      validFrom: x.validFrom,
      validTo: x.validTo,
      sha256: x.fingerprint256.replace(/:/g, '').toLowerCase(),
    };
  } catch {
    return undefined;
  }
}

export function createOnlineApi(options: OnlineApiOptions = {}): OnlineApi {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxBytes ?? 256 * 1024;
  const maxRedirects = options.maxRedirects ?? 3;
  const maxRequests = options.maxRequests ?? 8;
  const allow = options.allowAddress ?? isPublicAddress;
  const resolve = options.lookup ?? systemLookup;
  const ca = options.ca ? [...tls.rootCertificates, ...options.ca.map((c) => c.toString())] : undefined;
  let used = 0;

  async function vet(url: URL): Promise<string> {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = net.isIP(host) !== 0 ? [host] : await resolve(host).catch((e: unknown) => {
      throw new NetError('unreachable', `could not resolve ${host.slice(0, 100)}: ${e instanceof Error ? e.message.slice(0, 100) : String(e)}`);
    });
    if (addresses.length === 0) throw new NetError('unreachable', `no address for ${host.slice(0, 100)}`);
    const bad = addresses.find((a) => !allow(a));
    if (bad !== undefined) throw new NetError('out-of-scope', `${host.slice(0, 100)} resolves to ${bad}, which is not a public address: not fetched`);
    return addresses[0] as string;
  }

  function once(url: URL, address: string, method: 'GET' | 'HEAD', cap: number, signal: AbortSignal): Promise<Omit<OnlineResponse, 'url' | 'redirects'>> {
    return new Promise((resolvePromise, reject) => {
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const servername = net.isIP(host) === 0 ? host : undefined;
      let tlsInfo: OnlineTls = { authorized: false, protocol: null };
      const req = https.request({
        host: address,
        port: url.port === '' ? 443 : Number(url.port),
        path: `${url.pathname}${url.search}`,
        method,
        ...(servername ? { servername } : {}),
        rejectUnauthorized: false,
        ...(ca ? { ca } : {}),
        agent: false,
        headers: {
          Host: url.host,
          'User-Agent': 'iotcop (online check; https://github.com/iotcop/iotcop)',
          Accept: '*/*',
          'Accept-Encoding': 'identity',
          Connection: 'close',
        },
        signal,
      });
      req.on('socket', (s) => {
        const socket = s as tls.TLSSocket;
        socket.once('secureConnect', () => {
          const err = socket.authorizationError as unknown;
          tlsInfo = {
            authorized: socket.authorized,
            protocol: socket.getProtocol() ?? null,
            ...(err ? { authorizationError: (err instanceof Error ? err.message : String(err)).slice(0, 200) } : {}),
          };
          const cert = certOf(socket);
          if (cert) tlsInfo.certificate = cert;
        });
      });
      req.on('error', (e) => reject(signal.aborted && signal.reason instanceof NetError ? signal.reason : toNetError(e)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        let truncated = false;
        const done = (): void => resolvePromise({
          status: res.statusCode ?? 0, headers: headerMap(res.rawHeaders), body: Buffer.concat(chunks), truncated, tls: tlsInfo, address,
        });
        if (method === 'HEAD') { res.resume(); res.once('end', done); res.once('close', done); return; }
        res.on('data', (chunk: Buffer) => {
          if (truncated) return;
          const room = cap - bytes;
          if (chunk.length > room) {
            chunks.push(chunk.subarray(0, Math.max(0, room)));
            bytes = cap;
            truncated = true;
            done();
            req.destroy();
            return;
          }
          chunks.push(chunk);
          bytes += chunk.length;
        });
        res.once('end', done);
        res.once('error', (e) => reject(toNetError(e)));
        res.once('close', done);
      });
      req.end();
    });
  }

  return {
    async fetch(rawUrl, fetchOptions = {}) {
      const method = fetchOptions.method ?? 'GET';
      const cap = fetchOptions.maxBytes ?? maxBytes;
      const deadline = AbortSignal.timeout(fetchOptions.timeoutMs ?? timeoutMs);
      const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
      let url = parseHttpsUrl(rawUrl);
      const redirects: string[] = [];
      for (;;) {
        if (signal.aborted) throw deadline.aborted ? new NetError('timeout', 'online fetch did not finish in time') : new NetError('aborted', 'online fetch aborted');
        if (used >= maxRequests) throw new NetError('budget-exceeded', `online request budget of ${maxRequests} exhausted`);
        const address = await vet(url);
        used += 1;
        let res: Omit<OnlineResponse, 'url' | 'redirects'>;
        try {
          res = await once(url, address, method, cap, signal);
        } catch (e) {
          if (deadline.aborted) throw new NetError('timeout', 'online fetch did not finish in time');
          throw toNetError(e);
        }
        const location = res.headers.get('location')?.[0];
        if (res.status >= 300 && res.status < 400 && location !== undefined) {
          let next: URL | undefined;
          let reason: string | undefined;
          try {
            next = new URL(location, url);
            if (next.protocol !== 'https:') reason = `redirect to ${next.protocol.replace(/:$/, '')}:// (not followed)`;
            else if (redirects.length >= maxRedirects) reason = `more than ${maxRedirects} redirects`;
            else await vet(next);
          } catch (e) {
            reason = e instanceof NetError ? e.message : 'bad redirect location';
          }
          if (reason === undefined && next) {
            redirects.push(next.href);
            url = next;
            continue;
          }
          return { ...res, url: url.href, redirects, redirectRefused: { location: location.slice(0, 300), reason: reason ?? 'not followed' } };
        }
        return { ...res, url: url.href, redirects };
      }
    },
  };
}
