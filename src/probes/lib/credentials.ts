/**
 * Shared logic of the default-credential probes (pure; the only I/O is what the probe passes in):
 * - which vendor entries of src/data/credentials.json match a device (vendor, model, MAC vendor, HTTP
 *   realm/title/Server, banners);
 * - the ordered, de-duplicated candidate list: owner pairs (targets.yaml), vendor pairs, derived passwords
 *   (from the MAC or serial number the device discloses), the Mirai set (telnet), the generic list;
 * - the guessing loop: negative control first, then candidates, one attempt per call, a delay between
 *   attempts, the guess budget, the lockout policy, stop at first success or on a lockout;
 * - evidence (usernames, never passwords, except the one internal `found` field that assess moves into
 *   CheckResult.credential) and the mapping of a run onto check results.
 */
import { randomBytes } from 'node:crypto';
import type { CheckResult, CredentialPair, DeviceConfig } from '../contract.js';
import type { Confidence, Device, ErrorKind, Json, Service, Severity } from '../../report/model.js';
import {
  MATCH_INPUT_CHARS, credentialDb,
  type CompiledVendor, type CredentialDb, type CredentialService, type TemplateField,
} from '../../data/credentials.js';
import { classifyError } from '../../net/errors.js';
import { lockoutPolicy, makeCautious, type LockoutPolicy } from './lockout.js';

export type CandidateOrigin = 'owner' | 'vendor' | 'derived' | 'mirai' | 'generic';

export interface Candidate {
  username: string;
  password: string;
  origin: CandidateOrigin;
  /** Where the pair comes from (data source text, "targets.yaml"), capped. */
  source: string;
  /** Data entry id (vendor id, derived id), when there is one. */
  ref?: string;
}

// ---------------------------------------------------------------------------------------------------
// Device signals and vendor matching

export interface DeviceSignals {
  vendor?: string;
  model?: string;
  macVendor?: string;
  /** 12 upper-case hex digits, when the MAC is known and not randomised. */
  mac?: string;
  serial?: string;
  /** Free text that may name the vendor: realm, title, Server, banners, products, host names (each capped). */
  texts: string[];
}

const MAX_TEXTS = 32;

function capStr(s: string | undefined | null): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.slice(0, MATCH_INPUT_CHARS).trim();
  return t === '' ? undefined : t;
}

/** Normalised MAC (12 upper-case hex digits) or undefined. */
export function normaliseMac(mac: string | undefined): string | undefined {
  if (!mac) return undefined;
  const hex = mac.slice(0, 64).replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.length === 12 ? hex : undefined;
}

/** Signals of a device for vendor matching, plus extra text the probe saw itself (realm, title, banner). */
export function signalsOf(device: Device, service?: Service, extra: readonly (string | undefined | null)[] = [], config?: DeviceConfig): DeviceSignals {
  const texts: string[] = [];
  const add = (s: string | undefined | null): void => {
    const c = capStr(s);
    if (c !== undefined && texts.length < MAX_TEXTS && !texts.includes(c)) texts.push(c);
  };
  for (const e of extra) add(e);
  add(device.identification.model);
  add(device.identification.friendlyName);
  add(config?.model);
  for (const h of device.hostnames.slice(0, 4)) add(h);
  const services = service ? [service, ...device.services.filter((s) => s !== service)] : device.services;
  for (const s of services.slice(0, 16)) { add(s.product); add(s.banner); add(s.extraInfo); }
  const sig: DeviceSignals = { texts };
  const vendor = capStr(config?.vendor) ?? capStr(device.identification.vendor);
  if (vendor !== undefined) sig.vendor = vendor;
  const model = capStr(config?.model) ?? capStr(device.identification.model);
  if (model !== undefined) sig.model = model;
  const macVendor = capStr(device.macVendor);
  if (macVendor !== undefined) sig.macVendor = macVendor;
  const mac = device.macRandomised ? undefined : normaliseMac(device.mac);
  if (mac !== undefined) sig.mac = mac;
  const serial = capStr(device.identification.serial);
  if (serial !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/.test(serial)) sig.serial = serial;
  return sig;
}

export interface VendorMatch { vendor: CompiledVendor; via: 'vendor' | 'mac-vendor' | 'text' }

