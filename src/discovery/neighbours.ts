/**
 * The kernel's IPv4 neighbour table (/proc/net/arp, of the current network namespace): after the
 * fallback scanner or an unprivileged nmap run has talked to a host on the local link, its MAC
 * address is there without raw sockets.
 */
import { readFile } from 'node:fs/promises';

/** Parses /proc/net/arp text into address → MAC (lower-case, colon-separated); incomplete entries are skipped. */
export function parseProcNetArp(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4) continue;
    const [ip, , flags, mac] = cols as [string, string, string, string];
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || !/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/i.test(mac)) continue;
    if ((parseInt(flags, 16) & 0x2) === 0) continue; // ATF_COM: entry complete
    if (mac === '00:00:00:00:00:00') continue;
    out.set(ip, mac.toLowerCase());
  }
  return out;
}

export async function readNeighbours(file = '/proc/net/arp'): Promise<Map<string, string>> {
  try {
    return parseProcNetArp(await readFile(file, 'utf8'));
  } catch {
    return new Map();
  }
}
