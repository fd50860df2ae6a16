// The out-of-scope host (10.231.1.250): listens on every port the hostile devices redirect to and logs
// each connection and datagram (JSON lines). The hostile scan targets 10.231.1.128/26, so this log
// must stay empty during it. lab/hostile/hostile also counts every IPv4 packet addressed to this host
// and every ARP request for it with nftables counters in its namespace (when nft is installed), and
// the kernel's own TCP/UDP/ICMP input counters (/proc/net/snmp) always.
//   node outside.mjs --host 10.231.1.250 --log lab/run/hostile/outside.log
import { keepAlive, makeLogger, options, tcp, udp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
for (const port of [21, 22, 23, 80, 443, 554, 1883, 8080, 8443, 49152]) {
  tcp(o.host, port, log, (sock) => {
    sock.on('data', (d) => log('data', { port, bytes: d.length }));
    setTimeout(() => sock.destroy(), 5000);
  });
}
for (const port of [161, 1900, 5683]) udp(o.host, port, log, () => {});
log('ready', { host: o.host });
