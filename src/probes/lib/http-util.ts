/**
 * Small HTTP helpers shared by the web probes (pure): same-origin redirect targets, header access, page titles.
 */
import type { HttpResponse } from '../contract.js';

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
