import { authorizationFor, chooseAuth, parseAuthenticate } from '../../src/net/digest.js';
import { MAX_RTSP_HEADER_BYTES, RtspClient, buildRtspRequest, parseRtspResponse, rtspUrl } from '../../src/net/rtsp.js';
import { credContext, tcp, tcpServer } from '../probes/helpers/credential-context.js';
import { fakeRtsp } from '../probes/helpers/fake-rtsp.js';

describe('RTSP codec', () => {
  it('builds OPTIONS/DESCRIBE requests and strips CR/LF from values', () => {
    const r = buildRtspRequest('DESCRIBE', 'rtsp://10.0.0.1:554/live\r\nX: y', 3, [['Authorization', 'Basic a\r\nEvil: 1']]);
    expect(r.startsWith('DESCRIBE rtsp://10.0.0.1:554/liveX: y RTSP/1.0\r\nCSeq: 3\r\n')).toBe(true);
    expect(r).toContain('Accept: application/sdp\r\n');
    expect(r).toContain('Authorization: Basic aEvil: 1\r\n');
    expect(r.endsWith('\r\n\r\n')).toBe(true);
  });

  it('parses a response with a body, waits for an incomplete one, and rejects garbage', () => {
    const full = Buffer.from('RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 5\r\nWWW-Authenticate: Basic realm="a"\r\nWWW-Authenticate: Digest realm="a", nonce="n"\r\n\r\nv=0\r\nEXTRA');
    const r = parseRtspResponse(full);
    expect(r.kind).toBe('response');
    if (r.kind === 'response') {
      expect(r.response.status).toBe(200);
      expect(r.response.body).toBe('v=0\r\n');
      expect(r.response.headers.get('www-authenticate')).toHaveLength(2);
      expect(full.subarray(r.consumed).toString()).toBe('EXTRA');
    }
    expect(parseRtspResponse(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc')).kind).toBe('incomplete');
    expect(parseRtspResponse(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')).kind).toBe('error');
    expect(parseRtspResponse(Buffer.alloc(MAX_RTSP_HEADER_BYTES + 10, 0x41)).kind).toBe('error');
    const cut = parseRtspResponse(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nabc'), true);
    expect(cut.kind === 'response' && cut.response.truncated).toBe(true);
  });

  it('rtspUrl', () => {
    expect(rtspUrl('10.0.0.1', 554, 'live')).toBe('rtsp://10.0.0.1:554/live');
    expect(rtspUrl('[::1]', 8554, '/a?b=1')).toBe('rtsp://[::1]:8554/a?b=1');
  });
});

describe('RtspClient against a fake camera', () => {
  it('DESCRIBE without credentials gets 401, then Digest credentials open the stream', async () => {
    const cam = await fakeRtsp({ paths: ['/live'], auth: 'digest', accounts: { admin: 'admin' } });
    const { ctx } = credContext({ service: tcp(cam.port, 'rtsp') });
    try {
      const client = new RtspClient(await ctx.net.tcp(cam.port), 3_000);
      const url = rtspUrl('127.0.0.1', cam.port, '/live');
      const first = await client.request('DESCRIBE', url);
      expect(first.status).toBe(401);
      const auth = chooseAuth(parseAuthenticate(first.headers.get('www-authenticate')));
      expect(auth?.scheme).toBe('digest');
      const second = await client.request('DESCRIBE', url, [['Authorization', authorizationFor(auth!, { username: 'admin', password: 'admin', method: 'DESCRIBE', uri: url })]]);
      expect(second.status).toBe(200);
      expect(second.body).toContain('m=video');
      client.close();
    } finally {
      await cam.close();
    }
    expect(cam.attempts).toEqual([{ username: 'admin', ok: true }]);
    expect(cam.methods).toEqual(['DESCRIBE', 'DESCRIBE']);
  });

  it('throws a clear error when the peer is not RTSP or closes', async () => {
    const srv = await tcpServer((s) => { s.end('SSH-2.0-OpenSSH\r\n\r\n'); });
    const { ctx } = credContext({ service: tcp(srv.port, 'rtsp') });
    try {
      const client = new RtspClient(await ctx.net.tcp(srv.port), 2_000);
      await expect(client.request('OPTIONS', rtspUrl('127.0.0.1', srv.port, '/'))).rejects.toThrow(/not an RTSP response/);
      client.close();
    } finally {
      await srv.close();
    }
  });
});
