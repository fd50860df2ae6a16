/**
 * mqtt-exposure: can anyone on the network read the broker's messages without a password, and do the
 * topics look like personal data? One anonymous MQTT 3.1.1 session (our client, src/net/mqtt.ts; over TLS
 * on 8883/secure-mqtt),
 * subscribe-only to `#` and `$SYS/#` (`#` does not match `$SYS/…`), for at most WINDOW_MS, MAX_TOPICS
 * topics or MAX_BYTES bytes, then DISCONNECT. Never publishes; QoS 0 only (so not even a PUBACK is
 * sent). Topic names are kept in arrays (a Map while collecting), payloads are replaced by their length
 * and a redacted preview unless --reveal-data.
 */
import { randomBytes } from 'node:crypto';
import { assessCleartextPersonal } from './lib/cleartext-personal.js';
import { defineProbe, type CheckResult, type Conn, type ProbeContext } from './contract.js';
import type { ErrorKind, Json, Service } from '../model.js';
import { errorDetail } from '../net/errors.js';
import { MqttSession } from '../net/mqtt.js';
import { categoryLabel, classifyName, classifyPayloadKeys, previewPayload } from './lib/personal-topics.js';

export const WINDOW_MS = 3_000;
export const MAX_TOPICS = 500;
export const MAX_BYTES = 256 * 1024;
export const MAX_TOPIC_CHARS = 256;
const CONNACK_TIMEOUT_MS = 5_000;
const SUBACK_TIMEOUT_MS = 3_000;
export const CLEARTEXT_CHECK = 'mqtt-personal-data-cleartext';

export type TopicEvidence = {
  topic: string;
  /** The topic was longer than MAX_TOPIC_CHARS and is shown cut. */
  topicTruncated: boolean;
  messages: number;
  bytes: number;
  retained: boolean;
  kind: string;
  preview: string;
  /** Personal-data categories found in JSON payload keys (names only, never values). */
  payloadCategories: string[];
};

export type SubscriptionEvidence = { filter: string; granted: boolean; code: number | null };

export type MqttEvidence = {
  port: number;
  tls: boolean;
  connect: 'accepted' | 'refused' | 'error';
  /** CONNACK return code (MQTT 3.1.1: 0 accepted, 4 bad user name or password, 5 not authorised). */
  returnCode: number | null;
  error: { kind: ErrorKind; message: string } | null;
  subscriptions: SubscriptionEvidence[];
  windowMs: number;
  topics: TopicEvidence[];
  messages: number;
  bytes: number;
  /** Distinct topics seen after the topic cap was reached (not stored). */
  droppedTopics: number;
  stoppedBy: 'time' | 'topics' | 'bytes' | 'closed' | null;
  revealed: boolean;
};

const SERVICES = ['mqtt', 'secure-mqtt', 'mqtts', 'ibm-mqisdp', 'ssl/mqtt'];

export function wantsTls(service: Service | undefined): boolean {
  if (!service) return false;
  if (service.tls?.enabled === true) return true;
  const name = service.name?.toLowerCase() ?? '';
  return service.port === 8883 || name === 'secure-mqtt' || name === 'mqtts' || name.startsWith('ssl/');
}

function capTopic(topic: string): { topic: string; truncated: boolean } {
  if (topic.length <= MAX_TOPIC_CHARS) return { topic, truncated: false };
  let cut = topic.slice(0, MAX_TOPIC_CHARS);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return { topic: cut, truncated: true };
}


function baseEvidence(port: number, tls: boolean, revealed: boolean): MqttEvidence {
  return {
    port, tls, connect: 'error', returnCode: null, error: null, subscriptions: [], windowMs: 0, topics: [],
    messages: 0, bytes: 0, droppedTopics: 0, stoppedBy: null, revealed,
  };
}

type TopicStat = { topic: string; truncated: boolean; messages: number; bytes: number; retained: boolean; kind: string; preview: string; payloadCategories: Set<string> };

