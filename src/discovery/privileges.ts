/**
 * Raw-socket privileges: SYN scan, UDP scan and MAC addresses need root or CAP_NET_RAW.
 * Detection is cheap: the uid, else the effective and ambient capability masks in /proc/self/status
 * (ambient, because a capability must survive exec to reach the nmap child).
 */
import { readFile } from 'node:fs/promises';

const CAP_NET_RAW = 13n;

export interface PrivilegeInfo {
  privileged: boolean;
  /** 'root', 'cap_net_raw', 'none', or 'option' when the caller decided. */
  reason: 'root' | 'cap_net_raw' | 'none' | 'option';
  /** True when nmap needs `--privileged` to use raw sockets (capabilities without root). */
  needsPrivilegedFlag: boolean;
}

export function parseCapabilityMask(statusText: string, field: 'CapEff' | 'CapAmb'): bigint | null {
  const m = new RegExp(`^${field}:\\s*([0-9a-fA-F]+)\\s*$`, 'm').exec(statusText);
  return m ? BigInt(`0x${m[1]!}`) : null;
}

export async function detectPrivileges(override?: boolean): Promise<PrivilegeInfo> {
  const isRoot = process.getuid?.() === 0;
  if (override !== undefined) return { privileged: override, reason: 'option', needsPrivilegedFlag: override && !isRoot };
  if (isRoot) return { privileged: true, reason: 'root', needsPrivilegedFlag: false };
  try {
    const status = await readFile('/proc/self/status', 'utf8');
    const eff = parseCapabilityMask(status, 'CapEff') ?? 0n;
    const amb = parseCapabilityMask(status, 'CapAmb') ?? 0n;
    const bit = 1n << CAP_NET_RAW;
    if ((eff & bit) !== 0n && (amb & bit) !== 0n) return { privileged: true, reason: 'cap_net_raw', needsPrivilegedFlag: true };
  } catch { /* not Linux */ }
  return { privileged: false, reason: 'none', needsPrivilegedFlag: false };
}
