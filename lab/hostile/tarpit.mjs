// Hostile device: a tarpit. Accepts TCP on many service ports and then does nothing: it never sends
// a byte and never reads (the kernel's receive buffer fills up, writes by the client stall).
// Connections are held until the client gives up. A correct scanner reports "no answer" within its
// deadlines, backs off the host (circuit breaker), and does not hold up the rest of the network.
//   node tarpit.mjs --host 10.231.1.131 --log lab/run/hostile/tarpit.log
import { keepAlive, makeLogger, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
export const PORTS = [21, 22, 23, 80, 443, 554, 1883, 8080];
for (const port of PORTS) {
  tcp(o.host, port, log, (sock) => {
    sock.pause(); // never read
    sock.on('close', () => log('close', { port }));
  });
}
log('ready', { host: o.host });
