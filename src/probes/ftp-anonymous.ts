/**
 * ftp-anonymous: does the FTP server let anyone log in as "anonymous" (or "ftp") and read files?
 * Login with the password "iotcop@" (RFC 1635 asks for an e-mail-like string; this is not a real
 * address), then a bounded listing of the login folder and of at most MAX_SUBDIRS of its subfolders.
 * Never RETR, STOR, DELE, MKD or SITE: nothing is read or written beyond directory listings.
 *
 * basic-ftp opens its own sockets, so each login runs inside ctx.net.slot (one budget unit and one
 * per-host slot; the slot also covers the passive data connections of that session, which basic-ftp
 * opens one at a time). Hostile-server guards:
 * - data connections go to the device's own address only (the address in a PASV reply is ignored,
 *   as with EPSV), never to a raw printer port or an invalid port;
 * - directory names are used in a LIST command only when they contain no control characters or
 *   slashes (no command injection through a file name);
 * - listings are capped (MAX_LISTING_BYTES per listing, MAX_ENTRIES kept), the control channel is
 *   capped (MAX_CONTROL_BYTES) and every session has an absolute deadline.
 */
import type { Client, FileInfo, FTPContext, FTPResponse } from 'basic-ftp';
import { defineProbe, type CheckResult } from './contract.js';
import { assessCleartextPersonal } from './lib/cleartext-personal.js';
import { classifyFilePath, fileCategoryLabel } from './lib/personal-files.js';
import type { ErrorKind, Json } from '../model.js';
import { errorDetail } from '../net/errors.js';
import { isFragilePort, isValidPort } from '../net/scope.js';
import { loadBasicFtp, loadFtpTransfer } from './lib/libraries.js';

export const ANONYMOUS_USERS = ['anonymous', 'ftp'] as const;
/** Not an e-mail address: RFC 1635 only asks for something that looks like one. */
export const ANONYMOUS_PASSWORD = 'iotcop@';
export const MAX_SUBDIRS = 5;
export const MAX_ENTRIES = 200;
export const MAX_ENTRIES_PER_LISTING = 100;
export const MAX_LISTING_BYTES = 128 * 1024;
export const MAX_CONTROL_BYTES = 64 * 1024;
export const MAX_NAME_CHARS = 200;
const SESSION_MS = 12_000;
const CLIENT_TIMEOUT_MS = 5_000;

export type FtpEntry = { path: string; type: 'file' | 'dir' | 'link' | 'other'; size: number };
export type FtpListing = { path: string; entries: number; error: string | null };

export type FtpEvidence = {
  port: number;
  banner: string | null;
  login: 'accepted' | 'refused' | 'error';
  /** The anonymous user name that logged in. */
  user: string | null;
  /** Server reply to the last login attempt (capped). */
  reply: string | null;
  error: { kind: ErrorKind; message: string } | null;
  cwd: string | null;
  listings: FtpListing[];
  /** Entries found (at most MAX_ENTRIES kept), with paths relative to the login folder. */
  entries: FtpEntry[];
  /** Entries seen in all listings, including those beyond the cap. */
  totalEntries: number;
};

function cap(s: string | undefined | null, max = MAX_NAME_CHARS): string | null {
  if (s === undefined || s === null) return null;
  const t = s.length > max ? s.slice(0, max) : s;
  return t.trim().length === 0 ? null : t;
}

/** A directory name that is safe to put on an FTP command line. */
export function isSafeName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 100 && name !== '.' && name !== '..' && !/[\u0000-\u001f\u007f/\\]/.test(name);
}

function entryType(f: FileInfo): FtpEntry['type'] {
  if (f.isSymbolicLink) return 'link';
  if (f.isDirectory) return 'dir';
  if (f.isFile) return 'file';
  return 'other';
}

function errorOf(e: unknown): { kind: ErrorKind; message: string } {
  const d = errorDetail(e);
  // basic-ftp reports a server's refusal as a plain error with the FTP reply code: a protocol answer, not our bug.
  return d.kind === 'internal' && (isFtpError(e) || /^\d{3}\b/.test(d.message)) ? { ...d, kind: 'protocol-error' } : d;
}

