import http from 'node:http';
import net from 'node:net';
import probe, {
  assessCleartext, classifyService, ftpReply, hasPasswordInput, printable, redirectTarget,
  stripIac, FTP_PROBE_USER, type CleartextEvidence,
} from '../../src/probes/cleartext-services.js';
import type { CheckResult } from '../../src/probes/contract.js';
import type { Service } from '../../src/report/model.js';
import { makeContext, makeDevice, tcpService, udpService } from './helpers/exposure-context.js';
import { expectValidMeta } from './helpers/meta-check.js';

function base(kind: CleartextEvidence['kind'], port: number, over: Partial<CleartextEvidence> = {}): CleartextEvidence {
  return { port, transport: kind === 'snmp' ? 'udp' : 'tcp', kind, reason: null, telnet: null, ftp: null, http: null, mqtt: null, snmp: null, rtsp: null, ...over };
}
function one(ev: CleartextEvidence): CheckResult {
  const r = assessCleartext(ev);
  expect(r).toHaveLength(1);
  return r[0]!;
}
const httpEv = (over: Partial<NonNullable<CleartextEvidence['http']>>): CleartextEvidence => base('http', 80, {
  http: { hops: [{ path: '/', status: 200, location: null }], redirectsToHttps: false, status: 200, authSchemes: [], passwordForm: false, html: false, title: null, error: null, ...over },
});

describe('classifyService', () => {
  test.each([
    [{ port: 23, transport: 'tcp', name: 'telnet' }, 'telnet'],
    [{ port: 2323, transport: 'tcp' }, 'telnet'],
    [{ port: 2323, transport: 'tcp', name: '3d-nfsd' }, 'telnet'],
    [{ port: 2323, transport: 'tcp', name: 'ssh' }, null],
    [{ port: 21, transport: 'tcp', name: 'ftp' }, 'ftp'],
    [{ port: 80, transport: 'tcp', name: 'http' }, 'http'],
    [{ port: 8080, transport: 'tcp', name: 'http-proxy' }, 'http'],
    [{ port: 443, transport: 'tcp', name: 'http', tls: { enabled: true } }, null],
    [{ port: 443, transport: 'tcp', name: 'https' }, null],
    [{ port: 1883, transport: 'tcp', name: 'mqtt' }, 'mqtt'],
    [{ port: 8883, transport: 'tcp', name: 'secure-mqtt' }, null],
    [{ port: 161, transport: 'udp', name: 'snmp' }, 'snmp'],
    [{ port: 554, transport: 'tcp', name: 'rtsp' }, 'rtsp'],
    [{ port: 22, transport: 'tcp', name: 'ssh' }, null],
  ] as [Pick<Service, 'port' | 'transport' | 'name' | 'tls'>, string | null][])('%o → %s', (service, kind) => {
    expect(classifyService({ state: 'open', ...service }).kind).toBe(kind);
  });
});