async function session(ctx: ProbeContext, conn: Conn, ev: MqttEvidence): Promise<void> {
  const client = new MqttSession(conn, ctx.signal);
  const stats = new Map<string, TopicStat>();
  let stopped = false;
  let stopWindow: ((why: NonNullable<MqttEvidence['stoppedBy']>) => void) | undefined;
  client.onClose = () => stopWindow?.('closed');
  client.onPublish = ({ topic, payload, retain }) => {
    if (stopped) return;
    ev.messages += 1;
    ev.bytes += payload.length + topic.length;
    let s = stats.get(topic);
    if (!s) {
      if (stats.size >= MAX_TOPICS) {
        ev.droppedTopics += 1;
        stopWindow?.('topics');
        return;
      }
      const { topic: shown, truncated } = capTopic(topic);
      const p = previewPayload(payload, ctx.settings.revealData);
      s = {
        topic: shown, truncated, messages: 0, bytes: 0, retained: false, kind: p.kind, preview: p.preview,
        payloadCategories: new Set(classifyPayloadKeys(p.keys).categories),
      };
      stats.set(topic, s);
    }
    s.messages += 1;
    s.bytes += payload.length;
    if (retain) s.retained = true;
    if (ev.bytes >= MAX_BYTES) stopWindow?.('bytes');
    else if (stats.size >= MAX_TOPICS) stopWindow?.('topics');
  };

  try {
    const connack = await client.connect({ clientId: `iotcop-${randomBytes(6).toString('hex')}`, keepaliveS: 30 }, CONNACK_TIMEOUT_MS);
    if (connack.kind !== 'accepted') {
      if (connack.kind === 'refused') {
        ev.connect = 'refused';
        ev.returnCode = connack.code;
      } else {
        ev.connect = 'error';
        ev.error = errorDetail(connack.error);
      }
      return;
    }
    ev.connect = 'accepted';
    ev.returnCode = 0;

    const windowDone = new Promise<NonNullable<MqttEvidence['stoppedBy']>>((resolve) => {
      stopWindow = (why) => { if (!stopped) { stopped = true; resolve(why); } };
    });
    const started = Date.now();
    const timer = setTimeout(() => stopWindow?.('time'), WINDOW_MS);
    const onAbort = (): void => stopWindow?.('closed');
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    for (const filter of ['#', '$SYS/#']) {
      if (stopped || client.closed) break;
      const code = await client.subscribe(filter, SUBACK_TIMEOUT_MS);
      ev.subscriptions.push({ filter, granted: code !== null && code < 0x80, code });
    }
    if (client.closed) stopWindow?.('closed');
    ev.stoppedBy = await windowDone;
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
    ev.windowMs = Date.now() - started;
  } finally {
    stopped = true;
    await client.end();
    ev.topics = [...stats.values()].map((s) => ({
      topic: s.topic, topicTruncated: s.truncated, messages: s.messages, bytes: s.bytes, retained: s.retained,
      kind: s.kind, preview: s.preview, payloadCategories: [...s.payloadCategories],
    }));
  }
}

function isSys(topic: string): boolean {
  return topic.startsWith('$');
}

function topicSummary(t: TopicEvidence): Json {
  return { topic: t.topic, messages: t.messages, bytes: t.bytes, retained: t.retained, preview: t.preview };
}

function refusedText(code: number | null): string {
  switch (code) {
    case 4: return 'bad user name or password';
    case 5: return 'not authorised';
    case 0x86: return 'bad user name or password';
    case 0x87: return 'not authorised';
    default: return `refused with code ${String(code)}`;
  }
}

const AUTH_REFUSALS = new Set([4, 5, 0x86, 0x87]);

