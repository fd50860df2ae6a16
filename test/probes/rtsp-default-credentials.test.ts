import { jest } from '@jest/globals';
import probe, { assessRtsp, type RtspEvidence } from '../../src/probes/rtsp-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp } from './helpers/credential-context.js';
import { fakeRtsp, type FakeRtspOptions } from './helpers/fake-rtsp.js';

jest.setTimeout(30_000);

async function scan(o: FakeRtspOptions, extra: { macVendor?: string; maxGuesses?: number } = {}) {
  const cam = await fakeRtsp(o);
  const service = tcp(cam.port, 'rtsp');
  const dev = device([service], extra.macVendor ? { macVendor: extra.macVendor } : {});
  const t = credContext({ service, device: dev, ...(extra.maxGuesses !== undefined ? { maxGuesses: extra.maxGuesses } : {}) });
  try {
    const ev = await probe.collect(t.ctx);
    return { ev, results: probe.assess(ev, assessInput(dev, service)), cam };
  } finally {
    await cam.close();
  }
}

const byCheck = <T extends { check: string }>(rs: T[], id: string): T | undefined => rs.find((r) => r.check === id);

describe('rtsp-default-credentials collect (fake camera)', () => {
  it('an open stream is rtsp-unauthenticated-stream; no login is tried', async () => {
    const { results, cam, ev } = await scan({ paths: ['/live'], auth: 'none' });
    expect(byCheck(results, 'rtsp-unauthenticated-stream')?.status).toBe('fail');
    expect(byCheck(results, 'rtsp-default-credentials')?.status).toBe('not_applicable');
    expect(ev.openStreamPath).toBe('/live');
    expect(ev.openStreamMedia).toEqual(['video', 'audio']);
    // Its video and audio are served over plain RTSP: guideline 5 fails too.
    expect(byCheck(results, 'rtsp-stream-cleartext')).toMatchObject({ status: 'fail' });
    expect(byCheck(results, 'rtsp-stream-cleartext')?.detail).toContain('camera video, camera audio (/live)');
    expect(cam.attempts).toHaveLength(0);
    expect(cam.methods.every((m) => m === 'DESCRIBE')).toBe(true);
  });

  it('Digest on the vendor path: the default is found, then confirmed by a failing negative control', async () => {
    const { results, cam, ev } = await scan({ paths: ['/Streaming/Channels/101'], auth: 'digest', accounts: { admin: '12345' } }, { macVendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' });
    expect(ev.probedPaths[0]).toEqual({ path: '/Streaming/Channels/101', status: 401 });
    expect(byCheck(results, 'rtsp-default-credentials')).toMatchObject({ status: 'fail', credential: { username: 'admin', password: '12345' } });
    expect(byCheck(results, 'rtsp-unauthenticated-stream')?.status).toBe('pass');
    // No stream was described without a password: its media was not seen, so no guideline 5 verdict.
    expect(byCheck(results, 'rtsp-stream-cleartext')?.status).toBe('not_applicable');
    expect(cam.attempts.map((a) => a.ok)).toEqual([true, false, true]); // Hikvision locks: default first, then the confirmation
    expect(cam.methods.filter((m) => m !== 'DESCRIBE')).toEqual([]);
  });

  it('Basic on a generic path, accept-anything camera: reported without a credential', async () => {
    const { results } = await scan({ paths: ['/live'], auth: 'any' });
    const d = byCheck(results, 'rtsp-default-credentials');
    expect(d).toMatchObject({ status: 'fail', title: 'Camera stream accepts any user name and password' });
    expect(d?.credential).toBeUndefined();
  });

  it('no known stream path: nothing to log into, and no stream open', async () => {
    const { results, cam } = await scan({ paths: ['/secret-path'], auth: 'basic', accounts: { admin: 'admin' } });
    expect(byCheck(results, 'rtsp-default-credentials')?.status).toBe('not_applicable');
    expect(byCheck(results, 'rtsp-unauthenticated-stream')?.status).toBe('pass');
    expect(cam.attempts).toHaveLength(0);
  });

  it('stays within the budget and stops on a lockout', async () => {
    const { ev, cam } = await scan({ paths: ['/'], auth: 'basic', accounts: { x: 'y' }, lockAfter: 3 }, { maxGuesses: 10 });
    expect(ev.stop).toBe('lockout');
    expect(cam.attempts.length).toBeLessThanOrEqual(3);
  });
});

describe('rtsp-default-credentials assess', () => {
  const base: RtspEvidence = {
    maxGuesses: 10, attempts: 0, failures: 0, candidatesPlanned: 5, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: [],
    negativeControl: 'not-run', stop: 'unsupported', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
    unsupported: null, skippedForAccountCap: 0, errors: [], found: null,
    port: 554, probedPaths: [], openStreamPath: null, openStreamMedia: [], target: null, server: null, preflightError: null,
  };
  it('a port that does not speak RTSP is an error for both checks', () => {
    const rs = assessRtsp({ ...base, preflightError: { kind: 'protocol-error', message: 'not an RTSP response' } });
    expect(rs.map((r) => r.status)).toEqual(['error', 'error', 'error']);
  });
  it('the open-stream check maps to guideline 8', () => {
    expect(probe.meta.checks['rtsp-unauthenticated-stream']?.guidelines).toEqual(['uk-cop-8']);
    expect(probe.meta.checks['rtsp-stream-cleartext']?.guidelines).toEqual(['uk-cop-5']);
  });
});
