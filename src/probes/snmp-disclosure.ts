/**
 * snmp-disclosure: what does the device tell anyone who asks with the factory-default read community?
 * One GET of the five MIB-2 system scalars (sysDescr, sysObjectID, sysName, sysLocation, sysContact),
 * SNMPv2c first, then SNMPv1, with `{ timeout: 1000, retries: 0 }`. Never a SET, never a walk.
 *
 * This check is about the information disclosed (guideline 6, EN 303 645 5.6-2). Whether the community
 * itself is a default credential is snmp-default-community's finding (guideline 1): not repeated here.
 *
 * net-snmp opens its own UDP socket, so it runs inside ctx.net.slot (one budget unit, one per-host
 * slot) bound to the slot's address, and every session is closed on answer, timeout or abort.
 */
import { defineProbe, type CheckResult } from './contract.js';
import type { ErrorKind, Json } from '../model.js';
import { classifyError } from '../net/errors.js';
import { netSnmp, type NetSnmp, type SnmpSession, type Varbind } from '../net/snmp.js';
import { noAnswerDetail, presenceWords, snmpPresence, type AgentPresence } from './lib/snmp-agent.js';

export const COMMUNITY = 'public';
export const MAX_VALUE_CHARS = 300;

export const SYSTEM_OIDS = {
  sysDescr: '1.3.6.1.2.1.1.1.0',
  sysObjectID: '1.3.6.1.2.1.1.2.0',
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
  sysContact: '1.3.6.1.2.1.1.4.0',
} as const;

export type SystemField = keyof typeof SYSTEM_OIDS;
const FIELDS = Object.keys(SYSTEM_OIDS) as SystemField[];

export type SystemValues = { sysDescr: string | null; sysObjectID: string | null; sysName: string | null; sysLocation: string | null; sysContact: string | null };

export type SnmpAttempt = { version: '2c' | '1'; outcome: 'answered' | 'timeout' | 'error'; message: string | null };

export type SnmpEvidence = {
  port: number;
  answered: boolean;
  version: '2c' | '1' | null;
  values: SystemValues;
  attempts: SnmpAttempt[];
  error: { kind: ErrorKind; message: string } | null;
  /** SNMPv3 discovery, asked only when "public" got no answer: is an agent there at all? */
  agent: AgentPresence | null;
};


function capValue(s: string): string | null {
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/\u0000+$/, '').trim();
  if (t.length === 0) return null;
  return t.length > MAX_VALUE_CHARS ? t.slice(0, MAX_VALUE_CHARS) : t;
}

/** A varbind value as capped text: OCTET STRINGs decoded as UTF-8 (Latin-1 when not valid), OIDs as dotted strings. */
export function varbindText(value: unknown): string | null {
  if (Buffer.isBuffer(value)) {
    const head = value.subarray(0, MAX_VALUE_CHARS * 4);
    const utf8 = head.toString('utf8');
    return capValue(utf8.includes('\uFFFD') ? head.toString('latin1') : utf8);
  }
  if (typeof value === 'string') return capValue(value.slice(0, MAX_VALUE_CHARS * 4));
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

function emptyValues(): SystemValues {
  return { sysDescr: null, sysObjectID: null, sysName: null, sysLocation: null, sysContact: null };
}

type GetResult = { outcome: 'answered' | 'timeout' | 'error'; varbinds: Varbind[]; error: Error | null; failedStatus: boolean };

function getOnce(snmp: NetSnmp, address: string, port: number, version: '2c' | '1', oids: string[], signal: AbortSignal): Promise<GetResult> {
  return new Promise<GetResult>((resolve) => {
    let settled = false;
    let session: SnmpSession | undefined;
    const finish = (r: GetResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      signal.removeEventListener('abort', onAbort);
      try { session?.close(); } catch { /* already closed */ }
      resolve(r);
    };
    const onAbort = (): void => finish({ outcome: 'error', varbinds: [], error: Object.assign(new Error('aborted'), { name: 'AbortError' }), failedStatus: false });
    // Backstop in case the library never calls back (its own timeout is 1 s, no retries).
    const guard = setTimeout(() => finish({ outcome: 'timeout', varbinds: [], error: null, failedStatus: false }), 2_500);
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = snmp.createSession(address, COMMUNITY, {
        port, version: version === '2c' ? snmp.Version2c : snmp.Version1, timeout: 1_000, retries: 0,
        transport: address.includes(':') ? 'udp6' : 'udp4', backwardsGetNexts: false,
      });
      session.on('error', () => undefined); // unparseable datagrams: ignored, the request times out
      session.get(oids, (error, varbinds) => {
        if (!error) { finish({ outcome: 'answered', varbinds: varbinds ?? [], error: null, failedStatus: false }); return; }
        if (error.name === 'RequestTimedOutError') { finish({ outcome: 'timeout', varbinds: [], error: null, failedStatus: false }); return; }
        // RequestFailedError: the agent answered with an error status (SNMPv1 noSuchName): the community works.
        finish({ outcome: error.name === 'RequestFailedError' ? 'answered' : 'error', varbinds: [], error, failedStatus: error.name === 'RequestFailedError' });
      });
    } catch (e) {
      finish({ outcome: 'error', varbinds: [], error: e instanceof Error ? e : new Error(String(e)), failedStatus: false });
    }
  });
}

