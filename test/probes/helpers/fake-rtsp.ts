/**
 * An in-process fake RTSP server on 127.0.0.1: DESCRIBE on known paths, no auth / Basic / Digest (MD5,
 * verified here with its own hash code, independent of src/net/digest.ts), "accept anything", a log of
 * every DESCRIBE with credentials. Answers OPTIONS; refuses SETUP/PLAY with 455 (the probe must never send them).
 */
import { createHash, randomBytes } from 'node:crypto';
import type net from 'node:net';
import { tcpServer } from './credential-context.js';
import type { Authorize } from '../honeypot/decision.js';

export interface FakeRtspOptions {
  paths: string[];
  auth: 'none' | 'basic' | 'digest' | 'any';
  accounts?: Record<string, string>;
  realm?: string;
  lockAfter?: number;
  /** With auth 'basic': decides each login instead of accounts/lockAfter ('lock': 403 with a lockout text). */
  authorize?: Authorize;
}

export interface FakeRtsp {
  port: number;
  /** DESCRIBE requests that carried credentials, with the user and whether they were right. */
  attempts: { username: string; ok: boolean }[];
  methods: string[];
  close(): Promise<void>;
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function param(h: string, name: string): string | undefined {
  const m = new RegExp(`${name}="?([^",]*)"?`).exec(h);
  return m?.[1];
}

export async function fakeRtsp(o: FakeRtspOptions): Promise<FakeRtsp> {
  const state: FakeRtsp = { port: 0, attempts: [], methods: [], close: async () => undefined };
  const realm = o.realm ?? 'IP Camera';
  let failures = 0;
  const srv = await tcpServer((sock: net.Socket) => {
    let buf = '';
    const nonce = randomBytes(8).toString('hex');
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const lines = head.split('\r\n');
        const [method = '', url = ''] = (lines[0] ?? '').split(' ');
        state.methods.push(method);
        const headers = new Map(lines.slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
        const cseq = headers.get('cseq') ?? '0';
        const reply = (status: string, extra: string[] = [], body = ''): void => {
          sock.write([`RTSP/1.0 ${status}`, `CSeq: ${cseq}`, 'Server: FakeCam RTSP', ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
        };
        if (method === 'OPTIONS') { reply('200 OK', ['Public: OPTIONS, DESCRIBE']); continue; }
        if (method !== 'DESCRIBE') { reply('455 Method Not Valid in This State'); continue; }
        const path = url.replace(/^rtsp:\/\/[^/]+/, '') || '/';
        if (!o.paths.includes(path)) { reply('404 Not Found'); continue; }
        const sdp = 'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=Stream\r\nm=video 0 RTP/AVP 96\r\nm=audio 0 RTP/AVP 0\r\n';
        if (o.auth === 'none') { reply('200 OK', ['Content-Type: application/sdp'], sdp); continue; }
        const challenge = o.auth === 'digest' ? `Digest realm="${realm}", nonce="${nonce}"` : `Basic realm="${realm}"`;
        const authz = headers.get('authorization');
        if (!authz) { reply('401 Unauthorized', [`WWW-Authenticate: ${challenge}`]); continue; }
        if (o.lockAfter !== undefined && failures >= o.lockAfter) { reply('403 Forbidden', [], 'Too many failed attempts, account locked'); continue; }
        let user = '';
        let ok = false;
        if (o.auth === 'any') {
          user = authz.startsWith('Basic ') ? Buffer.from(authz.slice(6), 'base64').toString().split(':')[0] ?? '' : param(authz, 'username') ?? '';
          ok = true;
        } else if (o.auth === 'basic' && authz.startsWith('Basic ')) {
          const [u = '', ...rest] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
          user = u;
          const verdict = o.authorize?.(u, rest.join(':'));
          if (verdict === 'lock') { reply('403 Forbidden', [], 'Too many failed attempts, account locked'); continue; }
          ok = verdict !== undefined ? verdict === 'accept' : o.accounts?.[u] === rest.join(':');
        } else if (o.auth === 'digest' && authz.startsWith('Digest ')) {
          user = param(authz, 'username') ?? '';
          const pass = o.accounts?.[user];
          const uri = param(authz, 'uri') ?? '';
          const expected = pass === undefined ? '' : md5(`${md5(`${user}:${realm}:${pass}`)}:${param(authz, 'nonce') ?? ''}:${md5(`DESCRIBE:${uri}`)}`);
          ok = pass !== undefined && param(authz, 'response') === expected && param(authz, 'nonce') === nonce && uri === url;
        }
        state.attempts.push({ username: user, ok });
        if (ok) { reply('200 OK', ['Content-Type: application/sdp'], sdp); continue; }
        failures += 1;
        reply('401 Unauthorized', [`WWW-Authenticate: ${challenge}`]);
      }
    });
  });
  state.port = srv.port;
  state.close = srv.close;
  return state;
}
