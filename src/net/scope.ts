/**
 * Scope by construction: the net API is bound to one device address and takes ports, never hosts.
 * Raw printer ports are never dialled (DESIGN.md "Fragile ports": zero bytes to 9100–9107 and 515).
 * Pure (no node:net) so that the planner can share the port list.
 */

import { FRAGILE_TCP_PORTS } from '../data/ports.js';

/** The one list (src/data/ports.ts), under the name the net layer has always exported. */
export const FRAGILE_PORTS: readonly number[] = FRAGILE_TCP_PORTS;

export function isFragilePort(port: number): boolean {
  return FRAGILE_TCP_PORTS.includes(port);
}

export function isValidPort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** Address as it appears in a URL authority or Host header (`[::1]` for IPv6). */
export function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
