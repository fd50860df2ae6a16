/**
 * Is an SNMP agent there at all? (docs/CREDENTIALS.md "SNMP: no verdict from silence".) SNMP v1/v2c agents
 * answer nothing to a wrong community, so silence to every community proves nothing by itself: it is what
 * a closed-but-filtered UDP port, a firewall or an absent agent look like too. One SNMPv3 engine-discovery
 * request (src/net/snmp-v3.ts), which needs no community or password, tells an agent that is there and
 * speaks SNMPv3 (net-snmp's snmpd, most current firmware) from silence. The SNMP probes report `pass` only
 * when something answered; otherwise `not_tested` ("no answer").
 */
import { randomInt } from 'node:crypto';
import type { ProbeContext } from '../contract.js';
import { classifyError } from '../../net/errors.js';
import { MAX_REPLY_BYTES, encodeDiscovery, parseDiscoveryReply } from '../../net/snmp-v3.js';

export type AgentPresence = {
  /** answered: an SNMPv3 Report came back; silent: nothing (or nothing valid) within the timeout. */
  v3: 'answered' | 'silent' | 'error';
  /** The agent's engine ID (hex), when it answered. */
  engineId: string | null;
  error: { kind: string; message: string } | null;
};

const DISCOVERY_TIMEOUT_MS = 1_500;

export async function snmpPresence(ctx: ProbeContext, port: number): Promise<AgentPresence> {
  const id = randomInt(1, 0x7fffffff);
  try {
    const replies = await ctx.net.udp({ port, payload: encodeDiscovery(id), timeoutMs: DISCOVERY_TIMEOUT_MS, maxReplies: 1, maxBytes: MAX_REPLY_BYTES });
    for (const r of replies) {
      const d = parseDiscoveryReply(r, id);
      if (d) return { v3: 'answered', engineId: d.engineId, error: null };
    }
    return { v3: 'silent', engineId: null, error: null };
  } catch (e) {
    const kind = classifyError(e);
    if (kind === 'aborted') throw e;
    if (kind === 'timeout') return { v3: 'silent', engineId: null, error: null };
    return { v3: 'error', engineId: null, error: { kind, message: (e instanceof Error ? e.message : String(e)).slice(0, 200) } };
  }
}

/** Words for the evidence of presence, used in details: "it answered SNMPv3 discovery (engine 80001f88…)". */
export function presenceWords(p: AgentPresence): string {
  return p.v3 === 'answered' ? `it answered an SNMPv3 discovery request (engine ID ${(p.engineId ?? '').slice(0, 24)})` : 'it did not answer an SNMPv3 discovery request either';
}

/** The detail of a `not_tested` SNMP check when nothing answered at all. */
export function noAnswerDetail(port: number, what: string): string {
  return `Nothing answered on port ${port}/udp: not ${what}, and not an SNMPv3 discovery request (which needs no password). An open|filtered UDP port that never answers is not shown to be an SNMP service, so nothing can be said about its community strings. If an SNMP agent should be there, check it by hand (for example with snmpget or onesixtyone).`;
}
