/**
 * coap-exposure: which CoAP resources can anyone on the network read, and is CoAP over DTLS offered?
 *
 * Hand-built CoAP (RFC 7252) over ctx.net.udp instead of the `coap` package: a GET is a 4-byte header,
 * a token and a few options, and doing it ourselves keeps every exchange inside the net layer (scope,
 * budget, per-host limit, byte cap, one deadline per exchange) with no library retransmission timers
 * or sockets to clean up. One CON GET of /.well-known/core (RFC 6690), following Block2 (RFC 7959) for
 * at most MAX_BLOCKS blocks, then a GET of at most MAX_READS of the listed resources (only relative
 * paths on the device itself; resources that look personal first). GET only: never PUT, POST, DELETE
 * or Observe. Payloads are shown redacted unless --reveal-data.
 *
 * CoAP over TCP (RFC 8323, 5683/tcp) frames messages differently and is not covered here.
 */
import { randomBytes } from 'node:crypto';
import { defineProbe, type AssessInput, type CheckResult, type ProbeContext } from './contract.js';
import type { ErrorKind, Json } from '../model.js';
import { classifyError } from '../net/errors.js';
import { categoryLabel, classifyName, previewPayload } from './lib/personal-topics.js';

export const MAX_LINKS = 200;
export const MAX_LINK_FORMAT_BYTES = 16 * 1024;
export const MAX_BLOCKS = 8;
export const MAX_READS = 4;
export const DTLS_PORT = 5684;
const EXCHANGE_MS = 2_000;
const MAX_DATAGRAM = 4_096;
const MAX_OPTIONS = 64;
const MAX_URI_CHARS = 256;
const MAX_PARAMS = 16;
const MAX_PARAM_CHARS = 128;

// --- CoAP message codec (pure) ---------------------------------------------------------------------

export const CoapType = { CON: 0, NON: 1, ACK: 2, RST: 3 } as const;
export const OPT_URI_PATH = 11;
export const OPT_CONTENT_FORMAT = 12;
export const OPT_URI_QUERY = 15;
export const OPT_BLOCK2 = 23;

export interface CoapOption { number: number; value: Buffer }
export interface CoapMessage { type: number; code: number; messageId: number; token: Buffer; options: CoapOption[]; payload: Buffer }

function optionNibble(n: number): { nibble: number; ext: Buffer } {
  if (n < 13) return { nibble: n, ext: Buffer.alloc(0) };
  if (n < 269) return { nibble: 13, ext: Buffer.from([n - 13]) };
  const ext = Buffer.alloc(2);
  ext.writeUInt16BE(n - 269);
  return { nibble: 14, ext };
}

export function encodeCoap(m: CoapMessage): Buffer {
  if (m.token.length > 8) throw new RangeError('CoAP token longer than 8 bytes');
  const parts: Buffer[] = [Buffer.from([0x40 | (m.type << 4) | m.token.length, m.code, (m.messageId >> 8) & 0xff, m.messageId & 0xff]), m.token];
  let last = 0;
  for (const o of [...m.options].sort((a, b) => a.number - b.number)) {
    const d = optionNibble(o.number - last);
    const l = optionNibble(o.value.length);
    parts.push(Buffer.from([(d.nibble << 4) | l.nibble]), d.ext, l.ext, o.value);
    last = o.number;
  }
  if (m.payload.length > 0) parts.push(Buffer.from([0xff]), m.payload);
  return Buffer.concat(parts);
}

