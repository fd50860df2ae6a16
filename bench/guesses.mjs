#!/usr/bin/env node
// Guesses per found credential (issue 15, BENCHMARKS.md "Guesses per found credential"). A script, not a
// test: it asserts nothing and scans nothing itself.
//
//   node bench/guesses.mjs --scan RESULT.json [--truth lab/ground-truth.json] [--json]
//
// RESULT.json is a lab scan (`iotcop scan 10.231.0.0/24 --format json --reveal-credentials`, run in the
// lab as BENCHMARKS.md says). For every lab account with a known password on a credential service, it
// prints:
//   - scan: the attempt on which the scan's own run found the credential (evidence.found.attempt; the
//     negative control counts), or "no" when the scan did not report it;
//   - then, replaying the guessing engine on the devices as the scan saw them, with an attempt function
//     that accepts only the lab's password (so no packet is sent): the attempt that finds it
//       as seen          with everything identification knew (vendor, MAC vendor, banners);
//       type only, before  the vendor cues removed (no MAC vendor, vendor, model, banners, host names),
//                          the device type kept, without the type ranking (credentials.json typeDefaults off);
//       type only, after   the same, with the type ranking on (and the lockout caution of the type's brands);
//       ranked, not cautious  the ranking alone: type ranking on, the lockout caution it brings left out, so
//                          that what the ranking gains is not hidden by what the caution costs.
//   "no" means not found within the default budget of 10 (or skipped to stay below a lockout threshold).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { scan: { type: 'string' }, truth: { type: 'string', default: 'lab/ground-truth.json' }, json: { type: 'boolean', default: false } } });
if (!values.scan) {
  process.stderr.write('usage: node bench/guesses.mjs --scan RESULT.json [--truth lab/ground-truth.json] [--json]\n');
  process.exit(2);
}
const { buildCandidates, initialPolicy, randomCredential, runGuesses, signalsOf } = await import('../dist/probes/lib/credentials.js');
const { lockoutPolicy } = await import('../dist/probes/lib/lockout.js');

const result = JSON.parse(readFileSync(values.scan, 'utf8'));
const truth = JSON.parse(readFileSync(values.truth, 'utf8'));
const SERVICES = new Set(['ssh', 'telnet', 'http', 'ftp', 'mqtt', 'rtsp']);
const BUDGET = 10;

async function replay(device, service, account, typeDefaults, cautious = true) {
  const plan = buildCandidates({ service: account.service, signals: signalsOf(device, service), owner: [], typeDefaults });
  const run = await runGuesses({
    negativeControl: randomCredential(),
    candidates: plan.candidates,
    maxAttempts: BUDGET,
    policy: cautious ? initialPolicy(plan) : lockoutPolicy([]),
    attempt: async (c, step) => (step !== 'confirm-wrong' && c.username === account.username && c.password === account.password ? { kind: 'success' } : { kind: 'failure' }),
    sleep: async () => undefined, delayMs: 0, now: () => 0, deadlineAt: Number.MAX_SAFE_INTEGER, attemptMs: 1,
  });
  return run.found ? run.found.attempt : null;
}

function typeOnly(device) {
  return {
    ...device, macVendor: undefined, hostnames: [],
    identification: { type: device.identification.type, confidence: 'low', sources: [] },
    services: device.services.map((s) => ({ port: s.port, transport: s.transport, state: s.state, ...(s.name ? { name: s.name } : {}) })),
  };
}

const rows = [];
for (const t of truth.devices) {
  const device = result.devices.find((d) => d.address === t.address);
  if (!device) continue;
  for (const account of t.accounts ?? []) {
    if (account.password === null || !SERVICES.has(account.service)) continue;
    const port = t.openPorts.find((p) => p.service === account.service || (account.service === 'http' && /^https?$/.test(p.service)));
    const service = device.services.find((s) => s.port === port?.port) ?? device.services[0];
    const found = result.findings.find((f) => f.device === t.address && f.credential && f.credential.username === account.username && f.credential.password === account.password);
    rows.push({
      device: t.name, type: device.identification.type, service: account.service, user: account.username,
      scan: found?.evidence?.found?.attempt ?? null,
      asSeen: await replay(device, service, account, true),
      typeOnlyBefore: await replay(typeOnly(device), service, account, false),
      typeOnlyAfter: await replay(typeOnly(device), service, account, true),
      rankedNotCautious: await replay(typeOnly(device), service, account, true, false),
    });
  }
}

const cell = (n) => (n === null ? 'no' : String(n));
const sum = (key) => {
  const found = rows.filter((r) => r[key] !== null);
  return { found: found.length, of: rows.length, mean: found.length ? found.reduce((a, r) => a + r[key], 0) / found.length : null };
};
const summary = { scan: sum('scan'), asSeen: sum('asSeen'), typeOnlyBefore: sum('typeOnlyBefore'), typeOnlyAfter: sum('typeOnlyAfter'), rankedNotCautious: sum('rankedNotCautious') };
if (values.json) process.stdout.write(`${JSON.stringify({ rows, summary }, null, 2)}\n`);
const out = values.json ? process.stderr : process.stdout;
out.write('| device | type | service | user | scan | as seen | type only, before | type only, after | ranked, not cautious |\n|---|---|---|---|---|---|---|---|---|\n');
for (const r of rows) out.write(`| ${r.device} | ${r.type} | ${r.service} | ${r.user === '' ? '(none)' : r.user} | ${cell(r.scan)} | ${cell(r.asSeen)} | ${cell(r.typeOnlyBefore)} | ${cell(r.typeOnlyAfter)} | ${cell(r.rankedNotCautious)} |\n`);
const line = (k, s) => `${k}: found ${s.found} of ${s.of}${s.mean === null ? '' : `, ${s.mean.toFixed(1)} attempts per found credential`}`;
out.write(`\n${Object.entries(summary).map(([k, s]) => line(k, s)).join('\n')}\n`);