export function assessMqtt(ev: MqttEvidence): CheckResult[] {
  const where = `port ${ev.port}${ev.tls ? ' (TLS)' : ''}`;
  if (ev.connect === 'error') {
    const error = ev.error ?? { kind: 'internal' as const, message: 'no evidence' };
    return [
      { check: 'mqtt-anonymous-access', status: 'error', error, detail: `The MQTT check on ${where} could not complete.` },
      { check: 'mqtt-personal-topics', status: 'error', error },
      { check: CLEARTEXT_CHECK, status: 'error', error },
    ];
  }
  if (ev.connect === 'refused') {
    if (AUTH_REFUSALS.has(ev.returnCode ?? -1)) {
      return [
        { check: 'mqtt-anonymous-access', status: 'pass', detail: `The broker on ${where} refused a connection without credentials (${refusedText(ev.returnCode)}).`, evidence: { port: ev.port, tls: ev.tls, returnCode: ev.returnCode } },
        { check: 'mqtt-personal-topics', status: 'not_applicable', detail: 'Anonymous clients cannot read any topic.' },
        { check: CLEARTEXT_CHECK, status: 'not_applicable', detail: 'Anonymous clients cannot read any topic.' },
      ];
    }
    const error = { kind: 'protocol-error' as const, message: `CONNACK ${refusedText(ev.returnCode)} (not an authentication refusal)` };
    return [
      { check: 'mqtt-anonymous-access', status: 'error', error },
      { check: 'mqtt-personal-topics', status: 'error', error },
      { check: CLEARTEXT_CHECK, status: 'error', error },
    ];
  }

  const all = ev.subscriptions.find((s) => s.filter === '#');
  const sys = ev.subscriptions.find((s) => s.filter === '$SYS/#');
  const appTopics = ev.topics.filter((t) => !isSys(t.topic));
  const sysTopics = ev.topics.filter((t) => isSys(t.topic));
  const appMessages = appTopics.reduce((n, t) => n + t.messages, 0);
  const evidence: Json = {
    port: ev.port, tls: ev.tls, subscriptions: ev.subscriptions, windowMs: ev.windowMs, stoppedBy: ev.stoppedBy,
    topics: appTopics.length, sysTopics: sysTopics.length, messages: ev.messages, bytes: ev.bytes, droppedTopics: ev.droppedTopics,
    sample: appTopics.slice(0, 50).map(topicSummary), payloadsRevealed: ev.revealed,
  };
  const results: CheckResult[] = [];
  if (all?.granted && appTopics.length > 0) {
    results.push({
      check: 'mqtt-anonymous-access', status: 'fail', evidence,
      detail: `Without a password, a client on ${where} subscribed to every topic and received ${appMessages} message(s) on ${appTopics.length}${ev.droppedTopics > 0 ? '+' : ''} topic(s) within ${Math.round(ev.windowMs / 100) / 10} s.`,
    });
  } else if (all?.granted) {
    results.push({
      check: 'mqtt-anonymous-access', status: 'warn', severity: 'medium', evidence,
      detail: `Without a password, a client on ${where} may subscribe to every topic ('#'); ${sysTopics.length > 0 ? 'only broker statistics ($SYS) were' : 'nothing was'} published during the ${Math.round(WINDOW_MS / 1000)} s window.`,
    });
  } else if (sys?.granted && sysTopics.length > 0) {
    results.push({
      check: 'mqtt-anonymous-access', status: 'warn', severity: 'low', evidence,
      detail: `The broker on ${where} accepts clients without a password and shows them its internal statistics ($SYS, ${sysTopics.length} topic(s)); the subscription to all other topics was refused.`,
    });
  } else {
    results.push({
      check: 'mqtt-anonymous-access', status: 'warn', severity: 'low', evidence,
      detail: `The broker on ${where} accepts connections without a password, but refused the subscriptions to '#' and '$SYS/#' (it may still let anonymous clients publish, which this scan never tries).`,
    });
  }

  const nothingRead = 'No topic could be read without a password during the window.';
  if (appTopics.length === 0) {
    results.push({ check: 'mqtt-personal-topics', status: 'not_applicable', detail: nothingRead });
    results.push({ check: CLEARTEXT_CHECK, status: 'not_applicable', detail: nothingRead });
    return results;
  }
  const personal = appTopics.flatMap((t) => {
    const byName = classifyName(t.topic);
    const categories = [...new Set([...byName.categories, ...t.payloadCategories])];
    return categories.length > 0 ? [{ t, categories, matched: byName.matched }] : [];
  });
  results.push(assessCleartextPersonal({
    check: CLEARTEXT_CHECK, where, encrypted: ev.tls,
    personal: { kinds: [...new Set(personal.flatMap((p) => p.categories))].map((k) => categoryLabel(k)), examples: personal.map((p) => p.t.topic) },
    evidence: { port: ev.port, tls: ev.tls, personalTopics: personal.length, topics: personal.slice(0, 10).map((p) => p.t.topic) },
  }));
  if (personal.length === 0) {
    results.push({
      check: 'mqtt-personal-topics', status: 'pass', confidence: 'medium',
      detail: `None of the ${appTopics.length} topic(s) readable without a password looks like personal data (presence, location, locks, cameras, names).`,
      evidence: { topics: appTopics.length },
    });
    return results;
  }
  const kinds = [...new Set(personal.flatMap((p) => p.categories))];
  const names = personal.slice(0, 5).map((p) => p.t.topic);
  results.push({
    check: 'mqtt-personal-topics', status: 'fail',
    detail: `${personal.length} topic(s) readable without a password look like personal data — ${kinds.map((k) => categoryLabel(k)).join(', ')}: ${names.join(', ')}${personal.length > names.length ? ', …' : ''}.`,
    evidence: {
      port: ev.port,
      categories: kinds,
      topics: personal.slice(0, 50).map((p) => ({ ...(topicSummary(p.t) as Record<string, Json>), categories: p.categories, matched: p.matched })),
      payloadsRevealed: ev.revealed,
    },
  });
  return results;
}