/** Decodes one CoAP datagram; null when it is not a well-formed CoAP version-1 message. */
export function decodeCoap(buf: Buffer): CoapMessage | null {
  if (buf.length < 4 || buf[0]! >> 6 !== 1) return null;
  const tkl = buf[0]! & 0x0f;
  if (tkl > 8 || buf.length < 4 + tkl) return null;
  const msg: CoapMessage = {
    type: (buf[0]! >> 4) & 0x03, code: buf[1]!, messageId: buf.readUInt16BE(2), token: Buffer.from(buf.subarray(4, 4 + tkl)), options: [], payload: Buffer.alloc(0),
  };
  let i = 4 + tkl;
  let number = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    if (b === 0xff) {
      if (i + 1 >= buf.length) return null; // a payload marker must be followed by a payload
      msg.payload = Buffer.from(buf.subarray(i + 1));
      return msg;
    }
    if (msg.options.length >= MAX_OPTIONS) return null;
    i += 1;
    const ext = (nibble: number): number | null => {
      if (nibble < 13) return nibble;
      if (nibble === 13) { if (i >= buf.length) return null; return buf[i++]! + 13; }
      if (nibble === 14) { if (i + 1 >= buf.length) return null; const v = buf.readUInt16BE(i) + 269; i += 2; return v; }
      return null;
    };
    const delta = ext(b >> 4);
    const length = ext(b & 0x0f);
    if (delta === null || length === null || i + length > buf.length) return null;
    number += delta;
    msg.options.push({ number, value: Buffer.from(buf.subarray(i, i + length)) });
    i += length;
  }
  return msg;
}

export function codeText(code: number): string {
  return `${code >> 5}.${String(code & 0x1f).padStart(2, '0')}`;
}

function uintOf(v: Buffer): number {
  let n = 0;
  for (const b of v.subarray(0, 4)) n = n * 256 + b;
  return n;
}

function uintBuf(n: number): Buffer {
  if (n === 0) return Buffer.alloc(0);
  const bytes: number[] = [];
  while (n > 0 && bytes.length < 4) { bytes.unshift(n & 0xff); n = Math.floor(n / 256); }
  return Buffer.from(bytes);
}

export function block2Of(m: CoapMessage): { num: number; more: boolean; szx: number } | null {
  const o = m.options.find((x) => x.number === OPT_BLOCK2);
  if (!o || o.value.length > 3) return null;
  const v = uintOf(o.value);
  return { num: v >> 4, more: ((v >> 3) & 1) === 1, szx: v & 7 };
}

function contentFormatOf(m: CoapMessage): number | null {
  const o = m.options.find((x) => x.number === OPT_CONTENT_FORMAT);
  return o && o.value.length <= 2 ? uintOf(o.value) : null;
}

/** Uri-Path and Uri-Query options for a link target such as "/sensors/temp?unit=c"; null when unusable. */
export function uriOptions(uri: string): CoapOption[] | null {
  if (!uri.startsWith('/') || uri.startsWith('//') || uri.length > MAX_URI_CHARS) return null;
  const [path = '', query] = uri.split('?', 2);
  const options: CoapOption[] = [];
  try {
    for (const seg of path.split('/').slice(1)) {
      if (seg === '' ) continue;
      const value = Buffer.from(decodeURIComponent(seg), 'utf8');
      if (value.length > 255) return null;
      options.push({ number: OPT_URI_PATH, value });
    }
    for (const q of query ? query.split('&') : []) {
      const value = Buffer.from(decodeURIComponent(q), 'utf8');
      if (value.length > 255) return null;
      options.push({ number: OPT_URI_QUERY, value });
    }
  } catch {
    return null;
  }
  return options;
}

// --- CoRE link format (RFC 6690), bounded ----------------------------------------------------------

export type CoapLink = { uri: string; rt: string | null; if: string | null; ct: string | null; title: string | null; obs: boolean };

