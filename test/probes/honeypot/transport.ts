/**
 * The transport half of a honeypot: a TCP front on 127.0.0.1 for a fake service. `plain` passes bytes
 * through; `drip` sends the service's bytes to the client one to three at a time, a millisecond or two
 * apart (a slow embedded device, or one that splits every write); `reset` accepts and then resets every
 * connection before a byte is sent.
 */
import net from 'node:net';

export type TransportMode = 'plain' | 'drip' | 'reset';

export interface Front { port: number; connections: number; close(): Promise<void> }

export async function front(upstreamPort: number, mode: TransportMode): Promise<Front> {
  const sockets = new Set<net.Socket>();
  const state: Front = { port: 0, connections: 0, close: async () => undefined };
  const track = (s: net.Socket): void => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => undefined); };
  const server = net.createServer((client) => {
    track(client);
    state.connections += 1;
    if (mode === 'reset') { client.resetAndDestroy(); return; }
    const up = net.connect(upstreamPort, '127.0.0.1');
    track(up);
    client.pipe(up);
    up.on('close', () => { if (!client.destroyed) client.end(); });
    client.on('close', () => up.destroy());
    if (mode === 'plain') { up.pipe(client); return; }
    // drip: queue the service's bytes and send them in pieces of 1–3 bytes, 1–2 ms apart.
    let queue = Buffer.alloc(0);
    let timer: NodeJS.Timeout | undefined;
    let ended = false;
    const pump = (): void => {
      timer = undefined;
      if (client.destroyed) return;
      if (queue.length === 0) { if (ended) client.end(); return; }
      const n = 1 + (queue[0]! % 3);
      client.write(queue.subarray(0, n));
      queue = queue.subarray(n);
      timer = setTimeout(pump, 1 + (queue.length % 2));
    };
    up.on('data', (b: Buffer) => { queue = Buffer.concat([queue, b]); timer ??= setTimeout(pump, 1); });
    up.removeAllListeners('close');
    up.on('close', () => { ended = true; timer ??= setTimeout(pump, 1); });
    client.on('close', () => { if (timer) clearTimeout(timer); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as net.AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); });
  return state;
}
