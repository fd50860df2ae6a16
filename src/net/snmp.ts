/**
 * The small part of net-snmp's API that iotcop uses (the package ships no type declarations), loaded
 * once. Probes call it inside ctx.net.slot(), which holds the per-host connection slot and budget while
 * net-snmp's own UDP socket is open. GET only: iotcop never sends a SET.
 */
import { lazy } from '../lazy.js';

export interface Varbind { oid: string; type: number; value: unknown }

export interface SnmpSession {
  get(oids: string[], cb: (error: Error | null, varbinds?: Varbind[]) => void): void;
  close(): void;
  on(event: 'error', listener: (e: Error) => void): void;
}

export interface NetSnmp {
  Version1: number;
  Version2c: number;
  createSession(target: string, community: string, options: Record<string, unknown>): SnmpSession;
  isVarbindError(vb: Varbind): boolean;
}

const NET_SNMP = 'net-snmp';

/** net-snmp, imported on first use (src/lazy.ts); a variable name, because the package has no types. */
export const netSnmp = lazy(async () => ((await import(NET_SNMP)) as { default: NetSnmp }).default);
