/**
 * In-process fake devices on 127.0.0.0/8 for net and scheduler tests. Every server records how many
 * sockets it holds now and at most; servers can share one counter (one "device" with several ports).
 */
import net from 'node:net';

export interface SocketCounter {
  current: number;
  max: number;
  accepted: number;
}

export function newCounter(): SocketCounter {
  return { current: 0, max: 0, accepted: 0 };
}

export type Behaviour =
  | { kind: 'banner'; text: string }
  | { kind: 'silent' }
  | { kind: 'reset' }
  | { kind: 'echo' }
  | { kind: 'flood'; chunk?: number }
  | { kind: 'drip'; everyMs: number; byte?: string };

export interface FakeServer {
  port: number;
  host: string;
  counter: SocketCounter;
  /** Bytes received from clients, all connections together. */
  received(): Buffer;
  close(): Promise<void>;
}

export async function startServer(behaviour: Behaviour, options: { host?: string; counter?: SocketCounter } = {}): Promise<FakeServer> {
  const host = options.host ?? '127.0.0.1';
  const counter = options.counter ?? newCounter();
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => {
    sockets.add(socket);
    counter.current += 1;
    counter.accepted += 1;
    counter.max = Math.max(counter.max, counter.current);
    let gone = false;
    const leave = (): void => {
      if (gone) return;
      gone = true;
      counter.current -= 1;
      sockets.delete(socket);
    };
    socket.on('end', leave);
    socket.on('close', leave);
    socket.on('error', leave);
    socket.on('data', (d: Buffer) => { chunks.push(d); if (behaviour.kind === 'echo') socket.write(d); });
    switch (behaviour.kind) {
      case 'banner': socket.write(behaviour.text); break;
      case 'silent': case 'echo': break;
      case 'reset': socket.resetAndDestroy(); break;
      case 'flood': {
        const block = Buffer.alloc(behaviour.chunk ?? 16 * 1024, 0x41);
        const pump = (): void => {
          while (!socket.destroyed && socket.write(block)) { /* fill the buffer */ }
          if (!socket.destroyed) socket.once('drain', pump);
        };
        pump();
        break;
      }
      case 'drip': {
        const t = setInterval(() => { if (!socket.destroyed) socket.write(behaviour.byte ?? '.'); }, behaviour.everyMs);
        timers.add(t);
        socket.on('close', () => { clearInterval(t); timers.delete(t); });
        break;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    host,
    counter,
    received: () => Buffer.concat(chunks),
    close: async () => {
      for (const t of timers) clearInterval(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port on which nothing listens (bound then released). */
export async function closedPort(host = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}

/** Waits until `predicate` holds (polling), or fails after `ms`. Not a timing assertion: a bounded wait. */
export async function eventually(predicate: () => boolean, ms = 3_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