/** basic-ftp's FTPError (which sets its name), recognised without importing the library here. */
function isFtpError(e: unknown): boolean {
  return e instanceof Error && e.name === 'FTPError';
}

/** The first listing line decides basic-ftp's parser; a hostile name with CR/LF could break it: retry with listing-shaped lines only. */
export function tolerantParseList(raw: string, parseList: (raw: string) => FileInfo[]): FileInfo[] {
  try {
    return parseList(raw);
  } catch {
    const kept = raw.split(/\r?\n/).filter((l) => /^[-dlcbps][-rwxsStT]{9}/.test(l) || /^\d{2}-\d{2}-\d{2,4}\s/.test(l));
    return kept.length > 0 ? parseList(kept.join('\n')) : [];
  }
}

/** Passive mode that only ever connects to the device itself, and never to a fragile or invalid port. */
function passiveToDevice(address: string, transfer: Awaited<ReturnType<typeof loadFtpTransfer>>) {
  return async (ftp: FTPContext): Promise<FTPResponse> => {
    let res: FTPResponse;
    let port: number;
    try {
      res = await ftp.request('EPSV');
      port = transfer.parseEpsvResponse(res.message);
    } catch (e) {
      if (ftp.closed) throw e;
      res = await ftp.request('PASV');
      port = transfer.parsePasvResponse(res.message).port; // the host part of the reply is ignored
    }
    if (!isValidPort(port) || isFragilePort(port)) throw new Error(`refusing a data connection to port ${String(port)}`);
    await transfer.connectForPassiveTransfer(address, port, ftp);
    return res;
  };
}

type Attempt = { login: FtpEvidence['login']; reply: string | null; banner: string | null; error: FtpEvidence['error'] };

async function session(
  address: string, port: number, user: string, signal: AbortSignal, ev: FtpEvidence,
): Promise<Attempt> {
  const [{ Client, FTPError, parseList }, transfer] = await Promise.all([loadBasicFtp(), loadFtpTransfer()]);
  const client = new Client(CLIENT_TIMEOUT_MS, { allowSeparateTransferHost: false, maxListingBytes: MAX_LISTING_BYTES });
  client.prepareTransfer = passiveToDevice(address, transfer);
  client.parseList = (raw) => tolerantParseList(raw, parseList);
  const stopped: { why: string | null } = { why: null };
  const stop = (reason: string): void => { stopped.why ??= reason; client.close(); };
  const deadline = setTimeout(() => stop('session deadline reached'), SESSION_MS);
  const watchdog = setInterval(() => {
    if (client.ftp.socket.bytesRead > MAX_CONTROL_BYTES) stop(`control channel sent more than ${MAX_CONTROL_BYTES} bytes`);
  }, 100);
  const onAbort = (): void => stop('aborted');
  signal.addEventListener('abort', onAbort, { once: true });
  const attempt: Attempt = { login: 'error', reply: null, banner: null, error: null };
  try {
    const welcome = await client.connect(address, port);
    attempt.banner = cap(welcome.message, 300);
    try {
      const res = await client.login(user, ANONYMOUS_PASSWORD);
      attempt.login = 'accepted';
      attempt.reply = cap(res.message, 300);
    } catch (e) {
      if (e instanceof FTPError && e.code >= 400 && e.code < 600) {
        attempt.login = 'refused';
        attempt.reply = cap(e.message, 300);
        return attempt;
      }
      throw e;
    }
    // Logged in: list the login folder, then a few of its subfolders.
    try { ev.cwd = cap(await client.pwd(), 300); } catch { ev.cwd = null; }
    const top = await listOne(client, '', ev);
    const dirs = top.filter((f) => f.isDirectory && !f.isSymbolicLink && isSafeName(f.name)).slice(0, MAX_SUBDIRS);
    for (const d of dirs) {
      if (signal.aborted || client.closed) break;
      await listOne(client, d.name, ev);
    }
    return attempt;
  } catch (e) {
    if (attempt.login !== 'accepted') {
      attempt.login = 'error';
      const why = stopped.why;
      attempt.error = why !== null ? { kind: why === 'aborted' ? 'aborted' : why.startsWith('control') ? 'protocol-error' : 'timeout', message: why } : errorOf(e);
    }
    return attempt;
  } finally {
    clearTimeout(deadline);
    clearInterval(watchdog);
    signal.removeEventListener('abort', onAbort);
    client.close();
  }
}

