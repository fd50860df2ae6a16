/**
 * mqtt-default-credentials (guideline 1). Our MQTT 3.1.1 client (src/net/mqtt.ts) over a socket from ctx.net
 * (TLS on 8883), one CONNECT per connection, then DISCONNECT when it was accepted: never a subscribe or a publish here
 * (what an open broker exposes is mqtt-exposure's job).
 *
 * Order: an anonymous CONNECT first — a broker that lets anyone in without credentials is
 * mqtt-anonymous-access (mqtt-exposure), and since such a broker (mosquitto with allow_anonymous) also
 * ignores any user name and password, no default credential can be claimed: this check is then
 * not_applicable, with the reason in the evidence. Then the negative control (random user name and
 * password): accepted means the broker accepts any password. Then the candidates.
 * mosquitto 2 answers "not authorized" (5) for missing and wrong credentials alike: both count as refused.
 */
import { randomBytes } from 'node:crypto';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { Service } from '../model.js';
import { classifyError } from '../net/errors.js';
import { MqttSession, type MqttConnackResult } from '../net/mqtt.js';
import {
  emptyRun, fromContext,
  assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, publicEvidence, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type Candidate, type GuessEvidence,
} from './lib/credentials.js';

export const CHECK_DEFAULT = 'mqtt-default-credentials';

const JOB_TIMEOUT_MS = 150_000;
const CONNACK_TIMEOUT_MS = 8_000;
const ATTEMPT_MS = 12_000;

export type MqttEvidence = GuessEvidence & {
  port: number;
  tls: boolean;
  /** Result of the CONNECT without credentials. */
  anonymous: 'accepted' | 'refused' | 'error' | 'not-run';
  anonymousReturnCode: number | null;
  /** CONNACK return codes seen for refused logins (4 bad user name or password, 5 not authorised). */
  refusalCodes: number[];
};

export function isMqttTls(service: Service | undefined, port: number): boolean {
  if (service?.tls?.enabled === true) return true;
  const name = service?.name?.toLowerCase() ?? '';
  return port === 8883 || name === 'secure-mqtt' || name === 'mqtts' || name.startsWith('ssl/');
}

type ConnectResult = MqttConnackResult | { kind: 'error'; error: unknown };

async function connectOnce(ctx: ProbeContext, port: number, tls: boolean, creds: { username: string; password: string } | null): Promise<ConnectResult> {
  const conn = tls
    ? await ctx.net.tls(port, { timeoutMs: ATTEMPT_MS, maxBytes: 64 * 1024 })
    : await ctx.net.tcp(port, { timeoutMs: ATTEMPT_MS, maxBytes: 64 * 1024 });
  const session = new MqttSession(conn, ctx.signal);
  try {
    const clientId = `iotcop-${randomBytes(6).toString('hex')}`;
    return await session.connect({ clientId, keepaliveS: 30, ...(creds ?? {}) }, CONNACK_TIMEOUT_MS);
  } finally {
    await session.end();
  }
}

function toOutcome(r: ConnectResult, codes: number[]): AttemptOutcome {
  if (r.kind === 'accepted') return { kind: 'success' };
  if (r.kind === 'refused') {
    if (!codes.includes(r.code) && codes.length < 8) codes.push(r.code);
    // 3 (server unavailable) and 137/151 (v5 busy/quota) are back-off signals, not login verdicts.
    if (r.code === 3) return { kind: 'lockout', text: 'CONNACK 3: server unavailable' };
    return { kind: 'failure' };
  }
  const kind = classifyError(r.error);
  const message = (r.error instanceof Error ? r.error.message : String(r.error)).slice(0, 200);
  return { kind: 'error', errorKind: kind === 'internal' ? 'protocol-error' : kind, message };
}

export function assessMqtt(ev: MqttEvidence): CheckResult[] {
  const pub = publicEvidence(ev);
  if (ev.anonymous === 'accepted') {
    return [{
      check: CHECK_DEFAULT, status: 'not_applicable',
      detail: `The broker on port ${ev.port} accepts clients without any user name or password (reported as mqtt-anonymous-access); it ignores credentials, so no default credential can be singled out.`,
      evidence: pub,
    }];
  }
  return assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT,
    label: `the MQTT broker on port ${ev.port}`,
    anyTitle: 'MQTT broker accepts any user name and password',
    anySeverity: 'high',
    cleartext: !ev.tls,
  });
}

