/**
 * nmap argument arrays (pure). Every run writes XML to stdout (`-oX -`), and targets always follow
 * `--` so nothing in them can be read as an option.
 */
import { NO_VERSION_DETECTION_TCP, OWN_IDENTIFICATION_TCP, TELNET_SERVICE_NAMES } from '../data/ports.js';
import type { Device } from '../model.js';
import { compressPorts, formatNmapPorts, type PortSet } from './portspec.js';

export interface ScanFlags {
  privileged: boolean;
  /** Raw sockets through capabilities (not root): nmap needs --privileged. */
  needsPrivilegedFlag: boolean;
  family: 4 | 6;
}

export const DISCOVERY_HOST_TIMEOUT_S = 30;
export const PORTSCAN_HOST_TIMEOUT_S = 180;
export const PORTSCAN_ALL_PORTS_HOST_TIMEOUT_S = 900;
export const VERSION_HOST_TIMEOUT_S = 120;

const COMMON = ['-oX', '-', '--noninteractive', '-T4', '--max-retries', '1'];

function privilegeFlags(f: ScanFlags): string[] {
  if (!f.privileged) return ['--unprivileged'];
  return f.needsPrivilegedFlag ? ['--privileged'] : [];
}

function familyFlags(f: ScanFlags): string[] {
  return f.family === 6 ? ['-6'] : [];
}

/**
 * Host discovery (`-sn`): ARP/ND on the local link when privileged, TCP connects to 80/443 otherwise.
 * `-n`: reverse DNS is done by discovery itself with a short deadline (nmap waits about 15 s when
 * the configured resolver is unreachable).
 * `--min-rate 500 --min-parallelism 64`: without them nmap's congestion control, starved of answers
 * by a mostly empty /24, sends slowly and the sweep took 1.8 s on the lab; with them 0.8 s, the same
 * 25 hosts (nmap still waits its usual timeout for each probe, so slow answerers are not lost). A /24
 * is 256 ARP requests (512 TCP connects without root) and at most one retry each: about a second.
 */
const SWEEP_PACE = ['--min-rate', '500', '--min-parallelism', '64'];

export function discoveryArgs(targets: readonly string[], exclude: readonly string[], flags: ScanFlags): string[] {
  return [
    ...COMMON, '-n', '-sn', '--host-timeout', `${DISCOVERY_HOST_TIMEOUT_S}s`, ...SWEEP_PACE,
    ...privilegeFlags(flags), ...familyFlags(flags),
    ...(exclude.length > 0 ? ['--exclude', exclude.join(',')] : []),
    '--', ...targets,
  ];
}

/** What a port scan can cover: UDP only with raw sockets. */
export function scannablePorts(ports: PortSet, privileged: boolean): PortSet {
  return { tcp: ports.tcp, udp: privileged ? ports.udp : [] };
}

/** Port scan of hosts known to be up (`-Pn`), no name resolution (`-n`; names came from discovery). */
export function portScanArgs(hosts: readonly string[], ports: PortSet, flags: ScanFlags, hostTimeoutS = PORTSCAN_HOST_TIMEOUT_S): string[] {
  const set = scannablePorts(ports, flags.privileged);
  const types: string[] = [];
  if (set.tcp.length > 0) types.push(flags.privileged ? '-sS' : '-sT');
  if (set.udp.length > 0) types.push('-sU');
  return [
    ...COMMON, '-n', '-Pn', '--host-timeout', `${hostTimeoutS}s`,
    ...types, '-p', formatNmapPorts(set),
    ...privilegeFlags(flags), ...familyFlags(flags),
    '--', ...hosts,
  ];
}

/** Version detection, second pass, on one host's open TCP ports that may receive probes. */
export function versionArgs(host: string, tcpPorts: readonly number[], flags: ScanFlags): string[] {
  return [
    ...COMMON, '-n', '-Pn', '--host-timeout', `${VERSION_HOST_TIMEOUT_S}s`,
    flags.privileged ? '-sS' : '-sT', '-sV', '--version-light',
    // ssh-hostkey (safe, one handshake per SSH port) gives the host key fingerprints that the shared-keys
    // probe compares across devices (guideline 4).
    '--script', 'ssh-hostkey', '--script-timeout', '8s',
    '-p', `T:${compressPorts(tcpPorts)}`,
    ...privilegeFlags(flags), ...familyFlags(flags),
    '--', host,
  ];
}

/**
 * Open TCP ports that get version detection: never telnet (by port, by nmap's name, or because the
 * service negotiated telnet options), never the printer ports, and not the ports our own collectors
 * identify faster (OWN_IDENTIFICATION_TCP).
 */
export function versionCandidates(device: Device, telnetPorts: readonly number[] = []): number[] {
  return device.services
    .filter((s) => s.transport === 'tcp' && s.state === 'open')
    .filter((s) => !NO_VERSION_DETECTION_TCP.includes(s.port))
    .filter((s) => !OWN_IDENTIFICATION_TCP.includes(s.port))
    .filter((s) => !(s.name !== undefined && TELNET_SERVICE_NAMES.includes(s.name)))
    .filter((s) => !telnetPorts.includes(s.port))
    .map((s) => s.port);
}