/** Vendor entries that match the signals, in data order, each with the first signal that matched. */
export function matchVendors(db: CredentialDb, s: DeviceSignals): VendorMatch[] {
  const out: VendorMatch[] = [];
  for (const v of db.vendors) {
    if (v.re.vendor && s.vendor !== undefined && v.re.vendor.test(s.vendor)) out.push({ vendor: v, via: 'vendor' });
    else if (v.re.macVendor && s.macVendor !== undefined && v.re.macVendor.test(s.macVendor)) out.push({ vendor: v, via: 'mac-vendor' });
    else if (v.re.text && s.texts.some((t) => v.re.text!.test(t))) out.push({ vendor: v, via: 'text' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Candidates

/** Value of a template field from the signals, or undefined when the device did not disclose it. */
export function templateValue(field: TemplateField, s: DeviceSignals): string | undefined {
  switch (field) {
    case 'serial': return s.serial;
    case 'serial6': return s.serial && s.serial.length > 6 ? s.serial.slice(-6) : undefined;
    case 'serial8': return s.serial && s.serial.length > 8 ? s.serial.slice(-8) : undefined;
    case 'mac6': return s.mac?.slice(-6);
    case 'mac6l': return s.mac?.slice(-6).toLowerCase();
    case 'mac8': return s.mac?.slice(-8);
    case 'mac12': return s.mac;
    case 'mac12l': return s.mac?.toLowerCase();
  }
}

/** Fills a template ("{serial}", "admin{mac6}"), or undefined when a field is unknown for this device. */
export function deriveFromTemplate(template: string, s: DeviceSignals): string | undefined {
  let missing = false;
  const out = template.replace(/\{([a-z0-9]+)\}/g, (_, f: string) => {
    const v = templateValue(f as TemplateField, s);
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

export interface CandidateInput {
  service: CredentialService;
  signals: DeviceSignals;
  /** Owner pairs for this service (see ownerPairs). */
  owner: readonly CredentialPair[];
  db?: CredentialDb;
  /** Password-only logins (a telnet that asks only for a password): de-duplicate on the password. */
  passwordOnly?: boolean;
  /** User names that belong to another check (FTP "anonymous"): never tried here. */
  excludeUsernames?: readonly string[];
}

export interface CandidatePlan {
  candidates: Candidate[];
  matched: VendorMatch[];
  /** Why the service should be treated as one that locks (vendor data). */
  lockoutReasons: string[];
}

function shortSource(s: string): string {
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

/** The ordered candidate list for one service of one device. */
export function buildCandidates(input: CandidateInput): CandidatePlan {
  const db = input.db ?? credentialDb();
  const matched = matchVendors(db, input.signals);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const excluded = new Set((input.excludeUsernames ?? []).map((u) => u.toLowerCase()));
  const push = (c: Candidate): void => {
    if (excluded.has(c.username.toLowerCase())) return;
    const key = input.passwordOnly ? `\u0000${c.password}` : `${c.username}\u0000${c.password}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const p of input.owner) push({ username: p.username, password: p.password, origin: 'owner', source: 'targets.yaml' });
  for (const m of matched) {
    for (const p of m.vendor.pairs) {
      if (p.services.includes(input.service)) push({ username: p.username, password: p.password, origin: 'vendor', source: shortSource(p.source), ref: m.vendor.id });
    }
  }
  const matchedIds = new Set(matched.map((m) => m.vendor.id));
  const derived = [
    ...db.file.derived.filter((d) => d.vendor !== undefined && matchedIds.has(d.vendor)),
    ...db.file.derived.filter((d) => d.vendor === undefined),
  ];
  for (const d of derived) {
    if (!d.services.includes(input.service)) continue;
    const password = deriveFromTemplate(d.template, input.signals);
    if (password !== undefined && password !== '') push({ username: d.username, password, origin: 'derived', source: shortSource(d.source), ref: d.id });
  }
  if (input.service === 'telnet') {
    for (const p of db.file.mirai.pairs) push({ username: p.username, password: p.password, origin: 'mirai', source: shortSource(db.file.mirai.source) });
  }
  for (const p of db.file.generic) {
    if (p.services.includes(input.service)) push({ username: p.username, password: p.password, origin: 'generic', source: shortSource(p.source) });
  }
  const lockoutReasons = matched
    .filter((m) => m.vendor.lockout?.services.includes(input.service))
    .map((m) => `${m.vendor.name}: ${m.vendor.lockout?.note ?? ''}`);
  return { candidates: out, matched, lockoutReasons };
}

/**
 * Owner pairs for a service: ctx.credentials (targets.yaml), minus those the owner tied to another service
 * (`service:` in targets.yaml; names like "http", "https", "web", "ssh" are understood loosely).
 */
export function ownerPairs(credentials: readonly CredentialPair[], config: DeviceConfig | undefined, service: CredentialService): CredentialPair[] {
  const tied = config?.credentials ?? [];
  const aliases: Record<CredentialService, string[]> = {
    ssh: ['ssh', 'sftp'], telnet: ['telnet'], http: ['http', 'https', 'web', 'www'], ftp: ['ftp', 'ftps'],
    mqtt: ['mqtt', 'mqtts', 'secure-mqtt'], rtsp: ['rtsp'], snmp: ['snmp'],
  };
  return credentials.filter((c) => {
    const entry = tied.find((t) => t.username === c.username && t.password === c.password);
    if (!entry?.service) return true;
    return aliases[service].includes(entry.service.trim().toLowerCase());
  });
}

/** A credential no device has: the negative control. */
export function randomCredential(random: (n: number) => Buffer = randomBytes): Candidate {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = random(22);
  let password = '';
  for (let i = 0; i < 18; i++) password += alphabet[(bytes[i] ?? 0) % alphabet.length];
  const user = `iotcop${[...bytes.subarray(18, 22)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  return { username: user, password: `Q${password}7`, origin: 'generic', source: 'negative control (random)' };
}

// ---------------------------------------------------------------------------------------------------
// The guessing loop

export type AttemptOutcome =
  | { kind: 'success' }
  | { kind: 'failure'; hint?: string; remaining?: number }
  | { kind: 'lockout'; text: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'error'; errorKind: ErrorKind; message: string };

export type StopReason =
  | 'success' | 'accepts-any' | 'budget' | 'exhausted' | 'lockout' | 'lockout-risk' | 'error' | 'deadline'
  | 'unsupported' | 'no-budget';

export type AttemptStep = 'negative-control' | 'guess';

export interface GuessOptions {
  negativeControl: Candidate;
  candidates: readonly Candidate[];
  /**
   * Called once after the negative control was rejected, for probes that learn something on that first
   * connection (a banner naming the vendor, a password-only prompt): the candidates and policy to use.
   */
  replan?: () => { candidates: readonly Candidate[]; policy: LockoutPolicy };
  /** Attempts allowed in total, the negative control included (ctx.settings.maxGuesses). */
  maxAttempts: number;
  policy: LockoutPolicy;
  attempt(c: Candidate, step: AttemptStep): Promise<AttemptOutcome>;
  sleep(ms: number): Promise<void>;
  delayMs: number;
  now(): number;
  /** No attempt starts unless it can finish (attemptMs) before this time (epoch ms). */
  deadlineAt: number;
  attemptMs: number;
}

export interface GuessRun {
  /** Login attempts made, the negative control included. */
  attempts: number;
  failures: number;
  candidatesTried: number;
  usernamesTried: string[];
  negativeControl: 'rejected' | 'accepted' | 'error' | 'unsupported' | 'not-run';
  stop: StopReason;
  /** 1-based attempt number and candidate of the success. */
  found?: { attempt: number; candidate: Candidate };
  lockoutText?: string;
  unsupported?: string;
  errors: { kind: ErrorKind; message: string }[];
  skippedForAccountCap: number;
  policy: LockoutPolicy;
}

function isAbort(e: unknown): boolean {
  return classifyError(e) === 'aborted';
}

/**
 * The guessing loop. Normally the negative control runs first. On a service that looks like it locks
 * (cautious policy, decided before the first attempt) it is deferred: the candidates go first, within
 * `maxFailures - 1` wrong logins, and the negative control runs only after a candidate worked, to prove the
 * login was not "anything goes" before it is reported. Any failed candidate already proves that not every
 * password is accepted. That keeps a scan of a device that counts every wrong login at one or two failures.
 */
export async function runGuesses(o: GuessOptions): Promise<GuessRun> {
  const run: GuessRun = {
    attempts: 0, failures: 0, candidatesTried: 0, usernamesTried: [], negativeControl: 'not-run',
    stop: 'exhausted', errors: [], skippedForAccountCap: 0, policy: o.policy,
  };
  const perAccount = new Map<string, number>();
  const noteUser = (u: string): void => { if (!run.usernamesTried.includes(u) && run.usernamesTried.length < 32) run.usernamesTried.push(u); };
  const attempt = async (c: Candidate, step: AttemptStep): Promise<AttemptOutcome> => {
    run.attempts += 1;
    noteUser(c.username);
    try {
      return await o.attempt(c, step);
    } catch (e) {
      if (isAbort(e)) throw e;
      return { kind: 'error', errorKind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
    }
  };
  const failed = (c: Candidate, r: Extract<AttemptOutcome, { kind: 'failure' }>): void => {
    run.failures += 1;
    perAccount.set(c.username, (perAccount.get(c.username) ?? 0) + 1);
    if (r.hint !== undefined) run.policy = makeCautious(run.policy, `the device said: ${r.hint}`);
  };
  /** Runs the negative control; returns true when the run must stop (run.stop set). */
  const negativeControl = async (): Promise<boolean> => {
    const nc = await attempt(o.negativeControl, 'negative-control');
    switch (nc.kind) {
      case 'success': run.negativeControl = 'accepted'; run.stop = 'accepts-any'; return true;
      case 'lockout': run.negativeControl = 'error'; run.stop = 'lockout'; run.lockoutText = nc.text; return true;
      case 'unsupported': run.negativeControl = 'unsupported'; run.stop = 'unsupported'; run.unsupported = nc.reason; return true;
      case 'error': run.negativeControl = 'error'; run.stop = 'error'; run.errors.push({ kind: nc.errorKind, message: nc.message }); return true;
      case 'failure':
        run.negativeControl = 'rejected';
        failed(o.negativeControl, nc);
        if (nc.remaining !== undefined && nc.remaining <= 1) { run.stop = 'lockout-risk'; return true; }
        return false;
    }
  };

  if (o.maxAttempts < 1) { run.stop = 'no-budget'; return run; }
  if (o.now() + o.attemptMs > o.deadlineAt) { run.stop = 'deadline'; return run; }
  const deferred = o.policy.cautious && !o.replan && o.maxAttempts >= 2;
  if (!deferred && await negativeControl()) return run;

  let candidates = o.candidates;
  if (o.replan) {
    const next = o.replan();
    candidates = next.candidates;
    const reasons = [...run.policy.reasons, ...next.policy.reasons.filter((r) => !run.policy.reasons.includes(r))];
    run.policy = run.policy.cautious || next.policy.cautious ? lockoutPolicy(reasons) : next.policy;
  }
  // While the negative control is still owed, one attempt and one failure stay reserved for it.
  const reserve = (): number => (deferred && run.negativeControl === 'not-run' ? 1 : 0);
  let consecutiveErrors = 0;
  for (const c of candidates) {
    if (run.attempts >= o.maxAttempts - reserve()) { run.stop = 'budget'; return run; }
    if (run.policy.maxFailures !== null && run.failures >= run.policy.maxFailures - reserve()) { run.stop = 'lockout-risk'; return run; }
    if ((perAccount.get(c.username) ?? 0) >= run.policy.maxFailuresPerAccount) { run.skippedForAccountCap += 1; continue; }
    if (o.now() + o.delayMs + o.attemptMs * (1 + reserve()) > o.deadlineAt) { run.stop = 'deadline'; return run; }
    if (run.attempts > 0) await o.sleep(o.delayMs);
    const r = await attempt(c, 'guess');
    run.candidatesTried += 1;
    switch (r.kind) {
      case 'success': {
        const at = run.attempts;
        if (deferred && run.negativeControl === 'not-run') {
          await o.sleep(o.delayMs);
          if (await negativeControl()) {
            // Accepts anything: no default credential. A lockout or error here leaves the login unverified.
            if (run.stop === 'lockout' || run.stop === 'error' || run.stop === 'lockout-risk') {
              run.found = { attempt: at, candidate: c };
              run.stop = 'success';
            }
            return run;
          }
        }
        run.found = { attempt: at, candidate: c };
        run.stop = 'success';
        return run;
      }
      case 'lockout':
        run.lockoutText = r.text;
        run.stop = 'lockout';
        return run;
      case 'unsupported':
        run.unsupported = r.reason;
        run.stop = 'unsupported';
        return run;
      case 'error':
        run.errors.push({ kind: r.errorKind, message: r.message });
        if (r.errorKind === 'refused' && run.failures > 0) {
          // It answered before and now refuses: a block (fail2ban-style) is the likely reason. Stop.
          run.lockoutText = 'the device started refusing connections';
          run.stop = 'lockout';
          return run;
        }
        consecutiveErrors += 1;
        if (consecutiveErrors >= 2) { run.stop = 'error'; return run; }
        break;
      case 'failure':
        consecutiveErrors = 0;
        failed(c, r);
        if (r.remaining !== undefined && r.remaining <= 1) { run.stop = 'lockout-risk'; return run; }
        break;
    }
  }
  run.stop = run.attempts >= o.maxAttempts - reserve() ? 'budget' : 'exhausted';
  return run;
}

/** Initial lockout policy for a service from vendor data and text the device showed before any login. */
export function initialPolicy(plan: CandidatePlan, deviceHints: readonly (string | undefined)[] = []): LockoutPolicy {
  const reasons = [...plan.lockoutReasons];
  for (const h of deviceHints) if (h !== undefined) reasons.push(`the device said: ${h}`);
  return lockoutPolicy(reasons);
}

// ---------------------------------------------------------------------------------------------------
// Evidence

export type FoundSecret = {
  username: string;
  /** Internal: moved into CheckResult.credential by assess and never put in a finding's evidence. */
  password: string;
  origin: CandidateOrigin;
  source: string;
  ref: string | null;
  attempt: number;
};

export type GuessEvidence = {
  maxGuesses: number;
  attempts: number;
  failures: number;
  candidatesPlanned: number;
  candidatesTried: number;
  usernamesTried: string[];
  negativeControl: 'rejected' | 'accepted' | 'error' | 'unsupported' | 'not-run';
  stop: StopReason;
  vendorsMatched: { id: string; name: string; via: string }[];
  lockoutPolicy: { cautious: boolean; reasons: string[]; maxFailures: number | null; maxFailuresPerAccount: number };
  lockoutText: string | null;
  unsupported: string | null;
  skippedForAccountCap: number;
  errors: { kind: string; message: string }[];
  found: FoundSecret | null;
};

export function guessEvidence(run: GuessRun, plan: CandidatePlan, maxGuesses: number): GuessEvidence {
  return {
    maxGuesses,
    attempts: run.attempts,
    failures: run.failures,
    candidatesPlanned: plan.candidates.length,
    candidatesTried: run.candidatesTried,
    usernamesTried: run.usernamesTried.map((u) => u.slice(0, 64)),
    negativeControl: run.negativeControl,
    stop: run.stop,
    vendorsMatched: plan.matched.map((m) => ({ id: m.vendor.id, name: m.vendor.name, via: m.via })),
    lockoutPolicy: {
      cautious: run.policy.cautious,
      reasons: run.policy.reasons,
      maxFailures: run.policy.maxFailures,
      maxFailuresPerAccount: run.policy.maxFailuresPerAccount,
    },
    lockoutText: run.lockoutText?.slice(0, 160) ?? null,
    unsupported: run.unsupported?.slice(0, 200) ?? null,
    skippedForAccountCap: run.skippedForAccountCap,
    errors: run.errors.slice(0, 5).map((e) => ({ kind: e.kind, message: e.message.slice(0, 200) })),
    found: run.found
      ? {
        username: run.found.candidate.username,
        password: run.found.candidate.password,
        origin: run.found.candidate.origin,
        source: run.found.candidate.source,
        ref: run.found.candidate.ref ?? null,
        attempt: run.found.attempt,
      }
      : null,
  };
}

/** `text` with every occurrence of `secret` replaced (case-insensitively) by "•••". */
export function redact(text: string, secret: string): string {
  if (secret === '') return text;
  const lower = text.toLowerCase();
  const needle = secret.toLowerCase();
  let out = '';
  let i = 0;
  for (;;) {
    const j = lower.indexOf(needle, i);
    if (j < 0) return out + text.slice(i);
    out += `${text.slice(i, j)}•••`;
    i = j + needle.length;
  }
}

/** The evidence without the secret: what goes into a finding. */
export function publicEvidence<T extends { found: FoundSecret | null }>(ev: T): Json {
  const { found, ...rest } = ev;
  const out: Record<string, unknown> = { ...rest };
  if (found) {
    // Data sources quote the defaults they document ("admin / 1234"): the password is cut out of them too.
    out.found = { username: found.username, origin: found.origin, source: redact(found.source, found.password), ref: found.ref, attempt: found.attempt };
  }
  return out as Json;
}

// ---------------------------------------------------------------------------------------------------
// Assessment

export interface AssessLabels {
  /** The check for a working default credential. */
  defaultCheck: string;
  /** The check for "accepts any password", when the probe has one; otherwise the default check reports it with `anyTitle`. */
  anyCheck?: string;
  /** "Telnet", "SSH", "the web interface" — used in details. */
  label: string;
  /** Title when the service accepts anything and there is no separate check. */
  anyTitle: string;
  anySeverity?: Severity;
  /** Whether the login travelled in cleartext (said in the detail). */
  cleartext: boolean;
  /** Status of the default check when the service offers no password login at all (SSH keys only). */
  unsupportedStatus?: 'pass' | 'not_applicable';
}

const ORIGIN_WORDS: Record<CandidateOrigin, string> = {
  owner: 'a pair listed for this device in targets.yaml',
  vendor: 'the vendor\'s documented factory default',
  derived: 'a password derived from an identifier the device discloses (MAC address or serial number)',
  mirai: 'a pair from the Mirai botnet\'s list',
  generic: 'a common default',
};

const STOP_WORDS: Record<StopReason, string> = {
  success: 'a credential worked',
  'accepts-any': 'the service accepts any password',
  budget: 'the guess budget was used up',
  exhausted: 'every candidate was tried',
  lockout: 'the device signalled a lockout',
  'lockout-risk': 'the service looks like it locks accounts, so iotcop stopped early on purpose',
  error: 'connections failed',
  deadline: 'the probe ran out of time',
  unsupported: 'the service offers no password login',
  'no-budget': 'the guess budget is 0',
};

function describeRun(ev: GuessEvidence): string {
  const tried = ev.candidatesTried === 1 ? '1 default credential' : `${ev.candidatesTried} default credentials`;
  const attempts = ev.attempts === 1 ? '1 login attempt' : `${ev.attempts} login attempts`;
  return `${tried} in ${attempts}${ev.negativeControl === 'rejected' ? ', the negative control included' : ''}; stopped because ${STOP_WORDS[ev.stop]}.`;
}

/**
 * Check results of a guessing run. Probe-specific states (no authentication at all, anonymous brokers,
 * open streams) are decided by the probe before it calls this.
 */
export function assessGuesses(ev: GuessEvidence, labels: AssessLabels): CheckResult[] {
  const out: CheckResult[] = [];
  const pub = publicEvidence(ev);
  const errorOf = (): { kind: ErrorKind; message: string } => {
    const e = ev.errors[0];
    return { kind: (e?.kind as ErrorKind | undefined) ?? 'internal', message: e?.message ?? 'the login attempts could not complete' };
  };
  const anyResult = (r: Omit<CheckResult, 'check'>): void => { if (labels.anyCheck) out.push({ check: labels.anyCheck, ...r }); };
  const ncRejected = ev.negativeControl === 'rejected' || ev.negativeControl === 'unsupported';
  // A wrong password that failed proves as much as the negative control: the service does not accept anything.
  const wrongRejected = ev.negativeControl === 'rejected' || ev.failures > 0;
  const rejectedDetail = ev.negativeControl === 'rejected'
    ? 'A random wrong password was rejected (negative control).'
    : 'Wrong passwords were rejected.';

  if (ev.stop === 'accepts-any') {
    const detail = `A random user name and password that no device has (the negative control) logged in to ${labels.label}: it accepts any password${labels.cleartext ? ', and the login travels in cleartext' : ''}.`;
    if (labels.anyCheck) {
      out.push({ check: labels.anyCheck, status: 'fail', detail, evidence: pub });
      out.push({ check: labels.defaultCheck, status: 'not_applicable', detail: `${labels.label} accepts any password, so no default credential can be singled out.`, evidence: pub });
    } else {
      const r: CheckResult = { check: labels.defaultCheck, status: 'fail', title: labels.anyTitle, detail, evidence: pub };
      if (labels.anySeverity) r.severity = labels.anySeverity;
      out.push(r);
    }
    return out;
  }

  if (ev.stop === 'no-budget') {
    const r: Omit<CheckResult, 'check'> = { status: 'not_tested', detail: 'No login was attempted: the guess budget (--max-guesses) is 0.', evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    anyResult(r);
    return out;
  }

  if (ev.stop === 'success' && ev.found) {
    const f = ev.found;
    const verified = ev.negativeControl === 'rejected';
    const r: CheckResult = {
      check: labels.defaultCheck,
      status: 'fail',
      detail: `The user "${f.username.slice(0, 64)}" logged in to ${labels.label} with ${ORIGIN_WORDS[f.origin]} on attempt ${f.attempt} of ${ev.maxGuesses}${labels.cleartext ? ', over a connection that carries the password in cleartext' : ''}; ${verified ? 'a random wrong password was rejected (negative control)' : 'the negative control (a random wrong password) could not be completed'}.`,
      evidence: pub,
      credential: { username: f.username, password: f.password },
    };
    if (!verified) r.confidence = 'medium';
    out.push(r);
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult({ status: 'not_tested', detail: 'The negative control could not be completed.', evidence: pub });
    return out;
  }

  if (ev.stop === 'unsupported') {
    const status = labels.unsupportedStatus ?? 'not_applicable';
    const detail = `${labels.label} offers no password login (${ev.unsupported ?? 'no supported method'}), so no default password can work.`;
    out.push({ check: labels.defaultCheck, status, detail, evidence: pub });
    anyResult({ status, detail, evidence: pub });
    return out;
  }

  if (ev.stop === 'lockout') {
    const quoted = ev.lockoutText ? ` It said: "${ev.lockoutText.slice(0, 120)}".` : '';
    out.push({
      check: labels.defaultCheck,
      status: (ncRejected || wrongRejected) && ev.candidatesTried > 0 ? 'info' : 'not_tested',
      confidence: 'low',
      title: 'Default-credential check stopped: the device signalled a lockout',
      detail: `iotcop stopped after ${ev.attempts} login attempts because the device signalled a lockout or rate limit.${quoted} A lockout slows password guessing (EN 303 645 5.1-5), but the defaults not yet tried remain untested.`,
      evidence: pub,
    });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult({ status: 'not_tested', detail: 'The device signalled a lockout before the negative control completed.', evidence: pub });
    return out;
  }

  if (ev.stop === 'error' && ev.candidatesTried === 0) {
    const r: Omit<CheckResult, 'check'> = { status: 'error', error: errorOf(), evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult(r);
    return out;
  }

  if (ev.candidatesTried === 0) {
    const r: Omit<CheckResult, 'check'> = { status: 'not_tested', detail: `No default credential was tried: ${STOP_WORDS[ev.stop]}.`, evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult(r);
    return out;
  }

  // budget, exhausted, lockout-risk, deadline, error after some tries: nothing worked.
  const confidence: Confidence = ev.stop === 'error' ? 'low' : 'medium';
  out.push({
    check: labels.defaultCheck,
    status: 'pass',
    confidence,
    detail: `No default credential logged in to ${labels.label}: ${describeRun(ev)} A scan can never prove that no default exists.`,
    evidence: pub,
  });
  if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
  else anyResult({ status: 'not_tested', detail: 'No wrong password was seen to fail.', evidence: pub });
  return out;
}

/** A failed result for every check of a probe when collect could not get anywhere (used by probes' assess). */
export function errorResults(checks: readonly string[], kind: ErrorKind, message: string, evidence: Json): CheckResult[] {
  return checks.map((check) => ({ check, status: 'error' as const, error: { kind, message: message.slice(0, 300) }, evidence }));
}