describe('cleartext-services helpers', () => {
  test('stripIac removes negotiation and subnegotiation', () => {
    const raw = Buffer.concat([Buffer.from([255, 253, 1, 255, 251, 3, 255, 250, 24, 1, 255, 240]), Buffer.from('login: '), Buffer.from([255, 255])]);
    expect(stripIac(raw).toString('latin1')).toBe('login: \xff');
  });
  test('ftpReply waits for the last line of a multi-line reply', () => {
    expect(ftpReply('220-Welcome\r\n220-more\r\n')).toBeNull();
    expect(ftpReply('220-Welcome\r\n220 ready\r\n')).toEqual({ code: 220, text: 'ready' });
    expect(ftpReply('331 Please specify the password.\r\n')).toEqual({ code: 331, text: 'Please specify the password.' });
    expect(ftpReply('331 no newline yet')).toBeNull();
  });
  test('hasPasswordInput', () => {
    expect(hasPasswordInput('<form><input name="p" type="password"></form>')).toBe(true);
    expect(hasPasswordInput("<INPUT TYPE='Password' name=x>")).toBe(true);
    expect(hasPasswordInput('<input type="text" name="password">')).toBe(false);
    expect(hasPasswordInput('<inputx type="password">')).toBe(false);
    // Hostile page: thousands of unterminated tags must not take quadratic time (HOSTILE.md).
    expect(hasPasswordInput('<input '.repeat(40_000))).toBe(false);
    expect(hasPasswordInput(`${'<input a=b> '.repeat(2_000)}<input type=password>`)).toBe(true);
  });
  test('redirectTarget never leaves the device or port', () => {
    expect(redirectTarget('https://10.0.0.5/', '10.0.0.5', 80, '/')).toEqual({ kind: 'https' });
    expect(redirectTarget('/login.html', '10.0.0.5', 80, '/')).toEqual({ kind: 'same', path: '/login.html' });
    expect(redirectTarget('http://10.0.0.5/cgi?x=1', '10.0.0.5', 80, '/')).toEqual({ kind: 'same', path: '/cgi?x=1' });
    expect(redirectTarget('http://evil.example/', '10.0.0.5', 80, '/')).toEqual({ kind: 'elsewhere' });
    expect(redirectTarget('http://10.0.0.5:81/', '10.0.0.5', 80, '/')).toEqual({ kind: 'elsewhere' });
    expect(redirectTarget('javascript:alert(1)', '10.0.0.5', 80, '/')).toEqual({ kind: 'elsewhere' });
    expect(redirectTarget('//[::1]:8080/x', '::1', 8080, '/')).toEqual({ kind: 'same', path: '/x' });
  });
  test('printable neutralises control characters', () => {
    expect(printable(Buffer.from('a\x1b[2Jb\x00c\r\n'))).toBe('a.[2Jb.c\r\n');
  });
});

