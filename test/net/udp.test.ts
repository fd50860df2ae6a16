import dgram from 'node:dgram';
import { testApi } from './helpers.js';

const sockets: dgram.Socket[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function udpServer(onMessage: (msg: Buffer, reply: (b: Buffer) => void) => void): Promise<number> {
  const s = dgram.createSocket('udp4');
  sockets.push(s);
  s.on('message', (msg, rinfo) => onMessage(msg, (b) => s.send(b, rinfo.port, rinfo.address)));
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return s.address().port;
}

async function closedUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('udp exchange', () => {
  it('sends one payload and returns the reply', async () => {
    const port = await udpServer((msg, reply) => reply(Buffer.concat([Buffer.from('re:'), msg])));
    const { net, budget } = testApi();
    const replies = await net.udp({ port, payload: Buffer.from('ping') });
    expect(replies.map((r) => r.toString())).toEqual(['re:ping']);
    expect(budget.used).toBe(1);
  });

  it('collects up to maxReplies and caps reply bytes', async () => {
    const port = await udpServer((_msg, reply) => { for (let i = 0; i < 5; i++) reply(Buffer.alloc(1000, 0x61 + i)); });
    const { net } = testApi();
    const replies = await net.udp({ port, payload: Buffer.from('x'), maxReplies: 3, maxBytes: 2500, timeoutMs: 1_000 });
    expect(replies.length).toBeLessThanOrEqual(3);
    expect(replies.reduce((n, r) => n + r.length, 0)).toBeLessThanOrEqual(2500);
    expect(replies.length).toBeGreaterThan(0);
  });

  it('returns no replies (not an error) when the device stays silent', async () => {
    const port = await udpServer(() => undefined);
    const { net } = testApi();
    await expect(net.udp({ port, payload: Buffer.from('x'), timeoutMs: 100 })).resolves.toEqual([]);
  });

  it('reports an ICMP port unreachable as refused', async () => {
    const port = await closedUdpPort();
    const { net } = testApi();
    await expect(net.udp({ port, payload: Buffer.from('x'), timeoutMs: 1_000 })).rejects.toMatchObject({ kind: 'refused' });
  });

  it('never sends to a raw printer port', async () => {
    const { net } = testApi();
    await expect(net.udp({ port: 9100, payload: Buffer.from('x') })).rejects.toMatchObject({ kind: 'out-of-scope' });
  });
});
