/**
 * rtsp-default-credentials (guideline 1), rtsp-unauthenticated-stream (guideline 8: camera video is
 * personal data) and rtsp-stream-cleartext (guideline 5: that video is described over plain RTSP).
 * Own RTSP client (src/net/rtsp.ts), DESCRIBE only: never SETUP or PLAY, so no video flows.
 *
 * 1. DESCRIBE a few stream paths (the matched vendors' first, then common ones) without credentials on one
 *    connection: 200 with a session description means the stream is open to anyone; 401 with a challenge
 *    is a protected stream to try defaults on; 404/454 means try the next path.
 * 2. On a protected stream: the negative control, then the candidates, each on its own connection — an
 *    unauthenticated DESCRIBE for a fresh challenge (not a guess), then one DESCRIBE with Basic or Digest.
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import { assessCleartextPersonal } from './lib/cleartext-personal.js';
import type { ErrorKind } from '../model.js';
import { authorizationFor, chooseAuth, parseAuthenticate, type ChosenAuth } from '../net/digest.js';
import { RtspClient, rtspUrl, type RtspResponse } from '../net/rtsp.js';
import { classifyError } from '../net/errors.js';
import { hostForUrl } from '../net/scope.js';
import { httpLockout } from './lib/lockout.js';
import {
  emptyRun, fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, publicEvidence, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type Candidate, type GuessEvidence, type GuessRun,
} from './lib/credentials.js';
import { lockoutPolicy } from './lib/lockout.js';

export const CHECK_DEFAULT = 'rtsp-default-credentials';
export const CHECK_OPEN = 'rtsp-unauthenticated-stream';
export const CHECK_CLEARTEXT = 'rtsp-stream-cleartext';

const JOB_TIMEOUT_MS = 150_000;
const ATTEMPT_MS = 12_000;
const REQUEST_MS = 6_000;
/** Stream paths tried when no vendor is known (path "/" first: many servers describe their default stream there). */
export const GENERIC_RTSP_PATHS = ['/', '/live', '/stream1', '/h264'];
const MAX_PATHS = 5;

export type RtspEvidence = GuessEvidence & {
  port: number;
  /** DESCRIBE answers without credentials, per path. */
  probedPaths: { path: string; status: number | null }[];
  /** A stream path that answered 200 without credentials. */
  openStreamPath: string | null;
  /** Media types in the open stream's SDP ("video", "audio"). */
  openStreamMedia: string[];
  target: { path: string; scheme: 'basic' | 'digest'; algorithm: string | null; realm: string | null } | null;
  server: string | null;
  preflightError: { kind: string; message: string } | null;
};

function headerOf(r: RtspResponse, name: string): string | undefined {
  return r.headers.get(name)?.[0];
}

function mediaOf(sdp: string): string[] {
  const out: string[] = [];
  for (const m of sdp.slice(0, 16 * 1024).matchAll(/^m=([a-z]{1,16}) /gm)) {
    if (m[1] && !out.includes(m[1]) && out.length < 6) out.push(m[1]);
  }
  return out;
}

interface Target { path: string; url: string; auth: Exclude<ChosenAuth, null> }