async function listOne(client: Client, dir: string, ev: FtpEvidence): Promise<FileInfo[]> {
  const shown = dir === '' ? '.' : dir;
  try {
    const files = (await client.list(dir)).filter((f) => f.name !== '.' && f.name !== '..');
    ev.listings.push({ path: shown, entries: files.length, error: null });
    ev.totalEntries += files.length;
    for (const f of files.slice(0, MAX_ENTRIES_PER_LISTING)) {
      if (ev.entries.length >= MAX_ENTRIES) break;
      const name = cap(f.name) ?? '?';
      ev.entries.push({ path: dir === '' ? name : `${cap(dir, 100) ?? '?'}/${name}`, type: entryType(f), size: Number.isFinite(f.size) ? f.size : 0 });
    }
    return files;
  } catch (e) {
    ev.listings.push({ path: shown, entries: 0, error: (e instanceof Error ? e.message : String(e)).slice(0, 200) });
    return [];
  }
}

export const CLEARTEXT_CHECK = 'ftp-personal-files-cleartext';

/** Guideline 5: personal-looking files listed over plain FTP (this probe never uses AUTH TLS: what it listed travelled in the clear). */
function assessCleartextFiles(ev: FtpEvidence): CheckResult {
  const where = `port ${ev.port}`;
  if (ev.totalEntries === 0) {
    const failed = ev.listings.find((l) => l.error !== null);
    return failed
      ? { check: CLEARTEXT_CHECK, status: 'not_tested', detail: `The listing on ${where} failed (${failed.error ?? ''}): no file names to judge.` }
      : { check: CLEARTEXT_CHECK, status: 'not_applicable', detail: `The anonymous login folder on ${where} is empty.` };
  }
  const personal = ev.entries.map((e) => ({ e, kinds: classifyFilePath(e.path) })).filter((x) => x.kinds.length > 0);
  return assessCleartextPersonal({
    check: CLEARTEXT_CHECK, where: `the FTP server (${where})`, encrypted: false,
    personal: {
      kinds: [...new Set(personal.flatMap((x) => x.kinds))].map((k) => fileCategoryLabel(k)),
      examples: personal.filter((x) => x.e.type !== 'dir').concat(personal.filter((x) => x.e.type === 'dir')).map((x) => x.e.path),
    },
    evidence: { port: ev.port, user: ev.user, listedEntries: ev.totalEntries, personal: personal.slice(0, 30).map((x) => ({ path: x.e.path, type: x.e.type, categories: x.kinds })) },
  });
}

export function assessFtp(ev: FtpEvidence): CheckResult[] {
  const where = `port ${ev.port}`;
  if (ev.login === 'error') {
    const error = ev.error ?? { kind: 'internal' as const, message: 'no evidence' };
    return [{ check: 'ftp-anonymous-access', status: 'error', error }, { check: CLEARTEXT_CHECK, status: 'error', error }];
  }
  if (ev.login === 'refused') {
    return [
      { check: 'ftp-anonymous-access', status: 'pass', detail: `The FTP server on ${where} refused anonymous logins${ev.reply ? ` ("${ev.reply.slice(0, 80)}")` : ''}.` },
      { check: CLEARTEXT_CHECK, status: 'not_applicable', detail: 'Anonymous logins are refused: no listing to judge.' },
    ];
  }
  return [assessAccess(ev), assessCleartextFiles(ev)];
}