export default defineProbe<MqttEvidence>({
  meta: {
    id: 'mqtt-default-credentials',
    title: 'MQTT default credentials',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['mqtt', 'secure-mqtt', 'mqtts'], ports: [1883, 8883] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 2_500 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'MQTT broker rejects default credentials',
        failureTitle: 'MQTT broker accepts a default credential',
        summary: 'The message hub of your smart-home devices still accepts a factory or example password, so anyone on your network can read what your devices report and send them commands.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1', '5.1-2'],
        severity: 'high',
        description: 'A default or example user name and password logs in to the MQTT broker. MQTT clients that log in can usually subscribe to every topic (sensor readings, presence, camera snapshots) and publish commands to devices such as locks, plugs and heating.',
        remediation: 'Change the broker account\'s password (mosquitto: mosquitto_passwd) to a long, unique one and update the devices that use it; remove example accounts; restrict each account with an ACL to the topics it needs, and use MQTT over TLS (port 8883).',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 1883;
    const tls = isMqttTls(ctx.service, port);
    const started = Date.now();
    const codes: number[] = [];
    const plan = buildCandidates({
      service: 'mqtt',
      signals: signalsOf(ctx.device, ctx.service, [], ctx.config),
      owner: ownerPairs(ctx.credentials, ctx.config, 'mqtt'),
    });
    let anonymous: MqttEvidence['anonymous'] = 'not-run';
    let anonymousReturnCode: number | null = null;
    let attemptsBefore = 0;
    let anonymousError: { kind: ReturnType<typeof classifyError>; message: string } | null = null;
    if (ctx.settings.maxGuesses >= 1) {
      // The anonymous CONNECT counts as one attempt of the budget.
      attemptsBefore = 1;
      const r = await connectOnce(ctx, port, tls, null).catch((e: unknown): ConnectResult => {
        if (classifyError(e) === 'aborted') throw e;
        return { kind: 'error', error: e };
      });
      anonymous = r.kind === 'accepted' ? 'accepted' : r.kind === 'refused' ? 'refused' : 'error';
      if (r.kind === 'refused') anonymousReturnCode = r.code;
      if (r.kind === 'accepted') anonymousReturnCode = 0;
      if (r.kind === 'error') {
        const o = toOutcome(r, codes);
        if (o.kind === 'error') anonymousError = { kind: o.errorKind, message: o.message };
      }
    }
    if (anonymous === 'accepted' || anonymous === 'error') {
      const run = { ...emptyRun(anonymous === 'accepted' ? 'unsupported' : 'error', initialPolicy(plan)), attempts: attemptsBefore };
      if (anonymous === 'error') run.errors.push(anonymousError ?? { kind: 'protocol-error', message: 'the anonymous CONNECT got no CONNACK' });
      return {
        ...guessEvidence(run, plan, ctx.settings.maxGuesses),
        ...(anonymous === 'accepted' ? { unsupported: 'the broker accepts anonymous clients' } : {}),
        port, tls, anonymous, anonymousReturnCode, refusalCodes: codes,
      };
    }
    if (anonymousReturnCode !== null && anonymousReturnCode !== 0 && !codes.includes(anonymousReturnCode)) codes.push(anonymousReturnCode);
    await ctx.sleep(ctx.settings.attemptDelayMs);
    const run = await runGuesses({
      negativeControl: randomCredential(),
      candidates: plan.candidates,
      policy: initialPolicy(plan),
      attempt: async (c: Candidate) => toOutcome(await connectOnce(ctx, port, tls, c), codes),
      ...fromContext(ctx),
      maxAttempts: ctx.settings.maxGuesses - attemptsBefore,
      deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
      attemptMs: ATTEMPT_MS,
    });
    run.attempts += attemptsBefore;
    return { ...guessEvidence(run, plan, ctx.settings.maxGuesses), port, tls, anonymous, anonymousReturnCode, refusalCodes: codes };
  },

  assess(evidence) {
    return assessMqtt(evidence);
  },
});
