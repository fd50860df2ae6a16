// Health check for the device lab: does every open port listed in lab/ground-truth.json answer?
// Runs inside the LAN namespace (lab/lab runs it with `ip netns exec iotcop-lan`), so it can only
// reach 10.231.0.0/24. It never sends a byte to a TCP port (connect, then close) except nothing at
// all to raw printer ports; UDP ports get one protocol-correct read-only request (SNMP GET sysDescr,
// SSDP M-SEARCH, CoAP GET /.well-known/core).
//
//   node lab/lib/check.mjs [--truth FILE] [--wait SECONDS] [--json]
// --wait polls until every port answers or the time is up. Exit 0 when all answer, 1 otherwise.
import { readFileSync } from 'node:fs';
import net from 'node:net';
import dgram from 'node:dgram';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    truth: { type: 'string', default: `${here}../ground-truth.json` },
    wait: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
  },
});
const truth = JSON.parse(readFileSync(values.truth, 'utf8'));
const deadline = Date.now() + Number(values.wait) * 1000;

function tcpConnect(host, port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok, why) => { clearTimeout(timer); sock.destroy(); resolve({ ok, why }); };
    const timer = setTimeout(() => done(false, 'timeout'), timeoutMs);
    sock.once('connect', () => done(true, 'connected'));
    sock.once('error', (e) => done(false, e.code ?? String(e)));
  });
}

function udpExchange(host, port, payload, timeoutMs) {
  return new Promise((resolve) => {
    const sock = dgram.createSocket('udp4');
    const done = (ok, why) => { clearTimeout(timer); sock.close(); resolve({ ok, why }); };
    const timer = setTimeout(() => done(false, 'no answer'), timeoutMs);
    sock.once('message', (msg) => done(true, `${msg.length} bytes`));
    sock.once('error', (e) => done(false, e.code ?? String(e)));
    sock.send(payload, port, host);
  });
}

// --- minimal encoders for the UDP health checks -------------------------------------------
function berLen(n) { return n < 128 ? Buffer.from([n]) : Buffer.from([0x81, n]); }
function tlv(tag, body) { return Buffer.concat([Buffer.from([tag]), berLen(body.length), body]); }
function snmpGetSysDescr(community) {
  const oid = Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0]); // 1.3.6.1.2.1.1.1.0
  const varbind = tlv(0x30, Buffer.concat([tlv(0x06, oid), Buffer.from([0x05, 0x00])]));
  const pdu = tlv(0xa0, Buffer.concat([
    tlv(0x02, Buffer.from([0x12, 0x34])), tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])), tlv(0x30, varbind),
  ]));
  return tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x04, Buffer.from(community)), pdu]));
}
const SSDP_SEARCH = Buffer.from(
  'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: ssdp:all\r\n\r\n');
// CON GET, message id 0x1d1d, Uri-Path ".well-known" / "core"
const COAP_WELL_KNOWN = Buffer.concat([
  Buffer.from([0x40, 0x01, 0x1d, 0x1d, 0xbb]), Buffer.from('.well-known'), Buffer.from([0x04]), Buffer.from('core')]);

function checkOne(host, p) {
  if (p.transport === 'tcp') return tcpConnect(host, p.port, 1500);
  switch (p.service) {
    case 'snmp': return udpExchange(host, p.port, snmpGetSysDescr('public'), 1500);
    case 'upnp': return udpExchange(host, p.port, SSDP_SEARCH, 1500);
    case 'coap': return udpExchange(host, p.port, COAP_WELL_KNOWN, 1500);
    default: return Promise.resolve({ ok: true, why: 'udp, not checked' });
  }
}

// Also the TCP ports a device listens on outside the scanned list (alsoListening): Homebridge binds its
// HAP port last, and a random port is open for a moment before it does.
const targets = truth.devices.flatMap((d) => [...d.openPorts, ...(d.alsoListening ?? []).filter((p) => p.transport === 'tcp')]
  .map((p) => ({ device: d.name, address: d.address, ...p })));
const results = new Map();
for (;;) {
  const pending = targets.filter((t) => !results.get(t)?.ok);
  await Promise.all(pending.map(async (t) => { results.set(t, await checkOne(t.address, t)); }));
  if (targets.every((t) => results.get(t).ok) || Date.now() >= deadline) break;
  await sleep(250);
}

const rows = targets.map((t) => ({ device: t.device, address: t.address, port: t.port, transport: t.transport,
  service: t.service, daemon: t.daemon, ok: results.get(t).ok, detail: results.get(t).why }));
if (values.json) {
  process.stdout.write(`${JSON.stringify(rows)}\n`);
} else {
  for (const r of rows) {
    const where = `${r.port}/${r.transport}`.padEnd(10);
    process.stdout.write(`  ${r.ok ? 'ok  ' : 'DOWN'}  ${r.device.padEnd(15)} ${r.address.padEnd(12)} ${where} ${r.service.padEnd(12)} ${r.daemon}${r.ok ? '' : `  (${r.detail})`}\n`);
  }
}
process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