function assessAccess(ev: FtpEvidence): CheckResult {
  const where = `port ${ev.port}`;
  const files = ev.entries.filter((e) => e.type !== 'dir');
  const evidence: Json = {
    port: ev.port, user: ev.user, cwd: ev.cwd, listings: ev.listings, totalEntries: ev.totalEntries, entries: ev.entries.slice(0, 50),
  };
  if (ev.totalEntries > 0) {
    const sample = (files.length > 0 ? files : ev.entries).slice(0, 5).map((e) => e.path);
    return {
      check: 'ftp-anonymous-access', status: 'fail', evidence,
      detail: `Anyone can log in to the FTP server on ${where} as "${ev.user ?? 'anonymous'}" and list ${ev.totalEntries} entr${ev.totalEntries === 1 ? 'y' : 'ies'}${files.length > 0 ? `, including files such as ${sample.join(', ')}` : ` (${sample.join(', ')})`}.`,
    };
  }
  const listingError = ev.listings.find((l) => l.error !== null);
  return {
    check: 'ftp-anonymous-access', status: 'warn', severity: 'medium', evidence,
    detail: listingError
      ? `The FTP server on ${where} accepts anonymous logins ("${ev.user ?? 'anonymous'}"); the folder listing failed (${listingError.error ?? ''}).`
      : `The FTP server on ${where} accepts anonymous logins ("${ev.user ?? 'anonymous'}"); the login folder was empty (write access was not tested).`,
  };
}

export default defineProbe<FtpEvidence>({
  meta: {
    id: 'ftp-anonymous',
    title: 'Anonymous FTP access',
    safety: 'safe',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['ftp'], ports: [21] },
    budget: { maxConnections: ANONYMOUS_USERS.length, timeoutMs: 30_000 },
    checks: {
      'ftp-anonymous-access': {
        title: 'FTP does not allow anonymous access',
        failureTitle: 'FTP lets anyone log in anonymously and read files',
        summary: 'Anyone on your network can open this device\'s file store without a password and see (and download) what is in it, such as scanned documents or recordings.',
        guidelines: ['uk-cop-8'],
        provisions: ['5.5-4', '5.8-1'],
        severity: 'high',
        description: 'The FTP server accepts the user name "anonymous" (or "ftp") with any password. Printers keep scanned documents there, cameras and NVRs recordings, routers and NAS boxes whatever was put on a USB stick. The listing shows what any device on the network can read; FTP also sends everything unencrypted. EN 303 645 5.5-4 asks that device functionality be reachable over the network only after authentication.',
        remediation: 'Switch off anonymous FTP in the device\'s settings (on vsftpd-based devices: anonymous_enable=NO), or switch FTP off altogether if you do not use it. If you need file access, use an account with its own password, preferably over SFTP or FTPS.',
      },
      [CLEARTEXT_CHECK]: {
        title: 'No personal files are listed over unencrypted FTP',
        failureTitle: 'Personal files are listed over unencrypted FTP',
        summary: 'Files that look personal (scans, photos, recordings, backups) are offered over plain FTP: their names and contents cross your network unencrypted.',
        guidelines: ['uk-cop-5'],
        provisions: ['5.5-1', '5.8-2'],
        severity: 'high',
        description: 'When an anonymous listing (see the anonymous-access finding) holds files whose names look personal (scans and documents, photos, camera recordings, backups or keys: src/data/personal-file-patterns.json; names only, iotcop never downloads a file), plain FTP carries them unencrypted: these files and the passwords of real accounts travel in the clear. EN 303 645 5.5-1 asks for best-practice cryptography, 5.8-2 for encryption of sensitive personal data in transit.',
        remediation: 'Switch off anonymous FTP, and use an encrypted way to reach these files: SFTP, FTPS (FTP over TLS, required for every login) or an encrypted share. On printers, scan to e-mail over TLS or to a share that needs a password instead of an open FTP folder.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 21;
    const ev: FtpEvidence = {
      port, banner: null, login: 'error', user: null, reply: null, error: null, cwd: null, listings: [], entries: [], totalEntries: 0,
    };
    for (const user of ANONYMOUS_USERS) {
      let attempt: Attempt;
      try {
        attempt = await ctx.net.slot((address, signal) => session(address, port, user, signal, ev));
      } catch (e) {
        ev.login = 'error';
        ev.error = errorOf(e);
        break;
      }
      ev.banner ??= attempt.banner;
      ev.reply = attempt.reply;
      ev.login = attempt.login;
      ev.error = attempt.error;
      if (attempt.login === 'accepted') { ev.user = user; break; }
      if (attempt.login === 'error') break;
    }
    return ev;
  },
  assess(evidence) {
    return assessFtp(evidence);
  },
});
