/**
 * Re-checks a UDP port nmap left as open|filtered (no answer, no ICMP): one inert datagram on a
 * connected socket, by default empty, else the protocol request of udp-payloads.ts. An ICMP
 * port-unreachable (ECONNREFUSED) proves it closed — nmap often misses those because hosts
 * rate-limit ICMP errors; any reply proves it open.
 */
import dgram from 'node:dgram';
import net from 'node:net';

export type UdpCheck = 'open' | 'closed' | 'unknown';

export function udpCheck(host: string, port: number, timeoutMs: number, signal?: AbortSignal, payload: Buffer = Buffer.alloc(0)): Promise<UdpCheck> {
  return new Promise((resolve) => {
    const family = net.isIP(host);
    if (family === 0 || signal?.aborted) { resolve('unknown'); return; }
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    let done = false;
    const finish = (result: UdpCheck) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      try { socket.close(); } catch { /* closed */ }
      resolve(result);
    };
    const onAbort = () => finish('unknown');
    const timer = setTimeout(() => finish('unknown'), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(e.code === 'ECONNREFUSED' ? 'closed' : 'unknown'));
    socket.on('message', () => finish('open'));
    socket.connect(port, host, () => {
      if (done) return;
      socket.send(payload, (err) => { if (err) finish('unknown'); });
    });
  });
}
