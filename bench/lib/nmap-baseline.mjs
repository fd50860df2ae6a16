// The nmap baseline: the command a tester would run for the checks iotcop makes (issue 5, item 8), the
// credential files it needs (built from iotcop's own src/data/credentials.json), and a summary of what
// it found, read from its XML output.
import { XMLParser } from 'fast-xml-parser';
import { maskPair } from './report.mjs';

/** The NSE scripts of the issue, one per iotcop check family. */
export const NMAP_SCRIPTS = [
  'ssl-enum-ciphers', 'ssl-cert', 'ssh2-enum-algos', 'ssh-brute', 'telnet-brute', 'http-default-accounts',
  'mqtt-subscribe', 'coap-resources', 'snmp-brute', 'ftp-anon', 'upnp-info',
];

/** Raw printer ports iotcop never sends to (DESIGN.md): nmap must not scan them either. */
export const FRAGILE_PORTS = '9100-9107,515';

/**
 * The credential list for ssh-brute and telnet-brute: every ssh and telnet pair iotcop has (vendor
 * pairs in file order, then the generic list), de-duplicated. Derived templates (serial, MAC) need
 * device identifiers nmap does not have; the Mirai table is telnet-only and iotcop reaches it only
 * after these, within its budget of 10, so it is left out too.
 */
export function bruteCredentials(file) {
  const seen = new Set();
  const pairs = [];
  const add = (p) => {
    if (!p.services.includes('ssh') && !p.services.includes('telnet')) return;
    if (p.username.includes('/')) return; // nmap's credfile splits at the first '/'
    const key = `${p.username}/${p.password}`;
    if (!seen.has(key)) { seen.add(key); pairs.push({ username: p.username, password: p.password }); }
  };
  for (const v of file.vendors) for (const p of v.pairs) add(p);
  for (const p of file.generic) add(p);
  return pairs;
}

export function snmpCommunities(file) {
  return file.snmpCommunities.map((c) => c.community);
}

/** nmap arguments for the baseline (targets after `--`). */
export function nmapBaselineArgs({ tcpPorts, udpPorts, credFile, communitiesFile, hostTimeoutS, xmlPath, exclude, targets }) {
  const ports = [tcpPorts ? `T:${tcpPorts}` : '', udpPorts ? `U:${udpPorts}` : ''].filter(Boolean).join(',');
  const scriptArgs = [
    'brute.mode=creds', `brute.credfile=${credFile}`, 'brute.firstonly=true',
    `snmp-brute.communitiesdb=${communitiesFile}`,
  ].join(',');
  return [
    '-v', '-n', '-sS', '-sU', '-sV', '-T4', '-p', ports, '--exclude-ports', FRAGILE_PORTS,
    '--script', NMAP_SCRIPTS.join(','), '--script-args', scriptArgs,
    '--host-timeout', `${hostTimeoutS}s`, '-oX', xmlPath,
    ...(exclude.length > 0 ? ['--exclude', exclude.join(',')] : []),
    '--', ...targets,
  ];
}

/** nmap's phases and how long each took (`-v` prints "Completed SYN Stealth Scan at 20:41, 1.23s elapsed"). */
export function nmapPhases(stdout) {
  const phases = new Map();
  for (const m of stdout.matchAll(/^Completed (.+?) at [\d:]+, ([\d.]+)s elapsed/gm)) {
    const name = m[1].replace(/\s+/g, ' ').trim();
    phases.set(name, (phases.get(name) ?? 0) + Number(m[2]));
  }
  return [...phases].map(([phase, seconds]) => ({ phase, seconds: Math.round(seconds * 10) / 10 }));
}

/** Hosts nmap gave up on (`Skipping host … due to host timeout` in its normal output). */
export function hostTimeouts(stdout) {
  return [...stdout.matchAll(/Skipping host (\S+) due to host timeout/g)].map((m) => m[1]);
}