describe('cleartext-services assess (hand-built evidence)', () => {
  test('telnet: always fails; confidence from the banner; errors stay errors', () => {
    const t = (over: object) => base('telnet', 23, { telnet: { banner: '', iac: false, loginPrompt: false, passwordPrompt: false, error: null, ...over } });
    expect(one(t({ iac: true, loginPrompt: true }))).toMatchObject({ check: 'telnet-cleartext', status: 'fail', confidence: 'high' });
    expect(one(t({}))).toMatchObject({ status: 'fail', confidence: 'medium' });
    expect(one(t({ error: { kind: 'refused', message: 'ECONNREFUSED' } }))).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  });

  test('ftp: password asked without TLS fails; anonymous-only warns; AUTH TLS softens', () => {
    const f = (over: object) => base('ftp', 21, { ftp: { banner: '220 x', authTls: false, userReply: null, error: null, ...over } });
    expect(one(f({ userReply: { code: 331, text: 'Please specify the password.' } }))).toMatchObject({ check: 'ftp-cleartext', status: 'fail', severity: 'high' });
    expect(one(f({ authTls: true, userReply: { code: 331, text: 'pw' } }))).toMatchObject({ status: 'warn', severity: 'medium' });
    const anon = one(f({ userReply: { code: 530, text: 'This FTP server is anonymous only.' } }));
    expect(anon).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(anon.detail).toContain('anonymous');
    expect(one(f({ userReply: { code: 230, text: 'ok' } }))).toMatchObject({ status: 'fail' });
    expect(one(f({ banner: null, error: { kind: 'timeout', message: 'no greeting' } }))).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
  });

  test('http: Basic fails, login form fails, redirect to HTTPS passes, Digest and web pages warn, nothing passes', () => {
    expect(one(httpEv({ status: 401, authSchemes: ['basic'] }))).toMatchObject({ check: 'http-cleartext-login', status: 'fail', severity: 'high' });
    expect(one(httpEv({ html: true, passwordForm: true, title: 'Login' }))).toMatchObject({ status: 'fail' });
    expect(one(httpEv({ redirectsToHttps: true, status: 301 }))).toMatchObject({ status: 'pass' });
    expect(one(httpEv({ status: 401, authSchemes: ['digest'] }))).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(one(httpEv({ html: true, title: 'Status' }))).toMatchObject({ status: 'warn', severity: 'low' });
    expect(one(httpEv({ status: 404 }))).toMatchObject({ status: 'pass' });
    expect(one(httpEv({ error: { kind: 'protocol-error', message: 'not HTTP' } }))).toMatchObject({ status: 'not_applicable' });
    expect(one(httpEv({ error: { kind: 'timeout', message: 't' } }))).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
  });

  test('mqtt: credentials required fails, anonymous warns, errors', () => {
    const m = (over: object) => base('mqtt', 1883, { mqtt: { returnCode: null, error: null, ...over } });
    expect(one(m({ returnCode: 5 }))).toMatchObject({ check: 'mqtt-cleartext', status: 'fail', severity: 'high' });
    expect(one(m({ returnCode: 4 }))).toMatchObject({ status: 'fail' });
    expect(one(m({ returnCode: 0 }))).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(one(m({ error: { kind: 'timeout', message: 'no CONNACK' } }))).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    expect(one(m({ error: { kind: 'protocol-error', message: 'not MQTT' } }))).toMatchObject({ status: 'not_applicable' });
  });

  test('snmp: open warns, v1/v2c seen fails, open|filtered does not apply', () => {
    const s = (over: object) => base('snmp', 161, { snmp: { state: 'open', product: null, version: null, extraInfo: null, scripts: [], v1v2cSeen: false, ...over } });
    expect(one(s({}))).toMatchObject({ check: 'snmp-cleartext', status: 'warn', confidence: 'medium' });
    expect(one(s({ v1v2cSeen: true }))).toMatchObject({ status: 'fail' });
    expect(one(s({ state: 'open|filtered' }))).toMatchObject({ status: 'not_applicable' });
  });

  test('rtsp: Basic challenge fails, Digest passes, 404 everywhere does not apply', () => {
    const r = (requests: { path: string; status: number; schemes: string[] }[], error: CleartextEvidence['rtsp'] extends infer R ? R extends { error: infer E } ? E : never : never = null) => base('rtsp', 554, { rtsp: { requests, error } });
    expect(one(r([{ path: '/', status: 401, schemes: ['digest', 'basic'] }]))).toMatchObject({ check: 'rtsp-cleartext', status: 'fail', severity: 'high' });
    expect(one(r([{ path: '/', status: 401, schemes: ['digest'] }]))).toMatchObject({ status: 'pass' });
    expect(one(r([{ path: '/', status: 200, schemes: [] }]))).toMatchObject({ status: 'pass' });
    expect(one(r([{ path: '/', status: 404, schemes: [] }, { path: '/x', status: 404, schemes: [] }]))).toMatchObject({ status: 'not_applicable' });
    expect(one(r([], { kind: 'refused', message: 'x' }))).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  });

  test('a service of no known kind gives no result', () => {
    expect(assessCleartext(base(null, 443))).toEqual([]);
  });
});

// --- collect against in-process fakes ---------------------------------------------------------

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}
function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); (server as http.Server).closeAllConnections?.(); });
}
async function run(service: Service): Promise<{ result: CheckResult | undefined; ev: CleartextEvidence; used: number }> {
  const device = makeDevice('127.0.0.1', [service]);
  const t = makeContext({ service, device, maxConnections: probe.meta.budget.maxConnections });
  const ev = await probe.collect(t.ctx);
  expect(() => JSON.stringify(ev)).not.toThrow();
  return { result: probe.assess(ev, { device, service, devices: [device], now: new Date() })[0], ev, used: t.budget.used };
}

/** A TCP fake that records what the client sent. */
function fake(onConnect: (s: net.Socket, received: Buffer[]) => void): { server: net.Server; received: Buffer[] } {
  const received: Buffer[] = [];
  const server = net.createServer((s) => {
    s.on('error', () => undefined);
    s.on('data', (d) => received.push(d));
    onConnect(s, received);
  });
  return { server, received };
}