function fill(values: SystemValues, snmp: NetSnmp, varbinds: Varbind[]): void {
  for (const vb of varbinds.slice(0, FIELDS.length)) {
    if (snmp.isVarbindError(vb)) continue;
    const field = FIELDS.find((f) => SYSTEM_OIDS[f] === String(vb.oid));
    if (field) values[field] = varbindText(vb.value);
  }
}

export function assessSnmp(ev: SnmpEvidence): CheckResult[] {
  if (!ev.answered) {
    if (ev.error && ev.attempts.every((a) => a.outcome !== 'timeout')) {
      return [{ check: 'snmp-information-disclosure', status: 'error', error: ev.error }];
    }
    if (ev.agent?.v3 !== 'answered') {
      return [{
        check: 'snmp-information-disclosure', status: 'not_tested', confidence: 'low',
        detail: noAnswerDetail(ev.port, 'the factory-default read community (SNMPv2c and v1)'),
      }];
    }
    return [{
      check: 'snmp-information-disclosure', status: 'pass', confidence: 'medium',
      detail: `An SNMP agent is on port ${ev.port}/udp (${presenceWords(ev.agent)}), but it did not answer the factory-default read community (SNMPv2c and v1).`,
    }];
  }
  const shown = FIELDS.filter((f) => ev.values[f] !== null);
  if (shown.length === 0) {
    return [{
      check: 'snmp-information-disclosure', status: 'pass', confidence: 'medium',
      detail: `The SNMP agent on port ${ev.port}/udp answered the default read community but returned none of the system fields.`,
    }];
  }
  const parts = shown.filter((f) => f !== 'sysObjectID').map((f) => `${f} "${(ev.values[f] ?? '').slice(0, 80)}"`);
  const personal = [ev.values.sysContact, ev.values.sysLocation].some((v) => v !== null);
  const evidence: Json = { port: ev.port, version: ev.version, values: ev.values };
  return [{
    check: 'snmp-information-disclosure', status: 'warn',
    detail: `Without a login, SNMPv${ev.version ?? '?'} on port ${ev.port}/udp gives out ${parts.length > 0 ? parts.join(', ') : 'the device\'s system object id'}${personal ? ' — including where the device is and whom to contact' : ''}.`,
    evidence,
  }];
}

export default defineProbe<SnmpEvidence>({
  meta: {
    id: 'snmp-disclosure',
    title: 'Device information given out over SNMP',
    safety: 'safe',
    appliesTo: { scope: 'service', transport: 'udp', services: ['snmp'], ports: [161] },
    budget: { maxConnections: 2, timeoutMs: 15_000 },
    checks: {
      'snmp-information-disclosure': {
        title: 'SNMP does not give out system information to anyone',
        failureTitle: 'SNMP gives out the device\'s model, firmware and location without a login',
        summary: 'This device tells anyone on your network its exact model and software version (and sometimes where it is and who looks after it), which helps an attacker pick a known weakness.',
        guidelines: ['uk-cop-6'],
        provisions: ['5.6-2'],
        severity: 'medium',
        description: 'SNMP versions 1 and 2c authenticate with a "community" string sent in the clear, and most devices ship with the read community "public". The MIB-2 system group then tells anyone on the network the device\'s description (usually model and firmware version), its name, its physical location and an administrator contact. EN 303 645 5.6-2 asks devices to minimise the unauthenticated disclosure of security-relevant information.',
        remediation: 'Switch SNMP off if you do not use network monitoring. Otherwise change the read community to a long random value (or better, use SNMPv3 with authentication and privacy), and limit which addresses may query it.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 161;
    const ev: SnmpEvidence = { port, answered: false, version: null, values: emptyValues(), attempts: [], error: null, agent: null };
    try {
      const snmp = await netSnmp();
      await ctx.net.slot(async (address, signal) => {
        for (const version of ['2c', '1'] as const) {
          const all = FIELDS.map((f) => SYSTEM_OIDS[f]);
          const r = await getOnce(snmp, address, port, version, all, signal);
          ev.attempts.push({ version, outcome: r.outcome, message: r.error ? r.error.message.slice(0, 200) : null });
          if (r.outcome === 'error') ev.error = { kind: classifyError(r.error), message: (r.error?.message ?? 'error').slice(0, 300) };
          if (r.outcome !== 'answered') continue;
          ev.answered = true;
          ev.version = version;
          ev.error = null;
          fill(ev.values, snmp, r.varbinds);
          if (r.failedStatus) {
            // SNMPv1 fails the whole request when one variable is missing: ask for each field alone.
            for (const oid of all) {
              const one = await getOnce(snmp, address, port, version, [oid], signal);
              if (one.outcome === 'answered') fill(ev.values, snmp, one.varbinds);
            }
          }
          break;
        }
      });
    } catch (e) {
      ev.error = { kind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
    if (!ev.answered) ev.agent = await snmpPresence(ctx, port);
    return ev;
  },
  assess(evidence) {
    return assessSnmp(evidence);
  },
});
