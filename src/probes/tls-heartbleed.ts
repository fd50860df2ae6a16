/**
 * tls-heartbleed (intrusive level only): does the TLS server over-read a malformed heartbeat
 * (CVE-2014-0160)? One ClientHello offering heartbeats; when the server accepts them, one HeartbeatRequest
 * that declares 16 bytes more than it carries (src/net/tls-heartbeat.ts). The bytes a vulnerable server
 * returns are counted and dropped, never stored or shown: they are its memory, possibly another user's
 * secrets. Two to eight connections per port.
 */
import { defineProbe, type CheckResult, type Conn } from './contract.js';
import { testHeartbleed, OVERREAD, type HeartbleedResult } from '../net/tls-heartbeat.js';

const CHECK = 'tls-heartbleed';
const EXCHANGE_MS = 5_000;

export type HeartbleedEvidence = { port: number; result: HeartbleedResult };

const KINDS = ['refused', 'timeout', 'reset', 'protocol-error', 'budget-exceeded', 'aborted', 'unreachable'] as const;
type Kind = typeof KINDS[number] | 'internal';

export function assessHeartbleed(ev: HeartbleedEvidence): CheckResult[] {
  const r = ev.result;
  const evidence = { port: ev.port, protocol: r.protocol, outcome: r.outcome, overreadBytes: r.overreadBytes, connections: r.connections, requestedBeyondPayload: OVERREAD };
  switch (r.outcome) {
    case 'over-read':
      return [{
        check: CHECK, status: 'fail', severity: 'critical', confidence: 'high', evidence,
        detail: `Port ${ev.port} answered a malformed heartbeat with ${r.overreadBytes} byte(s) of its own memory beyond the request (${r.protocol ?? 'TLS'}, CVE-2014-0160). iotcop asked for only ${OVERREAD} extra bytes and discarded them unread; an attacker asks for 64 KiB at a time, again and again.`,
      }];
    case 'no-heartbeat':
      return [{ check: CHECK, status: 'pass', confidence: 'high', evidence, detail: `Port ${ev.port} does not negotiate TLS heartbeats (${r.protocol ?? 'TLS'}): Heartbleed cannot apply.` }];
    case 'discarded':
      return [{ check: CHECK, status: 'pass', confidence: 'high', evidence, detail: `Port ${ev.port} negotiates heartbeats and discarded a request that declared more than it carried, as RFC 6520 requires (${r.note ?? ''}).` }];
    case 'echoed-safely':
      return [{ check: CHECK, status: 'pass', confidence: 'high', evidence, detail: `Port ${ev.port} answered the malformed heartbeat with no more than it was sent.` }];
    case 'no-handshake': {
      if (r.note === 'the answer is not a TLS record' || r.note === 'not-tls') return [{ check: CHECK, status: 'not_applicable', detail: `Port ${ev.port} does not speak TLS.` }];
      const kind: Kind = (KINDS as readonly string[]).includes(r.errorKind ?? '') ? r.errorKind as Kind : 'protocol-error';
      return [{ check: CHECK, status: 'error', evidence, error: { kind, message: `no TLS 1.0-1.2 handshake to send a heartbeat in: ${r.note ?? 'refused'}`.slice(0, 300) } }];
    }
  }
}

export default defineProbe<HeartbleedEvidence>({
  meta: {
    id: 'tls-heartbleed',
    title: 'Heartbleed (TLS heartbeat over-read)',
    safety: 'intrusive',
    appliesTo: {
      scope: 'service', transport: 'tcp', tls: true,
      services: ['https', 'ssl', 'ssl/http', 'https-alt', 'mqtts', 'secure-mqtt', 'ssl/mqtt', 'ftps', 'imaps', 'pop3s', 'ldaps', 'ipps', 'rtsps', 'sip-tls', 'coaps'],
      ports: [443, 4443, 5001, 7443, 8002, 8443, 8883, 9443],
    },
    budget: { maxConnections: 8, timeoutMs: 60_000 },
    checks: {
      [CHECK]: {
        title: 'Not vulnerable to Heartbleed', failureTitle: 'Vulnerable to Heartbleed (leaks server memory)',
        summary: 'Anyone who can reach this device can read pieces of its memory — which may hold passwords, session keys or its private key.',
        guidelines: ['uk-cop-5', 'uk-cop-3'], provisions: ['5.5-1', '5.3-2'], severity: 'critical',
        description: 'Heartbleed (CVE-2014-0160) is a bug in OpenSSL 1.0.1 to 1.0.1f: a heartbeat request that declares more bytes than it carries is answered with that many bytes of server memory, up to 64 KiB per request, without a log entry. Tested only at the intrusive safety level, with a request that declares 16 bytes too many; the returned memory is never stored or shown.',
        remediation: 'Update the firmware to one built with a fixed OpenSSL (1.0.1g or later), then replace the device certificate and key and change every password used on it, since they may have leaked. If no update exists, take the TLS service off the network or replace the device.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 443;
    const result = await testHeartbleed({
      dial: () => ctx.net.tcp(port, { timeoutMs: EXCHANGE_MS + 3_000, maxBytes: 65_536 }) as Promise<Conn>,
      exchangeMs: EXCHANGE_MS, maxConnections: 8,
    });
    return { port, result };
  },
  assess(evidence) {
    return assessHeartbleed(evidence);
  },
});