describe('cleartext-services collect', () => {
  test('telnet: reads the login prompt and sends nothing at all', async () => {
    const { server, received } = fake((s) => { s.write(Buffer.concat([Buffer.from([255, 253, 1, 255, 251, 1]), Buffer.from('\r\nIPC login: ')])); });
    const port = await listen(server);
    try {
      const { result, ev } = await run(tcpService(port, 'telnet'));
      expect(result).toMatchObject({ check: 'telnet-cleartext', status: 'fail', confidence: 'high' });
      expect(ev.telnet).toMatchObject({ iac: true, loginPrompt: true });
      expect(Buffer.concat(received).length).toBe(0);
    } finally {
      await close(server);
    }
  });

  test('ftp (vsftpd anonymous-only): FEAT and USER, never PASS; warns', async () => {
    const { server, received } = fake((s, rec) => {
      s.write('220 JD FTP Server Ready\r\n');
      s.on('data', () => {
        const last = Buffer.concat(rec).toString();
        if (last.endsWith('FEAT\r\n')) s.write('211-Features:\r\n EPRT\r\n PASV\r\n211 End\r\n');
        else if (last.endsWith(`USER ${FTP_PROBE_USER}\r\n`)) s.write('530 This FTP server is anonymous only.\r\n');
        else if (last.endsWith('QUIT\r\n')) s.end('221 Goodbye.\r\n');
      });
    });
    const port = await listen(server);
    try {
      const { result, ev } = await run(tcpService(port, 'ftp'));
      expect(ev.ftp).toMatchObject({ banner: '220 JD FTP Server Ready', authTls: false, userReply: { code: 530 } });
      expect(result).toMatchObject({ check: 'ftp-cleartext', status: 'warn' });
      await new Promise((r) => setTimeout(r, 50));
      const sent = Buffer.concat(received).toString();
      expect(sent).toBe(`FEAT\r\nUSER ${FTP_PROBE_USER}\r\nQUIT\r\n`);
      expect(sent).not.toContain('PASS');
    } finally {
      await close(server);
    }
  });

  test('ftp asking for passwords without AUTH TLS fails', async () => {
    const { server } = fake((s, rec) => {
      s.write('220-Welcome\r\n220 ProFTPD\r\n');
      s.on('data', () => {
        const last = Buffer.concat(rec).toString();
        if (last.endsWith('FEAT\r\n')) s.write('500 FEAT not understood\r\n');
        else if (last.endsWith('\r\n') && last.includes('USER')) s.write('331 Password required\r\n');
      });
    });
    const port = await listen(server);
    try {
      const { result } = await run(tcpService(port, 'ftp'));
      expect(result).toMatchObject({ status: 'fail', severity: 'high' });
    } finally {
      await close(server);
    }
  });

  test('http: Basic over plain HTTP fails', async () => {
    const server = http.createServer((_req, res) => { res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Login to IPC"' }); res.end(); });
    const port = await listen(server);
    try {
      expect((await run(tcpService(port, 'http'))).result).toMatchObject({ check: 'http-cleartext-login', status: 'fail' });
    } finally {
      await close(server);
    }
  });

  test('http: a same-port redirect is followed to a login form; a redirect to HTTPS passes; another host is not followed', async () => {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      seen.push(req.url ?? '');
      if (req.url === '/') { res.writeHead(302, { Location: '/login.html' }); res.end(); return; }
      if (req.url === '/login.html') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html><title>Router</title><form><input type="password" name="p"></form></html>'); return; }
      if (req.url === '/meta') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html><meta http-equiv="refresh" content="0; url=https://127.0.0.1/"></html>'); return; }
      res.writeHead(404); res.end();
    });
    const port = await listen(server);
    try {
      const { result, ev } = await run(tcpService(port, 'http'));
      expect(result).toMatchObject({ status: 'fail' });
      expect(ev.http!.hops.map((h) => h.path)).toEqual(['/', '/login.html']);
      expect(ev.http!.title).toBe('Router');
    } finally {
      await close(server);
    }
    const redirecting = http.createServer((req, res) => {
      if (req.url === '/') { res.writeHead(302, { Location: '/meta' }); res.end(); return; }
      res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html><META HTTP-EQUIV="Refresh" CONTENT="0; URL=https://127.0.0.1/"></html>');
    });
    const port2 = await listen(redirecting);
    try {
      expect((await run(tcpService(port2, 'http'))).result).toMatchObject({ status: 'pass' });
    } finally {
      await close(redirecting);
    }
    const away = http.createServer((_req, res) => { res.writeHead(302, { Location: 'http://192.0.2.1/login' }); res.end(); });
    const port3 = await listen(away);
    try {
      const { result, ev, used } = await run(tcpService(port3, 'http'));
      expect(used).toBe(1);
      expect(ev.http!.hops).toHaveLength(1);
      expect(result).toMatchObject({ status: 'pass' });
    } finally {
      await close(away);
    }
  });

  test('mqtt: broker that wants credentials fails; only CONNECT and nothing else is sent', async () => {
    const { server, received } = fake((s) => { s.once('data', () => s.write(Buffer.from([0x20, 0x02, 0x00, 0x05]))); });
    const port = await listen(server);
    try {
      const { result } = await run(tcpService(port, 'mqtt'));
      expect(result).toMatchObject({ check: 'mqtt-cleartext', status: 'fail' });
      const sent = Buffer.concat(received);
      expect(sent[0]).toBe(0x10);
      expect(sent.length).toBe((sent[1] ?? 0) + 2); // exactly one CONNECT
    } finally {
      await close(server);
    }
  });

  test('mqtt: anonymous broker warns; we send CONNECT then DISCONNECT, never SUBSCRIBE or PUBLISH', async () => {
    const { server, received } = fake((s) => { s.once('data', () => s.write(Buffer.from([0x20, 0x02, 0x00, 0x00]))); });
    const port = await listen(server);
    try {
      const { result } = await run(tcpService(port, 'mqtt'));
      expect(result).toMatchObject({ status: 'warn' });
      await new Promise((r) => setTimeout(r, 50));
      const sent = Buffer.concat(received);
      const connectLen = (sent[1] ?? 0) + 2;
      expect([...sent.subarray(connectLen)]).toEqual([0xe0, 0x00]);
    } finally {
      await close(server);
    }
  });

  test('rtsp: Basic challenge on DESCRIBE fails', async () => {
    const { server, received } = fake((s) => {
      s.on('data', (d) => {
        const cseq = /CSeq: (\d+)/.exec(d.toString())?.[1] ?? '1';
        s.write(`RTSP/1.0 401 Unauthorized\r\nCSeq: ${cseq}\r\nWWW-Authenticate: Basic realm="cam"\r\n\r\n`);
      });
    });
    const port = await listen(server);
    try {
      const { result } = await run(tcpService(port, 'rtsp'));
      expect(result).toMatchObject({ check: 'rtsp-cleartext', status: 'fail' });
      expect(Buffer.concat(received).toString()).toMatch(/^DESCRIBE rtsp:\/\/127\.0\.0\.1:\d+\/ RTSP\/1\.0\r\n/);
      expect(Buffer.concat(received).toString()).not.toMatch(/Authorization|SETUP|PLAY/);
    } finally {
      await close(server);
    }
  });

  test('snmp: no network traffic, judged from discovery', async () => {
    const { result, used } = await run(udpService(161, 'snmp', { product: 'net-snmp', version: 'SNMPv3 server', extraInfo: 'public' }));
    expect(used).toBe(0);
    expect(result).toMatchObject({ check: 'snmp-cleartext', status: 'warn' });
  });
});

test('cleartext-services meta follows the registry rules', () => {
  expectValidMeta(probe, 'cleartext-services');
});