export default defineProbe<MqttEvidence>({
  meta: {
    id: 'mqtt-exposure',
    title: 'MQTT data readable without a password',
    safety: 'safe',
    appliesTo: { scope: 'service', transport: 'tcp', services: SERVICES, ports: [1883, 8883] },
    budget: { maxConnections: 1, timeoutMs: 20_000, typicalMs: 3_000 },
    checks: {
      'mqtt-anonymous-access': {
        title: 'MQTT broker requires a login to read messages',
        failureTitle: 'MQTT broker lets anyone read its messages without a password',
        summary: 'Anyone on your network can connect to this device\'s message broker without a password and read the messages your smart-home devices exchange.',
        guidelines: ['uk-cop-8', 'uk-cop-6'],
        provisions: ['5.5-4', '5.6-2', '5.8-1'],
        severity: 'high',
        description: 'An MQTT broker relays every message between the devices and apps of a smart home (sensor readings, states, commands). When it accepts clients without credentials and lets them subscribe to the wildcard topic "#", any device or program on the network can read all of that traffic — and usually publish commands too. EN 303 645 5.5-4 asks that device functionality be reachable over the network only after authentication.',
        remediation: 'In the broker settings, switch off anonymous access (for mosquitto: allow_anonymous false and a password_file), give every device and app its own user name and password, and restrict with an ACL which topics each may read and write. Prefer MQTT over TLS (port 8883).',
      },
      'mqtt-personal-topics': {
        title: 'No personal data seen on topics readable without a password',
        failureTitle: 'Personal data (presence, locks, cameras, names) readable over MQTT without a password',
        summary: 'Messages about who is at home, your door lock or your cameras can be read by anyone on your network.',
        guidelines: ['uk-cop-8'],
        provisions: ['5.8-1', '5.8-2', '5.5-4'],
        severity: 'high',
        description: 'Topics readable without a password have names (or JSON fields) that point to personal data: presence and occupancy, location, door and lock state, camera snapshots, names of household members. Whoever reads them learns when the home is empty and who lives there. Topic names are matched against a vocabulary (src/data/personal-topic-patterns.json); payloads are shown redacted unless --reveal-data is given.',
        remediation: 'Require authentication on the broker (see the anonymous-access finding) and use ACLs so that only the app and devices that need presence, lock or camera topics can read them. Avoid putting names of people in topic names.',
      },
      [CLEARTEXT_CHECK]: {
        title: 'No personal data travels over MQTT without encryption',
        failureTitle: 'Personal data travels over MQTT without encryption',
        summary: 'Messages about who is at home, your locks or your cameras cross your network unencrypted: anything on the way can read them, even if the broker had a password.',
        guidelines: ['uk-cop-5'],
        provisions: ['5.5-1', '5.8-2'],
        severity: 'high',
        description: 'When a broker delivers topics that look like personal data (see the personal-topics finding) over plain MQTT (port 1883, no TLS), anything on the network path can read them. EN 303 645 5.5-1 asks devices to use best-practice cryptography to communicate securely, and 5.8-2 that sensitive personal data be encrypted when it travels between the device and services. A password alone does not help here: the messages themselves are readable by anything on the network path.',
        remediation: 'Use MQTT over TLS (port 8883) for every device and app, and switch off the plain listener on 1883 (for mosquitto: a listener 8883 with certfile/keyfile, and no listener 1883). Then require a password, as the anonymous-access finding says.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 1883;
    const tls = wantsTls(ctx.service);
    const ev = baseEvidence(port, tls, ctx.settings.revealData);
    let conn: Conn;
    try {
      conn = tls
        ? await ctx.net.tls(port, { timeoutMs: 15_000, maxBytes: MAX_BYTES + 64 * 1024 })
        : await ctx.net.tcp(port, { timeoutMs: 15_000, maxBytes: MAX_BYTES + 64 * 1024 });
    } catch (e) {
      ev.error = errorDetail(e);
      return ev;
    }
    try {
      await session(ctx, conn, ev);
    } catch (e) {
      if (ev.connect !== 'accepted') {
        ev.connect = 'error';
        ev.error = errorDetail(e);
      }
    } finally {
      conn.close();
    }
    return ev;
  },
  assess(evidence) {
    return assessMqtt(evidence);
  },
});