async function withClient<T>(ctx: ProbeContext, port: number, fn: (c: RtspClient) => Promise<T>): Promise<T> {
  const conn = await ctx.net.tcp(port, { timeoutMs: ATTEMPT_MS, maxBytes: 256 * 1024 });
  const client = new RtspClient(conn, REQUEST_MS);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function attemptLogin(ctx: ProbeContext, port: number, target: Target, c: Candidate): Promise<AttemptOutcome> {
  return withClient(ctx, port, async (client) => {
    // A fresh challenge on this connection (nonces are often bound to the connection).
    const first = await client.request('DESCRIBE', target.url);
    let auth: Exclude<ChosenAuth, null> = target.auth;
    if (first.status === 401) {
      const fresh = chooseAuth(parseAuthenticate(first.headers.get('www-authenticate')));
      if (fresh && fresh.scheme === target.auth.scheme) auth = fresh;
    } else if (first.status === 200) {
      return { kind: 'success' };
    }
    const res = await client.request('DESCRIBE', target.url, [
      ['Authorization', authorizationFor(auth, { username: c.username, password: c.password, method: 'DESCRIBE', uri: target.url })],
    ]);
    const lock = httpLockout(res.status, res.headers, res.body);
    if (lock.locked) return { kind: 'lockout', text: lock.text ?? `RTSP ${res.status}` };
    if (res.status === 200) return { kind: 'success' };
    if (res.status === 401 || res.status === 403) {
      const r: { kind: 'failure'; hint?: string; remaining?: number } = { kind: 'failure' };
      if (lock.hint !== undefined) r.hint = lock.hint;
      if (lock.remaining !== undefined) r.remaining = lock.remaining;
      return r;
    }
    return { kind: 'error', errorKind: 'protocol-error', message: `unexpected RTSP ${res.status} to DESCRIBE with credentials` };
  });
}

export function assessRtsp(ev: RtspEvidence): CheckResult[] {
  const results = assessAccess(ev);
  return [...results, assessCleartextStream(ev, results)];
}

/** Guideline 5: a stream described without a password is served over plain RTSP (no TLS), so its video is readable on the wire. */
function assessCleartextStream(ev: RtspEvidence, access: readonly CheckResult[]): CheckResult {
  const open = access.find((r) => r.check === CHECK_OPEN);
  if (ev.openStreamPath === null) {
    if (open?.status === 'error' || open?.status === 'not_tested') return { check: CHECK_CLEARTEXT, status: open.status, ...(open.error ? { error: open.error } : {}), ...(open.detail ? { detail: open.detail } : {}) };
    return { check: CHECK_CLEARTEXT, status: 'not_applicable', detail: 'No stream was described without a password: its media was not seen.' };
  }
  const media = ev.openStreamMedia.filter((m) => m === 'video' || m === 'audio');
  return assessCleartextPersonal({
    check: CHECK_CLEARTEXT, where: `the RTSP stream on port ${ev.port}`, encrypted: false,
    // The session description names the media; camera video and audio of a home are personal data.
    personal: { kinds: media.map((m) => `camera ${m}`), examples: [ev.openStreamPath.slice(0, 120)] },
    evidence: { port: ev.port, path: ev.openStreamPath.slice(0, 120), media: ev.openStreamMedia },
  });
}

function assessAccess(ev: RtspEvidence): CheckResult[] {
  const pub = publicEvidence(ev);
  if (ev.openStreamPath !== null) {
    return [
      {
        check: CHECK_OPEN, status: 'fail',
        detail: `The RTSP stream ${ev.openStreamPath.slice(0, 120)} on port ${ev.port} is described to anyone without a password${ev.openStreamMedia.length ? ` (media: ${ev.openStreamMedia.join(', ')})` : ''}.`,
        evidence: pub,
      },
      { check: CHECK_DEFAULT, status: 'not_applicable', detail: 'The stream needs no password at all.', evidence: pub },
    ];
  }
  if (ev.target === null && ev.stop === 'lockout') {
    const detail = `The RTSP server on port ${ev.port} refused requests because of a lockout or rate limit ("${(ev.lockoutText ?? '').slice(0, 120)}").`;
    return [{ check: CHECK_OPEN, status: 'not_tested', detail, evidence: pub }, { check: CHECK_DEFAULT, status: 'not_tested', detail, evidence: pub }];
  }
  if (ev.target === null) {
    if (ev.preflightError !== null) {
      const error = { kind: ev.preflightError.kind as ErrorKind, message: ev.preflightError.message };
      return [{ check: CHECK_OPEN, status: 'error', error, evidence: pub }, { check: CHECK_DEFAULT, status: 'error', error, evidence: pub }];
    }
    const what = ev.probedPaths.map((p) => `${p.path} → ${p.status ?? 'no answer'}`).join(', ');
    return [
      { check: CHECK_OPEN, status: 'pass', confidence: 'medium', detail: `No stream path tried was open without a password (${what}).`, evidence: pub },
      { check: CHECK_DEFAULT, status: 'not_applicable', detail: `No stream path tried asked for RTSP authentication (${what}).`, evidence: pub },
    ];
  }
  const results = assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT,
    label: `the RTSP stream ${ev.target.path.slice(0, 80)} on port ${ev.port}`,
    anyTitle: 'Camera stream accepts any user name and password',
    anySeverity: 'high',
    cleartext: ev.target.scheme === 'basic',
  });
  results.push({ check: CHECK_OPEN, status: 'pass', detail: `The stream ${ev.target.path.slice(0, 80)} asks for a password (RTSP 401).`, evidence: pub });
  return results;
}

