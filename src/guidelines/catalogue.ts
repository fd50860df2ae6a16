/**
 * The 13 guidelines of the UK Code of Practice for Consumer IoT Security (DCMS/NCSC, October 2018),
 * the ETSI EN 303 645 provisions that grew out of each (clause 5.N keeps the same order), and the
 * UK PSTI legal requirement each carries. Data, not code: see ../shared/GUIDELINES.md.
 */
import type { GuidelineId, GuidelineNumber } from '../model.js';

export type Testability = 'network' | 'partial' | 'intrusive-only' | 'manual';

export interface PstiRequirement {
  number: 1 | 2 | 3;
  title: string;
  provisions: string[];
}

export interface Guideline {
  id: GuidelineId;
  number: GuidelineNumber;
  title: string;
  /** One or two sentences a non-expert understands. */
  summary: string;
  /** What a network scan can decide about it. */
  testability: Testability;
  scanCan: string;
  /** What a person has to check by hand (documents, device settings, vendor site). */
  manualChecks: string[];
  /** EN 303 645 clause (5.N) and the provisions that exist under it. */
  clause: string;
  provisions: string[];
  psti?: PstiRequirement;
}

function range(clause: string, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${clause}-${i + 1}`);
}

export const GUIDELINES: readonly Guideline[] = [
  {
    id: 'uk-cop-1', number: 1, title: 'No default passwords',
    summary: 'Every device must have a unique password, or make you set one. A password printed in a manual or shared by every device of a model lets anyone on the network take over.',
    testability: 'partial',
    scanCan: 'Fail when a known or vendor default credential (or one derived from the MAC address or serial number the device discloses) logs in. A scan can never prove that no default exists.',
    manualChecks: [
      'The setup process forces you to choose a password, or the device came with a password unique to it (for example printed on its own label).',
      'Passwords for every account (web, app, SSH, Telnet) were changed from what the manual lists.',
    ],
    clause: '5.1', provisions: range('5.1', 5),
    psti: { number: 1, title: 'No universal default passwords', provisions: ['5.1-1', '5.1-2'] },
  },
  {
    id: 'uk-cop-2', number: 2, title: 'Implement a vulnerability disclosure policy',
    summary: 'The maker must publish how to report a security problem and what happens next, so that flaws get fixed instead of exploited.',
    testability: 'partial',
    scanCan: 'Checks /.well-known/security.txt on the device\'s web interfaces (RFC 9116) and, where configured, the vendor\'s published policy. Absence on the device alone is not a violation: the policy may be on the vendor\'s website.',
    manualChecks: [
      'The vendor\'s website or the product documentation names a contact for reporting security issues.',
      'The policy says when reporters will hear back.',
    ],
    clause: '5.2', provisions: range('5.2', 3),
    psti: { number: 2, title: 'Information on how to report security issues', provisions: ['5.2-1'] },
  },
  {
    id: 'uk-cop-3', number: 3, title: 'Keep software updated',
    summary: 'Devices must receive security updates for a stated period, and get them safely. Old software with known holes is the most common way in.',
    testability: 'partial',
    scanCan: 'Flags software versions the device reveals that are known to be vulnerable or out of support, update services reachable from the network, and update addresses served without proper encryption. It cannot see whether updates are signed or how long support lasts.',
    manualChecks: [
      'The vendor states the minimum period for which the device receives security updates, and it has not ended.',
      'Automatic updates are switched on, or you install updates when offered.',
    ],
    clause: '5.3', provisions: range('5.3', 16),
    psti: { number: 3, title: 'Information on minimum security update periods', provisions: ['5.3-13'] },
  },
  {
    id: 'uk-cop-4', number: 4, title: 'Securely store credentials and security-sensitive data',
    summary: 'Secrets such as keys and passwords must not be built into the software where anyone can extract them.',
    testability: 'partial',
    scanCan: 'Detects the same SSH host key or TLS certificate on several devices (keys baked into firmware) and keys known to have leaked publicly.',
    manualChecks: ['The vendor documents that each device gets its own keys and certificates.'],
    clause: '5.4', provisions: range('5.4', 4),
  },
  {
    id: 'uk-cop-5', number: 5, title: 'Communicate securely',
    summary: 'Logins and personal data must travel encrypted with current protocols, so nobody on the network can read or change them.',
    testability: 'network',
    scanCan: 'Finds cleartext services that carry logins (Telnet, FTP, HTTP without TLS, MQTT without TLS, SNMP v1/v2c), outdated TLS versions, weak ciphers, bad certificates and weak SSH algorithms.',
    manualChecks: ['The companion app and cloud service use encrypted connections (check the vendor\'s documentation).'],
    clause: '5.5', provisions: range('5.5', 8),
  },
  {
    id: 'uk-cop-6', number: 6, title: 'Minimise exposed attack surfaces',
    summary: 'A device should only run the network services it needs. Every extra open door, such as a debug port, is another way in.',
    testability: 'network',
    scanCan: 'Compares open ports with what the device is expected to offer, finds debug and legacy services (Telnet, ADB, TR-069, UPnP IGD) and information given away without logging in.',
    manualChecks: ['Services you do not use (remote access, UPnP, cloud features) are switched off in the device settings.'],
    clause: '5.6', provisions: range('5.6', 9),
  },
  {
    id: 'uk-cop-7', number: 7, title: 'Ensure software integrity',
    summary: 'The device should check that its software has not been tampered with, for example by secure boot and signed updates.',
    testability: 'manual',
    scanCan: 'Nothing: this needs access to the device or its documentation.',
    manualChecks: [
      'The vendor documents secure boot or another integrity check of the firmware.',
      'Updates are cryptographically signed and the device refuses unsigned ones.',
    ],
    clause: '5.7', provisions: range('5.7', 2),
  },
  {
    id: 'uk-cop-8', number: 8, title: 'Ensure that personal data is protected',
    summary: 'Personal data (camera images, presence, location, names) must only be readable by those you allow.',
    testability: 'partial',
    scanCan: 'Finds data anyone on the network can read without logging in: MQTT topics, CoAP resources, anonymous FTP, camera streams and snapshots, and personal data sent in cleartext.',
    manualChecks: ['The privacy notice says what personal data is collected and why, and you can control it.'],
    clause: '5.8', provisions: [...range('5.8', 3), ...range('6', 5)],
  },
  {
    id: 'uk-cop-9', number: 9, title: 'Make systems resilient to outages',
    summary: 'The device should keep working locally, and recover cleanly, when the internet or power goes away.',
    testability: 'manual',
    scanCan: 'Nothing: resilience cannot be judged from one scan.',
    manualChecks: [
      'Unplug the internet connection: the device still does its basic job locally.',
      'After a power cut the device comes back up in a working, secure state.',
    ],
    clause: '5.9', provisions: range('5.9', 3),
  },
  {
    id: 'uk-cop-10', number: 10, title: 'Monitor system telemetry data',
    summary: 'If the device collects usage and security data, it should be used to spot problems, and you should be told what is collected.',
    testability: 'manual',
    scanCan: 'Nothing: telemetry handling happens at the vendor.',
    manualChecks: ['The documentation says what telemetry is collected and what it is used for.'],
    clause: '5.10', provisions: range('5.10', 2),
  },
  {
    id: 'uk-cop-11', number: 11, title: 'Make it easy for consumers to delete personal data',
    summary: 'You should be able to wipe your data from the device, the app and the cloud, for example before selling it.',
    testability: 'manual',
    scanCan: 'Nothing: needs the device and its app.',
    manualChecks: [
      'A factory reset removes your personal data from the device.',
      'The app or vendor website lets you delete your account and cloud data.',
    ],
    clause: '5.11', provisions: range('5.11', 4),
  },
  {
    id: 'uk-cop-12', number: 12, title: 'Make installation and maintenance of devices easy',
    summary: 'Setting up and maintaining the device securely should take few steps and clear instructions.',
    testability: 'manual',
    scanCan: 'Nothing: needs a person to go through setup.',
    manualChecks: ['The setup guide explains how to set it up securely, in few steps.'],
    clause: '5.12', provisions: range('5.12', 3),
  },
  {
    id: 'uk-cop-13', number: 13, title: 'Validate input data',
    summary: 'The device must cope with malformed or unexpected input without crashing or misbehaving.',
    testability: 'intrusive-only',
    scanCan: 'Only at the intrusive safety level (malformed input, then a check that the device still answers); otherwise not tested.',
    manualChecks: ['The vendor documents security testing (for example fuzzing) of the device\'s interfaces.'],
    clause: '5.13', provisions: range('5.13', 1),
  },
];

export const GUIDELINE_IDS: readonly GuidelineId[] = GUIDELINES.map((g) => g.id);

const byId = new Map<string, Guideline>(GUIDELINES.map((g) => [g.id, g]));

export function guideline(id: GuidelineId): Guideline {
  const g = byId.get(id);
  if (!g) throw new Error(`unknown guideline ${id}`);
  return g;
}

export function isGuidelineId(s: string): s is GuidelineId {
  return byId.has(s);
}

const allProvisions = new Set(GUIDELINES.flatMap((g) => g.provisions));

/** True when `p` is an EN 303 645 provision this catalogue knows ("5.1-1", "6-2"). */
export function isProvision(p: string): boolean {
  return allProvisions.has(p);
}

/** Guidelines no network check can decide: their verdict is always `manual`. */
export const MANUAL_GUIDELINES: readonly GuidelineId[] = GUIDELINES.filter((g) => g.testability === 'manual').map((g) => g.id);