const asArray = (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const firstLine = (s, n = 100) => {
  const line = String(s).split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
  return line.length > n ? `${line.slice(0, n)}…` : line;
};

/** What one script's output amounts to, in a few words, or null when it found nothing. */
export function scriptFinding(id, output) {
  const text = String(output ?? '');
  if (text.trim() === '' || /^\s*ERROR/i.test(text)) return null;
  switch (id) {
    case 'ssh-brute':
    case 'telnet-brute':
    case 'snmp-brute': {
      const creds = [...text.matchAll(/^\s*(.*?) - Valid credentials/gm)].map((m) => m[1]);
      return creds.length > 0 ? `valid: ${creds.map(maskPair).join(', ')}` : null;
    }
    case 'http-default-accounts': {
      const found = [...text.matchAll(/^\s*\[(.+?)\] at (\S+)\s*\n\s*(\S.*)$/gm)].map((m) => `${m[1]} at ${m[2]}: ${maskPair(m[3])}`);
      return found.length > 0 ? found.join('; ') : null;
    }
    case 'ftp-anon':
      return /Anonymous FTP login allowed/i.test(text) ? 'anonymous login allowed' : null;
    case 'ssl-enum-ciphers': {
      const m = /least strength: (\S+)/.exec(text);
      const versions = [...text.matchAll(/^\s*(SSLv\d|TLSv1\.\d):\s*$/gm)].map((x) => x[1]);
      return `${versions.join(' ')}${m ? `; least strength ${m[1]}` : ''}`.trim() || 'ciphers listed';
    }
    case 'mqtt-subscribe': {
      const topics = [...text.matchAll(/^\s*(\S+)\s*\|/gm)].map((x) => x[1]).filter((t) => t !== 'Topic' && !/^-+$/.test(t));
      return topics.length > 0 ? `${topics.length} topics` : firstLine(text);
    }
    default:
      return firstLine(text);
  }
}

/**
 * Summary of nmap's XML: hosts up, open ports, and per script the results (host:port/proto and the
 * script's finding in a few words).
 */
export function summariseNmapXml(xml) {
  const parser = new XMLParser({
    ignoreAttributes: false, attributeNamePrefix: '', htmlEntities: true, processEntities: true,
    isArray: (name) => ['host', 'port', 'script', 'address', 'hostscript'].includes(name),
  });
  const doc = parser.parse(xml);
  const run = doc.nmaprun ?? {};
  const hosts = [];
  const scripts = {};
  const errors = {};
  const add = (id, where, output) => {
    const f = scriptFinding(id, output);
    if (f !== null) (scripts[id] ??= []).push({ where, finding: f });
    const e = /ERROR:?\s*(.*)/.exec(String(output ?? ''));
    if (e) (errors[id] ??= []).push({ where, message: firstLine(e[1], 80) });
  };
  for (const h of asArray(run.host)) {
    if (h.status?.state !== 'up') continue;
    const addr = asArray(h.address).find((a) => a.addrtype === 'ipv4')?.addr ?? '?';
    const open = [];
    for (const p of asArray(h.ports?.port)) {
      if (!String(p.state?.state ?? '').startsWith('open')) continue;
      open.push(`${p.portid}/${p.protocol}`);
      for (const s of asArray(p.script)) add(s.id, `${addr}:${p.portid}/${p.protocol}`, s.output);
    }
    for (const hs of asArray(h.hostscript)) for (const s of asArray(hs.script)) add(s.id, addr, s.output);
    hosts.push({ address: addr, open, timedOut: h.timedout === 'true' });
  }
  const finished = run.runstats?.finished ?? {};
  return {
    hostsUp: hosts.length,
    openPorts: hosts.reduce((n, h) => n + h.open.length, 0),
    hosts,
    scripts,
    errors,
    elapsedS: finished.elapsed !== undefined ? Number(finished.elapsed) : undefined,
    exit: finished.exit,
  };
}