export default defineProbe<RtspEvidence>({
  meta: {
    id: 'rtsp-default-credentials',
    title: 'Camera stream (RTSP) default credentials',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['rtsp'], ports: [554, 8554] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'Camera stream rejects default credentials',
        failureTitle: 'Camera stream accepts a default credential',
        summary: 'This camera\'s video stream still opens with its factory password, so anyone on your network can watch it.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1', '5.1-2'],
        severity: 'high',
        description: 'A default user name and password opens the camera\'s RTSP video stream. Anyone who can reach the camera can watch (and record) what it sees; the same account usually also logs in to its web interface.',
        remediation: 'Change the camera\'s passwords (every account, including the one used for streaming/ONVIF) to long, unique ones, and update the recorder or app that uses them. If the password cannot be changed, update the firmware or replace the camera.',
      },
      [CHECK_OPEN]: {
        title: 'Camera stream asks for a password',
        failureTitle: 'Camera stream is open to anyone',
        summary: 'Anyone on your network can watch this camera\'s video without a password.',
        guidelines: ['uk-cop-8'],
        provisions: ['5.8-1', '6-1'],
        severity: 'high',
        description: 'The camera describes its RTSP video stream without asking for any credentials: any player on the network (VLC, ffmpeg) can open it. Camera images are personal data.',
        remediation: 'Turn on authentication for RTSP/streaming in the camera settings (often "RTSP authentication" or "anonymous visit" off), set a strong password, and update the firmware.',
      },
      [CHECK_CLEARTEXT]: {
        title: 'Camera video does not travel unencrypted',
        failureTitle: 'Camera video travels unencrypted',
        summary: 'This camera sends its video over your network without encryption: anything on the way can watch it.',
        guidelines: ['uk-cop-5'],
        provisions: ['5.5-1', '5.8-2'],
        severity: 'high',
        description: 'When a stream\'s session description (DESCRIBE, no video is fetched) lists video or audio served over plain RTSP, the media itself flows unencrypted (RTP), readable by any device on the network path. Camera images of a home are personal data; EN 303 645 5.5-1 asks for best-practice cryptography and 5.8-2 for encryption of sensitive personal data in transit.',
        remediation: 'Prefer the camera\'s encrypted streaming (RTSPS/SRTP or its app\'s TLS connection) where it has one, and switch plain RTSP off when no recorder needs it. Keep the camera on a separate network (guest or IoT VLAN) so that its stream does not cross the rest of the home network.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 554;
    const started = Date.now();
    const host = hostForUrl(ctx.device.address);
    const owner = ownerPairs(ctx.credentials, ctx.config, 'rtsp');
    let plan = buildCandidates({ service: 'rtsp', signals: signalsOf(ctx.device, ctx.service, [ctx.service?.banner], ctx.config), owner });
    const paths = [...new Set([...plan.matched.flatMap((m) => m.vendor.rtspPaths ?? []), ...GENERIC_RTSP_PATHS])].slice(0, MAX_PATHS);
    const probed: RtspEvidence['probedPaths'] = [];
    let open: { path: string; media: string[] } | null = null;
    let target: Target | null = null;
    let server: string | null = null;
    let preflightError: { kind: ErrorKind; message: string } | null = null;
    let lockout: string | null = null;
    try {
      await withClient(ctx, port, async (client) => {
        for (const path of paths) {
          const url = rtspUrl(host, port, path);
          let res: RtspResponse;
          try {
            res = await client.request('DESCRIBE', url);
          } catch (e) {
            if (classifyError(e) === 'aborted') throw e;
            probed.push({ path, status: null });
            if (probed.every((p) => p.status === null)) preflightError = { kind: classifyError(e) === 'internal' ? 'protocol-error' : classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
            return; // the connection is unusable after a broken answer
          }
          probed.push({ path, status: res.status });
          server ??= headerOf(res, 'server')?.slice(0, 200) ?? null;
          if (res.status === 200) { open = { path, media: mediaOf(res.body) }; return; }
          const lock = httpLockout(res.status, res.headers, res.body);
          if (lock.locked) { lockout = lock.text ?? `RTSP ${res.status}`; return; }
          if (res.status === 401) {
            const auth = chooseAuth(parseAuthenticate(res.headers.get('www-authenticate')));
            if (auth) { target = { path, url, auth }; return; }
          }
        }
      });
    } catch (e) {
      if (classifyError(e) === 'aborted') throw e;
      preflightError = { kind: classifyError(e) === 'internal' ? 'protocol-error' : classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
    }
    const found = target as Target | null;
    const openStream = open as { path: string; media: string[] } | null;
    plan = buildCandidates({ service: 'rtsp', signals: signalsOf(ctx.device, ctx.service, [ctx.service?.banner, server, found?.auth.scheme === 'basic' ? found.auth.realm : found?.auth.digest.realm], ctx.config), owner });
    let run: GuessRun;
    if (found === null || openStream !== null || lockout !== null) {
      run = emptyRun(lockout !== null ? 'lockout' : 'unsupported', lockoutPolicy(plan.lockoutReasons));
      if (lockout !== null) run.lockoutText = lockout;
    } else {
      const t: Target = found;
      run = await runGuesses({
        negativeControl: randomCredential(),
        candidates: plan.candidates,
        policy: initialPolicy(plan),
        attempt: (c) => attemptLogin(ctx, port, t, c),
        ...fromContext(ctx),
        deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
        attemptMs: ATTEMPT_MS,
      });
    }
    return {
      ...guessEvidence(run, plan, ctx.settings.maxGuesses),
      port,
      probedPaths: probed,
      openStreamPath: openStream?.path ?? null,
      openStreamMedia: openStream?.media ?? [],
      target: found
        ? {
          path: found.path,
          scheme: found.auth.scheme,
          algorithm: found.auth.scheme === 'digest' ? found.auth.digest.algorithm : null,
          realm: (found.auth.scheme === 'digest' ? found.auth.digest.realm : found.auth.realm ?? null)?.slice(0, 200) ?? null,
        }
        : null,
      server,
      preflightError,
    };
  },

  assess(evidence) {
    return assessRtsp(evidence);
  },
});