function capStr(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Parses `</a>;rt="x";obs,</b>` into at most MAX_LINKS links; returns the links and how many were seen. */
export function parseLinkFormat(text: string): { links: CoapLink[]; total: number } {
  const s = text.length > MAX_LINK_FORMAT_BYTES ? text.slice(0, MAX_LINK_FORMAT_BYTES) : text;
  const links: CoapLink[] = [];
  let total = 0;
  let i = 0;
  while (i < s.length) {
    while (i < s.length && (s[i] === ',' || s[i] === ' ' || s[i] === '\n' || s[i] === '\r' || s[i] === '\t')) i++;
    if (i >= s.length) break;
    if (s[i] !== '<') { // not a link: skip to the next comma
      while (i < s.length && s[i] !== ',') i++;
      continue;
    }
    const end = s.indexOf('>', i + 1);
    if (end < 0) break;
    const link: CoapLink = { uri: capStr(s.slice(i + 1, end), MAX_URI_CHARS), rt: null, if: null, ct: null, title: null, obs: false };
    i = end + 1;
    let params = 0;
    while (i < s.length && s[i] === ';') {
      i++;
      let name = '';
      while (i < s.length && /[A-Za-z0-9*!#$&+.^_`|~-]/.test(s[i]!)) { if (name.length < 32) name += s[i]; i++; }
      let value: string | null = null;
      if (s[i] === '=') {
        i++;
        if (s[i] === '"') {
          i++;
          let v = '';
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++;
            if (v.length < MAX_PARAM_CHARS) v += s[i];
            i++;
          }
          i++; // closing quote
          value = v;
        } else {
          let v = '';
          while (i < s.length && s[i] !== ';' && s[i] !== ',') { if (v.length < MAX_PARAM_CHARS) v += s[i]; i++; }
          value = v;
        }
      }
      if (params++ >= MAX_PARAMS) continue;
      const key = name.toLowerCase();
      if (key === 'obs') link.obs = true;
      else if (key === 'rt') link.rt = value;
      else if (key === 'if') link.if = value;
      else if (key === 'ct') link.ct = value;
      else if (key === 'title') link.title = value;
    }
    while (i < s.length && s[i] !== ',') i++; // anything malformed up to the next link
    total++;
    if (links.length < MAX_LINKS) links.push(link);
  }
  return { links, total };
}

// --- evidence --------------------------------------------------------------------------------------

export type CoapOutcome = 'content' | 'error-code' | 'separate' | 'reset' | 'no-answer' | 'refused' | 'not-coap' | 'error';

export type CoapDiscovery = {
  outcome: CoapOutcome;
  code: string | null;
  contentFormat: number | null;
  blocks: number;
  bytes: number;
  truncated: boolean;
  error: { kind: ErrorKind; message: string } | null;
};

export type CoapRead = { uri: string; outcome: CoapOutcome; code: string | null; contentFormat: number | null; bytes: number; kind: string; preview: string };

export type CoapEvidence = {
  port: number;
  discovery: CoapDiscovery;
  links: CoapLink[];
  linkCount: number;
  reads: CoapRead[];
  revealed: boolean;
};

type Exchange = { outcome: CoapOutcome; reply: CoapMessage | null; error: { kind: ErrorKind; message: string } | null };

async function get(ctx: ProbeContext, port: number, options: CoapOption[]): Promise<Exchange> {
  const token = randomBytes(4);
  const messageId = randomBytes(2).readUInt16BE(0);
  const payload = encodeCoap({ type: CoapType.CON, code: 0x01, messageId, token, options, payload: Buffer.alloc(0) });
  let replies: Buffer[];
  try {
    replies = await ctx.net.udp({ port, payload, timeoutMs: EXCHANGE_MS, maxReplies: 1, maxBytes: MAX_DATAGRAM });
  } catch (e) {
    const kind = classifyError(e);
    return { outcome: kind === 'refused' ? 'refused' : 'error', reply: null, error: { kind, message: (e instanceof Error ? e.message : String(e)).slice(0, 300) } };
  }
  const raw = replies[0];
  if (!raw) return { outcome: 'no-answer', reply: null, error: null };
  const m = decodeCoap(raw);
  if (!m) return { outcome: 'not-coap', reply: null, error: { kind: 'protocol-error', message: `reply of ${raw.length} bytes is not a CoAP message` } };
  if (m.type === CoapType.RST) return { outcome: 'reset', reply: m, error: null };
  const matchesRequest = (m.type === CoapType.ACK && m.messageId === messageId) || m.token.equals(token);
  if (!matchesRequest) return { outcome: 'not-coap', reply: m, error: { kind: 'protocol-error', message: 'reply does not match the request (message id and token differ)' } };
  if (m.code === 0) return { outcome: 'separate', reply: m, error: null };
  if (m.code >> 5 === 2) return { outcome: 'content', reply: m, error: null };
  return { outcome: 'error-code', reply: m, error: null };
}

const WELL_KNOWN: CoapOption[] = [
  { number: OPT_URI_PATH, value: Buffer.from('.well-known') },
  { number: OPT_URI_PATH, value: Buffer.from('core') },
];

async function discover(ctx: ProbeContext, port: number): Promise<{ discovery: CoapDiscovery; text: string }> {
  const first = await get(ctx, port, WELL_KNOWN);
  const discovery: CoapDiscovery = {
    outcome: first.outcome, code: first.reply && first.reply.code !== 0 ? codeText(first.reply.code) : null,
    contentFormat: first.reply ? contentFormatOf(first.reply) : null, blocks: first.reply ? 1 : 0, bytes: first.reply?.payload.length ?? 0,
    truncated: false, error: first.error,
  };
  if (first.outcome !== 'content' || !first.reply) return { discovery, text: '' };
  const chunks: Buffer[] = [first.reply.payload];
  let block = block2Of(first.reply);
  while (block?.more) {
    if (discovery.blocks >= MAX_BLOCKS || discovery.bytes >= MAX_LINK_FORMAT_BYTES || ctx.signal.aborted) { discovery.truncated = true; break; }
    const next = await get(ctx, port, [...WELL_KNOWN, { number: OPT_BLOCK2, value: uintBuf(((block.num + 1) << 4) | block.szx) }]);
    if (next.outcome !== 'content' || !next.reply) { discovery.truncated = true; break; }
    const nb = block2Of(next.reply);
    if (!nb || nb.num !== block.num + 1) { discovery.truncated = true; break; }
    chunks.push(next.reply.payload);
    discovery.blocks += 1;
    discovery.bytes += next.reply.payload.length;
    block = nb;
  }
  return { discovery, text: Buffer.concat(chunks).subarray(0, MAX_LINK_FORMAT_BYTES).toString('utf8') };
}

function linkLooksPersonal(l: CoapLink): string[] {
  const names = [l.uri, l.rt ?? '', l.title ?? ''].map((x) => x.replace(/[^\p{L}\p{N}/_-]+/gu, '/'));
  return [...new Set(names.flatMap((n) => classifyName(n).categories))];
}

/** Which listed resources to read: relative paths only (never another host), personal-looking first, at most MAX_READS. */
export function chooseReads(links: CoapLink[]): CoapLink[] {
  const usable = links.filter((l) => l.uri !== '/.well-known/core' && uriOptions(l.uri) !== null);
  const personal = usable.filter((l) => linkLooksPersonal(l).length > 0);
  const rest = usable.filter((l) => linkLooksPersonal(l).length === 0);
  return [...personal, ...rest].slice(0, MAX_READS);
}

// --- assess ----------------------------------------------------------------------------------------

function dtlsResult(input: AssessInput | undefined): CheckResult {
  const s = input?.device.services.find((x) => x.transport === 'udp' && x.port === DTLS_PORT);
  if (s?.state === 'open') {
    return { check: 'coap-dtls', status: 'pass', detail: `CoAP over DTLS (${DTLS_PORT}/udp) is offered alongside plain CoAP.` };
  }
  if (s) {
    return { check: 'coap-dtls', status: 'info', confidence: 'low', detail: `Port ${DTLS_PORT}/udp (CoAP over DTLS) may be open: it did not answer the port scan either way.` };
  }
  return { check: 'coap-dtls', status: 'info', detail: `No CoAP over DTLS (${DTLS_PORT}/udp) was found: CoAP traffic to this device is unencrypted.` };
}

export function assessCoap(ev: CoapEvidence, input?: AssessInput): CheckResult[] {
  const d = ev.discovery;
  const where = `port ${ev.port}/udp`;
  if (d.outcome === 'no-answer' || d.outcome === 'refused') {
    const detail = d.outcome === 'refused' ? `Port ${ev.port}/udp is closed.` : `Nothing answered a CoAP request on ${where}.`;
    return [
      { check: 'coap-resources-readable', status: 'not_applicable', confidence: 'low', detail },
      { check: 'coap-dtls', status: 'not_applicable', detail },
    ];
  }
  if (d.outcome === 'error' || d.outcome === 'not-coap') {
    const error = d.error ?? { kind: 'protocol-error' as const, message: 'not a CoAP reply' };
    return [{ check: 'coap-resources-readable', status: 'error', error }, { check: 'coap-dtls', status: 'error', error }];
  }
  const dtls = dtlsResult(input);
  if (d.outcome !== 'content') {
    if (d.outcome === 'error-code' && d.code !== null && d.code.startsWith('5.')) {
      return [{ check: 'coap-resources-readable', status: 'error', error: { kind: 'protocol-error', message: `/.well-known/core answered ${d.code}` } }, dtls];
    }
    const why = d.outcome === 'error-code' ? `answered ${d.code ?? '?'}` : d.outcome === 'reset' ? 'was reset' : 'was deferred (separate response not awaited)';
    return [{
      check: 'coap-resources-readable', status: 'pass', confidence: d.code === '4.01' || d.code === '4.03' ? 'high' : 'medium',
      detail: `Resource discovery (GET /.well-known/core) on ${where} ${why}: no resource list is given out without authentication.`,
    }, dtls];
  }
  if (ev.linkCount === 0) {
    return [{ check: 'coap-resources-readable', status: 'pass', detail: `Resource discovery on ${where} lists no resources.` }, dtls];
  }
  const readable = ev.reads.filter((r) => r.outcome === 'content');
  const personal = ev.links.flatMap((l) => {
    const categories = linkLooksPersonal(l);
    const read = readable.find((r) => r.uri === l.uri);
    return categories.length > 0 && read ? [{ uri: l.uri, categories }] : [];
  });
  const evidence: Json = {
    port: ev.port, linkCount: ev.linkCount, truncated: d.truncated || ev.linkCount > ev.links.length,
    resources: ev.links.slice(0, 50).map((l) => ({ uri: l.uri, rt: l.rt, title: l.title, obs: l.obs })),
    reads: ev.reads.map((r) => ({ uri: r.uri, code: r.code, bytes: r.bytes, preview: r.preview })),
    payloadsRevealed: ev.revealed,
  };
  const names = ev.links.slice(0, 6).map((l) => l.uri).join(', ');
  if (personal.length > 0) {
    const kinds = [...new Set(personal.flatMap((p) => p.categories))];
    return [{
      check: 'coap-resources-readable', status: 'fail', evidence,
      detail: `Without authentication, CoAP on ${where} lists ${ev.linkCount} resource(s) and returns data from ${personal.map((p) => p.uri).slice(0, 5).join(', ')}, which look like personal data (${kinds.map((k) => categoryLabel(k)).join(', ')}).`,
    }, dtls];
  }
  if (readable.length > 0) {
    return [{
      check: 'coap-resources-readable', status: 'warn', severity: 'medium', evidence,
      detail: `Without authentication, CoAP on ${where} lists ${ev.linkCount} resource(s) (${names}${ev.linkCount > 6 ? ', …' : ''}) and returned data from ${readable.length} of the ${ev.reads.length} read: ${readable.map((r) => r.uri).join(', ')}.`,
    }, dtls];
  }
  return [{
    check: 'coap-resources-readable', status: 'warn', severity: 'low', evidence,
    detail: `Without authentication, CoAP on ${where} gives out its list of ${ev.linkCount} resource(s) (${names}${ev.linkCount > 6 ? ', …' : ''}); ${ev.reads.length > 0 ? 'the resources read did not return data' : 'none was read'}.`,
  }, dtls];
}

export default defineProbe<CoapEvidence>({
  meta: {
    id: 'coap-exposure',
    title: 'CoAP resources readable without authentication',
    safety: 'safe',
    appliesTo: { scope: 'service', transport: 'udp', services: ['coap'], ports: [5683] },
    budget: { maxConnections: MAX_BLOCKS + MAX_READS, timeoutMs: 30_000 },
    checks: {
      'coap-resources-readable': {
        title: 'CoAP resources require authentication',
        failureTitle: 'CoAP resources can be read without authentication',
        summary: 'Anyone on your network can ask this device for its data (sensor readings, states) without a password.',
        guidelines: ['uk-cop-8', 'uk-cop-6'],
        provisions: ['5.5-4', '5.6-2', '5.8-1'],
        severity: 'high',
        description: 'CoAP is the lightweight web protocol of constrained devices. Plain CoAP (UDP 5683) has no login: a GET of /.well-known/core lists the device\'s resources and a GET of each returns its current value. A fail means resources whose names look like personal data (presence, location, locks, cameras, names) returned data; a warning means other resources, or just the list, are readable by anyone on the network.',
        remediation: 'Restrict CoAP to CoAP over DTLS (port 5684) with per-device keys or certificates, or protect the resources with OSCORE; switch plain CoAP off if the app does not need it. Check the device\'s settings or ask the vendor for a firmware that does.',
      },
      'coap-dtls': {
        title: 'CoAP over DTLS is offered',
        failureTitle: 'CoAP is offered only without encryption',
        summary: 'This device\'s CoAP traffic is not encrypted.',
        guidelines: ['uk-cop-5'],
        provisions: ['5.5-1'],
        severity: 'low',
        description: 'Whether the device also offers CoAP over DTLS (UDP 5684, RFC 7252 section 9), the encrypted and authenticated form of CoAP, judged from the port scan (a DTLS handshake is not attempted). Without it, every CoAP request and answer crosses the network in the clear.',
        remediation: 'Use CoAP over DTLS (port 5684) and switch plain CoAP off where the device allows it.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 5683;
    const ev: CoapEvidence = { port, discovery: { outcome: 'error', code: null, contentFormat: null, blocks: 0, bytes: 0, truncated: false, error: null }, links: [], linkCount: 0, reads: [], revealed: ctx.settings.revealData };
    const { discovery, text } = await discover(ctx, port);
    ev.discovery = discovery;
    if (discovery.outcome !== 'content') return ev;
    const parsed = parseLinkFormat(text);
    ev.links = parsed.links;
    ev.linkCount = parsed.total;
    for (const link of chooseReads(parsed.links)) {
      if (ctx.signal.aborted) break;
      const options = uriOptions(link.uri);
      if (!options) continue;
      const r = await get(ctx, port, options);
      const payload = r.reply?.payload ?? Buffer.alloc(0);
      const p = previewPayload(payload, ctx.settings.revealData);
      ev.reads.push({
        uri: link.uri, outcome: r.outcome, code: r.reply && r.reply.code !== 0 ? codeText(r.reply.code) : null,
        contentFormat: r.reply ? contentFormatOf(r.reply) : null, bytes: payload.length,
        kind: r.outcome === 'content' ? p.kind : 'none', preview: r.outcome === 'content' ? p.preview : '',
      });
      if (r.outcome === 'error' && r.error?.kind === 'budget-exceeded') break;
    }
    return ev;
  },
  assess(evidence, input) {
    return assessCoap(evidence, input);
  },
});
