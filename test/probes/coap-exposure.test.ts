import dgram from 'node:dgram';
import probe, {
  assessCoap, block2Of, chooseReads, codeText, CoapType, decodeCoap, encodeCoap, MAX_LINKS, MAX_READS, OPT_BLOCK2,
  OPT_CONTENT_FORMAT, OPT_URI_PATH, parseLinkFormat, uriOptions, type CoapEvidence, type CoapMessage,
} from '../../src/probes/coap-exposure.js';
import { assessInput, makeContext, makeDevice, udpService } from './helpers/exposure-context.js';

describe('CoAP codec', () => {
  it('encodes the RFC 7252 appendix A request byte for byte', () => {
    const bytes = encodeCoap({ type: CoapType.CON, code: 1, messageId: 0x7d34, token: Buffer.alloc(0), options: [{ number: OPT_URI_PATH, value: Buffer.from('temperature') }], payload: Buffer.alloc(0) });
    expect(bytes.toString('hex')).toBe(`40017d34bb${Buffer.from('temperature').toString('hex')}`);
  });

  it('round-trips options with extended deltas and lengths, and a payload', () => {
    const m: CoapMessage = {
      type: CoapType.ACK, code: 0x45, messageId: 513, token: Buffer.from('abcd'),
      options: [{ number: OPT_CONTENT_FORMAT, value: Buffer.from([40]) }, { number: OPT_BLOCK2, value: Buffer.from([0x1a]) }, { number: 300, value: Buffer.alloc(300, 1) }],
      payload: Buffer.from('</a>'),
    };
    const back = decodeCoap(encodeCoap(m))!;
    expect(back.options.map((o) => [o.number, o.value.length])).toEqual([[12, 1], [23, 1], [300, 300]]);
    expect(back.payload.toString()).toBe('</a>');
    expect(block2Of(back)).toEqual({ num: 1, more: true, szx: 2 });
    expect(codeText(back.code)).toBe('2.05');
  });

  it.each([
    ['too short', Buffer.from([0x40, 1])],
    ['wrong version', Buffer.from([0x80, 1, 0, 1])],
    ['token length 9', Buffer.from([0x49, 1, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9])],
    ['option running past the end', Buffer.from([0x40, 0x45, 0, 1, 0xb5, 0x61])],
    ['reserved nibble 15', Buffer.from([0x40, 0x45, 0, 1, 0xf1, 0x61])],
    ['payload marker without payload', Buffer.from([0x40, 0x45, 0, 1, 0xff])],
    ['an HTTP answer', Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n')],
  ])('rejects %s', (_what, buf) => {
    expect(decodeCoap(buf)).toBeNull();
  });

  it('builds Uri-Path and Uri-Query options from relative link targets only', () => {
    expect(uriOptions('/sensors/temp%20c?unit=c')!.map((o) => [o.number, o.value.toString()])).toEqual([[11, 'sensors'], [11, 'temp c'], [15, 'unit=c']]);
    expect(uriOptions('/')).toEqual([]);
    for (const bad of ['coap://10.0.0.9/x', '//other/x', 'relative', '/%E0%A4%A', `/${'a'.repeat(300)}`]) expect(uriOptions(bad)).toBeNull();
  });
});

describe('CoRE link format', () => {
  it('parses libcoap\'s default discovery answer', () => {
    const { links, total } = parseLinkFormat('</>;title="General Info";ct=0,</time>;if="clock";rt="ticks";title="Internal Clock";ct=0;obs,</async>;ct=0,</example_data>;title="Example Data";ct=0;obs');
    expect(total).toBe(4);
    expect(links[1]).toEqual({ uri: '/time', rt: 'ticks', if: 'clock', ct: '0', title: 'Internal Clock', obs: true });
  });

  it('keeps commas and semicolons inside quoted values and survives garbage', () => {
    const { links } = parseLinkFormat('garbage,</a>;title="x, y; z";rt=temp,<no-end');
    expect(links).toEqual([{ uri: '/a', rt: 'temp', if: null, ct: null, title: 'x, y; z', obs: false }]);
  });

  it('caps the number of links kept and counts the rest', () => {
    const { links, total } = parseLinkFormat(Array.from({ length: 300 }, (_, i) => `</r${i}>`).join(','));
    expect(links).toHaveLength(MAX_LINKS);
    expect(total).toBe(300);
  });

  it('reads personal-looking resources first and never another host', () => {
    const { links } = parseLinkFormat('</time>,<coap://192.0.2.1/x>,</a>,</b>,</home/presence>,</c>,</.well-known/core>');
    expect(chooseReads(links).map((l) => l.uri)).toEqual(['/home/presence', '/time', '/a', '/b'].slice(0, MAX_READS));
  });
});

function evidence(over: Partial<CoapEvidence> = {}): CoapEvidence {
  return {
    port: 5683,
    discovery: { outcome: 'content', code: '2.05', contentFormat: 40, blocks: 1, bytes: 40, truncated: false, error: null },
    links: [{ uri: '/time', rt: 'ticks', if: null, ct: '0', title: null, obs: true }], linkCount: 1,
    reads: [{ uri: '/time', outcome: 'content', code: '2.05', contentFormat: 0, bytes: 15, kind: 'text', preview: '<text, 15 bytes>' }],
    revealed: false, ...over,
  };
}

const hub = makeDevice('10.0.0.2', [udpService(5683, 'coap')]);
const hubWithDtls = makeDevice('10.0.0.2', [udpService(5683, 'coap'), udpService(5684, 'coaps')]);
const check = (r: ReturnType<typeof assessCoap>, id: string) => r.find((x) => x.check === id)!;

describe('coap-exposure assess', () => {
  it('warns when resources return data without authentication', () => {
    const r = assessCoap(evidence(), assessInput(hub));
    expect(check(r, 'coap-resources-readable')).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(check(r, 'coap-resources-readable').detail).toContain('/time');
  });

  it('fails when a personal-looking resource returns data', () => {
    const r = assessCoap(evidence({
      links: [{ uri: '/door/lock', rt: null, if: null, ct: null, title: null, obs: false }], linkCount: 1,
      reads: [{ uri: '/door/lock', outcome: 'content', code: '2.05', contentFormat: 0, bytes: 6, kind: 'text', preview: '<text, 6 bytes>' }],
    }), assessInput(hub));
    expect(check(r, 'coap-resources-readable').status).toBe('fail');
  });

  it('does not fail on a personal-looking name whose read was refused', () => {
    const r = assessCoap(evidence({
      links: [{ uri: '/door/lock', rt: null, if: null, ct: null, title: null, obs: false }], linkCount: 1,
      reads: [{ uri: '/door/lock', outcome: 'error-code', code: '4.01', contentFormat: null, bytes: 0, kind: 'none', preview: '' }],
    }), assessInput(hub));
    expect(check(r, 'coap-resources-readable')).toMatchObject({ status: 'warn', severity: 'low' });
  });

  it('passes when discovery needs authentication, is absent or lists nothing', () => {
    for (const code of ['4.01', '4.03', '4.04']) {
      const r = assessCoap(evidence({ discovery: { outcome: 'error-code', code, contentFormat: null, blocks: 1, bytes: 0, truncated: false, error: null }, links: [], linkCount: 0, reads: [] }), assessInput(hub));
      expect(check(r, 'coap-resources-readable').status).toBe('pass');
    }
    expect(check(assessCoap(evidence({ links: [], linkCount: 0, reads: [] }), assessInput(hub)), 'coap-resources-readable').status).toBe('pass');
  });

  it('reports server errors and non-CoAP replies as errors, silence as not applicable', () => {
    const e5 = assessCoap(evidence({ discovery: { outcome: 'error-code', code: '5.00', contentFormat: null, blocks: 1, bytes: 0, truncated: false, error: null } }), assessInput(hub));
    expect(check(e5, 'coap-resources-readable').status).toBe('error');
    const junk = assessCoap(evidence({ discovery: { outcome: 'not-coap', code: null, contentFormat: null, blocks: 0, bytes: 0, truncated: false, error: { kind: 'protocol-error', message: 'x' } } }), assessInput(hub));
    expect(junk.map((x) => x.status)).toEqual(['error', 'error']);
    const silent = assessCoap(evidence({ discovery: { outcome: 'no-answer', code: null, contentFormat: null, blocks: 0, bytes: 0, truncated: false, error: null } }), assessInput(hub));
    expect(silent.map((x) => x.status)).toEqual(['not_applicable', 'not_applicable']);
  });

  it('coap-dtls: pass with 5684/udp open, info without it', () => {
    expect(check(assessCoap(evidence(), assessInput(hubWithDtls)), 'coap-dtls').status).toBe('pass');
    const none = check(assessCoap(evidence(), assessInput(hub)), 'coap-dtls');
    expect(none.status).toBe('info');
    expect(none.detail).toMatch(/unencrypted/);
    const maybe = makeDevice('10.0.0.2', [udpService(5683, 'coap'), udpService(5684, 'coaps', { state: 'open|filtered' })]);
    expect(check(assessCoap(evidence(), assessInput(maybe)), 'coap-dtls')).toMatchObject({ status: 'info', confidence: 'low' });
  });
});

// --- an in-process CoAP server on 127.0.0.1 ---------------------------------------------------------

interface FakeCoap { port: number; requests: CoapMessage[]; close(): void }

async function startFakeCoap(options: {
  links?: string;
  resources?: Record<string, { code: number; payload: string }>;
  blockSzx?: number;
  mode?: 'normal' | 'silent' | 'garbage' | 'reset' | 'auth' | 'wrong-token';
}): Promise<FakeCoap> {
  const socket = dgram.createSocket('udp4');
  const requests: CoapMessage[] = [];
  socket.on('message', (msg, rinfo) => {
    const req = decodeCoap(msg);
    if (!req) return;
    requests.push(req);
    const send = (code: number, payload: Buffer, extra: CoapMessage['options'] = []): void => {
      const reply = encodeCoap({ type: CoapType.ACK, code, messageId: req.messageId, token: options.mode === 'wrong-token' ? Buffer.from('zzzz') : req.token, options: extra, payload });
      socket.send(options.mode === 'wrong-token' ? Buffer.concat([reply.subarray(0, 2), Buffer.from([0, 0]), reply.subarray(4)]) : reply, rinfo.port, rinfo.address);
    };
    switch (options.mode ?? 'normal') {
      case 'silent': return;
      case 'garbage': socket.send(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'), rinfo.port, rinfo.address); return;
      case 'reset': socket.send(encodeCoap({ type: CoapType.RST, code: 0, messageId: req.messageId, token: Buffer.alloc(0), options: [], payload: Buffer.alloc(0) }), rinfo.port, rinfo.address); return;
      case 'auth': send(0x81, Buffer.alloc(0)); return;
      default: break;
    }
    const path = '/' + req.options.filter((o) => o.number === OPT_URI_PATH).map((o) => o.value.toString()).join('/');
    if (path === '/.well-known/core') {
      const body = Buffer.from(options.links ?? '');
      const szx = options.blockSzx;
      if (szx === undefined) { send(0x45, body, [{ number: OPT_CONTENT_FORMAT, value: Buffer.from([40]) }]); return; }
      const size = 1 << (szx + 4);
      const num = block2Of(req)?.num ?? 0;
      const chunk = body.subarray(num * size, (num + 1) * size);
      const more = (num + 1) * size < body.length ? 1 : 0;
      const v = (num << 4) | (more << 3) | szx;
      send(0x45, chunk, [{ number: OPT_CONTENT_FORMAT, value: Buffer.from([40]) }, { number: OPT_BLOCK2, value: v > 255 ? Buffer.from([v >> 8, v & 0xff]) : Buffer.from([v]) }]);
      return;
    }
    const r = options.resources?.[path];
    if (r) send(r.code, Buffer.from(r.payload));
    else send(0x84, Buffer.alloc(0));
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, requests, close: () => socket.close() };
}

describe('coap-exposure collect (fake CoAP server on 127.0.0.1)', () => {
  let server: FakeCoap | undefined;
  afterEach(() => { server?.close(); server = undefined; });

  async function run(port: number, revealData = false) {
    const service = udpService(port, 'coap');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections, settings: { revealData } });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service)) };
  }

  it('lists the resources, reads a few with GET only, and redacts payloads', async () => {
    server = await startFakeCoap({
      links: '</>;title="General Info",</time>;rt="ticks";obs,</home/alice/location>;rt="gps",</async>',
      resources: { '/': { code: 0x45, payload: 'libcoap test server' }, '/time': { code: 0x45, payload: 'Nov 25 19:58:00' }, '/home/alice/location': { code: 0x45, payload: '{"lat":51.5,"lon":-0.12}' }, '/async': { code: 0x81, payload: '' } },
    });
    const { ev, t, results } = await run(server.port);
    expect(ev.discovery).toMatchObject({ outcome: 'content', code: '2.05', blocks: 1 });
    expect(ev.linkCount).toBe(4);
    expect(ev.reads.map((r) => [r.uri, r.code])).toEqual([['/home/alice/location', '2.05'], ['/', '2.05'], ['/time', '2.05'], ['/async', '4.01']]);
    expect(ev.reads[0]!.preview).toBe('{"lat":<number>,"lon":<number>}');
    expect(JSON.stringify(ev)).not.toContain('51.5');
    expect(server.requests.every((r) => r.code === 0x01)).toBe(true);
    expect(t.budget.used).toBe(1 + MAX_READS);
    expect(results.find((r) => r.check === 'coap-resources-readable')!.status).toBe('fail');
    expect(results.find((r) => r.check === 'coap-dtls')!.status).toBe('info');
  });

  it('shows payloads with --reveal-data', async () => {
    server = await startFakeCoap({ links: '</time>', resources: { '/time': { code: 0x45, payload: 'Nov 25 19:58:00' } } });
    const { ev, results } = await run(server.port, true);
    expect(ev.reads[0]!.preview).toBe('Nov 25 19:58:00');
    expect(results[0]).toMatchObject({ check: 'coap-resources-readable', status: 'warn' });
  });

  it('follows Block2 for a long resource list, within the block cap', async () => {
    const links = Array.from({ length: 60 }, (_, i) => `</sensor/${i}>`).join(',');
    server = await startFakeCoap({ links, blockSzx: 2 });
    const { ev } = await run(server.port);
    expect(ev.discovery.blocks).toBe(8);
    expect(ev.discovery.truncated).toBe(true);
    expect(ev.linkCount).toBeGreaterThan(20);
    const short = Array.from({ length: 10 }, (_, i) => `</s${i}>`).join(',');
    server.close();
    server = await startFakeCoap({ links: short, blockSzx: 2 });
    const again = await run(server.port);
    expect(again.ev.discovery.truncated).toBe(false);
    expect(again.ev.linkCount).toBe(10);
  });

  it.each([
    ['auth', 'error-code', 'pass'],
    ['reset', 'reset', 'pass'],
    ['silent', 'no-answer', 'not_applicable'],
    ['garbage', 'not-coap', 'error'],
    ['wrong-token', 'not-coap', 'error'],
  ] as const)('a server in mode %s gives discovery outcome %s and status %s', async (mode, outcome, status) => {
    server = await startFakeCoap({ mode });
    const { ev, results } = await run(server.port);
    expect(ev.discovery.outcome).toBe(outcome);
    expect(ev.reads).toEqual([]);
    expect(results[0]!.status).toBe(status);
  });

  it('reports a closed port as not applicable', async () => {
    server = await startFakeCoap({ mode: 'silent' });
    const port = server.port;
    server.close();
    server = undefined;
    const { ev } = await run(port);
    expect(['refused', 'no-answer']).toContain(ev.discovery.outcome);
  });
});
