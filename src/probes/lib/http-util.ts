/**
 * Small HTTP helpers shared by the web probes (pure): same-origin redirect targets, header access, page titles.
 */
import type { HttpResponse } from '../contract.js';
import type { Service } from '../../model.js';

/** Bytes of a body searched for a <title>. */
export const TITLE_SCAN_BYTES = 16 * 1024;

/** Whether a web service speaks TLS (nmap's service name, the TLS details, or the usual ports when unnamed). */
export function isTlsService(service: Service | undefined, port: number): boolean {
  if (service?.tls?.enabled === true) return true;
  const name = service?.name?.toLowerCase() ?? '';
  return name === 'https' || name === 'https-alt' || name.startsWith('ssl/') || (name === '' && (port === 443 || port === 8443));
}

/** The page title: escape sequences, control and bidi characters removed, whitespace collapsed, ≤ 200 characters. */
export function titleOf(body: Buffer): string | null {
  const text = body.subarray(0, TITLE_SCAN_BYTES).toString('utf8');
  const m = /<title[^>]{0,100}>([^<]{0,300})<\/title>/i.exec(text);
  const t = m?.[1]
    // eslint-disable-next-line no-control-regex
    ?.replace(/\x1b\[[0-?]{0,20}[ -/]{0,5}[@-~]?/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]+/g, ' ').replace(/\s+/g, ' ').trim();
  return t ? t.slice(0, 200) : null;
}

/** Same-origin path of a Location header, or undefined (other hosts, ports or schemes are never followed). */
export function sameOriginPath(location: string | undefined, address: string, port: number, tls: boolean): string | undefined {
  if (!location) return undefined;
  const loc = location.trim().slice(0, 1000);
  if (loc.startsWith('/') && !loc.startsWith('//')) return /[\s\\]/.test(loc) ? undefined : loc;
  try {
    const base = `${tls ? 'https' : 'http'}://${address.includes(':') ? `[${address}]` : address}:${port}/`;
    const u = new URL(loc, base);
    const b = new URL(base);
    if (u.protocol !== b.protocol || u.hostname !== b.hostname || (u.port || (tls ? '443' : '80')) !== String(port)) return undefined;
    return `${u.pathname}${u.search}`;
  } catch {
    return undefined;
  }
}

/** The first value of a response header (names are lower-case in HttpResponse). */
export function firstHeader(res: Pick<HttpResponse, 'headers'> | { headers: ReadonlyMap<string, string[]> }, name: string): string | undefined {
  return res.headers.get(name)?.[0];
}
