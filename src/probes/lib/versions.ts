/**
 * Software versions (pure): extraction of product and version from what devices announce (banners,
 * HTTP Server headers, nmap product/version/CPE, script output, firmware strings), version comparison
 * that copes with what embedded software really uses, and matching against the curated data file
 * src/data/vulnerable-versions.json (docs/VULN-DATA.md).
 *
 * Version order (compareVersions):
 * - numbers compare as numbers: 1.4.35 > 1.4.4; Dropbear 2019.78 < 2020.79;
 * - a leading "v" is dropped: busybox v1.19.4 == 1.19.4;
 * - letters after a number are patch levels and sort after it: 0.9.8 < 0.9.8a < 0.9.8z < 0.9.8za < 0.9.8zh
 *   (shorter letter runs first, as OpenSSL numbers them), 7.4 < 7.4p1 < 7.4p2 < 7.5, 2.25 < 2.25b;
 * - pre-release words (dev, snapshot < alpha < beta < pre < rc) sort before the release:
 *   1.0.0-beta2 < 1.0.0rc1 < 1.0.0, and 0.94.14rc21 < 0.94.14;
 * - a number beats a patch letter at the same position: 1.2.1 > 1.2a.
 * Device strings are capped before any regular expression runs on them; no device string becomes a
 * regular expression or an object key.
 */
import { capMarked } from '../../text.js';
import data from '../../data/vulnerable-versions.json' with { type: 'json' };
import type { Confidence, Severity, Transport } from '../../model.js';

export interface ProductInfo {
  id: string;
  name: string;
  /** Lower-case names as they appear in banners and headers ("dropbear sshd", "goahead-webs"). */
  aliases: string[];
  /** CPE "vendor:product" pairs. */
  cpe: string[];
  /** Package names in vulnerability feeds (OSV) that mean this product. */
  packages: string[];
}

/** One affected interval: introduced ≤ v < fixed, or introduced ≤ v ≤ lastAffected. An empty range means every version. */
export interface VersionRange { introduced?: string; fixed?: string; lastAffected?: string }

export type AdvisorySeverity = Exclude<Severity, 'info'>;

export interface Advisory {
  id: string;
  product: string;
  /** Affected ranges; the advisory matches when any range does. */
  affected?: VersionRange[];
  /** Exact affected versions (in addition to the ranges). */
  versions?: string[];
  cves: string[];
  severity: AdvisorySeverity;
  summary: string;
  source: string[];
  /** How much a version match alone says (default medium: vendors sometimes patch without changing the version). */
  confidence?: Confidence;
  note?: string;
}

export interface EndOfLife {
  id: string;
  product: string;
  branch: string;
  /** Versions of the branch; empty = every version of the product. */
  affected: VersionRange[];
  /** When support ended (YYYY-MM-DD); absent when the project stopped without a date. */
  eolDate?: string;
  summary: string;
  source: string[];
}

export interface VulnData {
  products: ProductInfo[];
  advisories: Advisory[];
  endOfLife: EndOfLife[];
}

const SEVERITY_SET: ReadonlySet<string> = new Set(['critical', 'high', 'medium', 'low']);

/** Checks the shape of a data set (bundled or loaded) and throws with the first problem. */
export function validateVulnData(d: VulnData): VulnData {
  const ids = new Set(d.products.map((p) => p.id));
  const seen = new Set<string>();
  for (const a of d.advisories) {
    if (seen.has(a.id)) throw new Error(`vulnerable-versions: duplicate advisory id ${a.id}`);
    seen.add(a.id);
    if (!ids.has(a.product)) throw new Error(`vulnerable-versions: advisory ${a.id} names unknown product ${a.product}`);
    if (!SEVERITY_SET.has(a.severity)) throw new Error(`vulnerable-versions: advisory ${a.id} has severity ${String(a.severity)}`);
    if (!a.source.length) throw new Error(`vulnerable-versions: advisory ${a.id} has no source`);
    if (!(a.affected?.length || a.versions?.length)) throw new Error(`vulnerable-versions: advisory ${a.id} names no affected versions`);
    for (const r of a.affected ?? []) {
      if (r.introduced === undefined && r.fixed === undefined && r.lastAffected === undefined) {
        throw new Error(`vulnerable-versions: advisory ${a.id} has an unbounded range`);
      }
      if (r.introduced !== undefined && r.fixed !== undefined && compareVersions(r.introduced, r.fixed) >= 0) {
        throw new Error(`vulnerable-versions: advisory ${a.id} has introduced ≥ fixed`);
      }
    }
  }
  for (const e of d.endOfLife) {
    if (!ids.has(e.product)) throw new Error(`vulnerable-versions: end-of-life entry ${e.id} names unknown product ${e.product}`);
    if (!e.source.length) throw new Error(`vulnerable-versions: end-of-life entry ${e.id} has no source`);
    if (e.eolDate !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(e.eolDate)) throw new Error(`vulnerable-versions: end-of-life entry ${e.id} has a bad date`);
  }
  return d;
}

// ---------------------------------------------------------------------------------------------
// Version comparison

type Token = { kind: 'num'; n: string } | { kind: 'word'; s: string };

const PRERELEASE: ReadonlyMap<string, number> = new Map([
  ['dev', 0], ['snapshot', 0], ['alpha', 1], ['beta', 2], ['pre', 3], ['rc', 4],
]);

/** Tokens of a version: runs of digits (leading zeros dropped) and runs of letters (lower-cased). */
export function tokenize(version: string): Token[] {
  const v = version.trim().toLowerCase().replace(/^v(?=\d)/, '').slice(0, 64);
  const out: Token[] = [];
  for (const m of v.matchAll(/(\d+)|([a-z]+)/g)) {
    if (m[1] !== undefined) out.push({ kind: 'num', n: m[1].replace(/^0+(?=\d)/, '') });
    else if (m[2] !== undefined) out.push({ kind: 'word', s: m[2] });
  }
  return out;
}

function cmpNum(a: string, b: string): number {
  return a.length !== b.length ? Math.sign(a.length - b.length) : a < b ? -1 : a > b ? 1 : 0;
}

function cmpWord(a: string, b: string): number {
  const pa = PRERELEASE.get(a);
  const pb = PRERELEASE.get(b);
  if (pa !== undefined || pb !== undefined) {
    if (pa === undefined) return 1; // a patch letter comes after any pre-release
    if (pb === undefined) return -1;
    return Math.sign(pa - pb);
  }
  // Patch letters: a < b < … < z < za < zb (OpenSSL); so the shorter run first.
  return a.length !== b.length ? Math.sign(a.length - b.length) : a < b ? -1 : a > b ? 1 : 0;
}

/** Negative when a < b, 0 when equal, positive when a > b (see the module comment for the order). */
export function compareVersions(a: string, b: string): number {
  const ta = tokenize(a);
  const tb = tokenize(b);
  const n = Math.max(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === undefined || y === undefined) {
      // One side is longer: a pre-release word makes it smaller, anything else (number, patch letter) larger.
      const extra = (x ?? y) as Token;
      const longerIsBigger = !(extra.kind === 'word' && PRERELEASE.has(extra.s));
      const sign = longerIsBigger ? 1 : -1;
      return x === undefined ? -sign : sign;
    }
    let c: number;
    if (x.kind === 'num' && y.kind === 'num') c = cmpNum(x.n, y.n);
    else if (x.kind === 'word' && y.kind === 'word') c = cmpWord(x.s, y.s);
    // number vs word: a pre-release word is below the number, and so is a patch letter (1.2a < 1.2.1).
    else c = x.kind === 'num' ? 1 : -1;
    if (c !== 0) return c;
  }
  return 0;
}

export function inRange(version: string, range: VersionRange): boolean {
  if (range.introduced !== undefined && compareVersions(version, range.introduced) < 0) return false;
  if (range.fixed !== undefined && compareVersions(version, range.fixed) >= 0) return false;
  if (range.lastAffected !== undefined && compareVersions(version, range.lastAffected) > 0) return false;
  return true;
}

/**
 * The version part of what a device announces: "9.2p1 Debian 2+deb12u3" → "9.2p1", "v1.19.4" → "1.19.4",
 * "2.25b 29dec2003" → "2.25b". Null when nothing version-like starts the string.
 */
export function normaliseVersion(raw: string): string | null {
  const m = /^\s*v?(\d[0-9A-Za-z.~+_-]{0,39})/.exec(raw.slice(0, 128));
  if (!m || m[1] === undefined) return null;
  const v = m[1].replace(/[._~+-]+$/, '');
  return v === '' ? null : v;
}

/** Strips a Debian/Ubuntu-style epoch and package revision: "1:9.2p1-2+deb12u3" → "9.2p1". */
export function upstreamOfPackageVersion(v: string): string {
  let s = v.trim().replace(/^\d+:/, '');
  const dash = s.lastIndexOf('-');
  if (dash > 0 && /\d/.test(s.slice(dash + 1))) s = s.slice(0, dash);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Extraction

export type ObservationSource =
  | 'nmap-service' | 'nmap-cpe' | 'banner' | 'ssh-banner' | 'ftp-banner' | 'http-server' | 'script' | 'firmware';

export type VersionObservation = {
  /** Product id from the data file. */
  product: string;
  /** Upstream version, when the device gave one. */
  version?: string;
  source: ObservationSource;
  /** nmap script id, for source 'script'. */
  script?: string;
  port?: number;
  transport?: Transport;
  /** The text it came from (capped, untrusted). */
  raw: string;
  /** Set when the text names a distribution package (Debian, Ubuntu, …): fixes may be backported without a version change. */
  distro?: string;
};

export interface ObservationContext {
  source: ObservationSource;
  script?: string;
  port?: number;
  transport?: Transport;
}

export const MAX_TEXT = 1024;
const RAW_CAP = 200;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface AliasPattern { product: string; alias: string; re: RegExp }
const patternCache = new WeakMap<ProductInfo[], AliasPattern[]>();

function aliasPatterns(products: ProductInfo[]): AliasPattern[] {
  const cached = patternCache.get(products);
  if (cached) return cached;
  const list = products.flatMap((p) => p.aliases.map((alias) => ({ product: p.id, alias: alias.toLowerCase() })))
    .sort((a, b) => b.alias.length - a.alias.length)
    .map(({ product, alias }) => ({
      product,
      alias,
      // alias, then "/", "_", "-" or spaces, optionally "version", optionally "v", then the version.
      re: new RegExp(`(?:^|[^a-z0-9])${escapeRegExp(alias).replace(/ /g, '[ _]')}(?:[ \\t]*[/_-][ \\t]*|[ \\t]+)(?:version[ \\t:]+)?v?(\\d[0-9a-z.~+-]{0,39})`, 'gi'),
    }));
  patternCache.set(products, list);
  return list;
}

const DISTRO_RE = /\b(debian|ubuntu|raspbian|deb\d+u\d+|fedora|centos|red ?hat|rhel|el[5-9]|suse|alpine)\b|\+deb\d+/i;

export function distroOf(text: string): string | undefined {
  const m = DISTRO_RE.exec(text.slice(0, MAX_TEXT));
  if (!m) return undefined;
  const word = (m[1] ?? m[0]).toLowerCase();
  if (word.startsWith('deb') || word.startsWith('+deb') || word === 'raspbian') return 'debian';
  if (/^el\d$/.test(word) || word === 'rhel' || word.startsWith('red')) return 'red hat';
  return word;
}

function observation(ctx: ObservationContext, product: string, version: string | undefined, raw: string, distro: string | undefined): VersionObservation {
  const o: VersionObservation = { product, source: ctx.source, raw: capMarked(raw, RAW_CAP) };
  if (version !== undefined) o.version = version;
  if (ctx.script !== undefined) o.script = ctx.script;
  if (ctx.port !== undefined) o.port = ctx.port;
  if (ctx.transport !== undefined) o.transport = ctx.transport;
  if (distro !== undefined) o.distro = distro;
  return o;
}

/**
 * Every "product/version"-like mention in free text (a banner, a Server header, script output).
 * A product named without a version counts only when `productOnly` is set and the whole text (or a
 * whole header token) is the product's name, e.g. "Server: GoAhead-Webs".
 */
export function extractFromText(
  text: string, ctx: ObservationContext, options: { productOnly?: boolean; products?: ProductInfo[] } = {},
): VersionObservation[] {
  const products = options.products ?? BUNDLED_VULN_DATA.products;
  const input = text.slice(0, MAX_TEXT);
  const lower = input.toLowerCase();
  const distro = distroOf(input);
  const out: VersionObservation[] = [];
  const taken: [number, number][] = [];
  for (const p of aliasPatterns(products)) {
    p.re.lastIndex = 0;
    for (const m of lower.matchAll(p.re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue; // a longer alias already matched here
      const version = normaliseVersion(input.slice(end - (m[1]?.length ?? 0), end));
      if (version === null) continue;
      taken.push([start, end]);
      out.push(observation(ctx, p.product, version, input.trim(), distro));
    }
  }
  if (options.productOnly && out.length === 0) {
    const tokens = lower.split(/[\s()]+/).map((t) => t.replace(/\/$/, '')).filter(Boolean);
    for (const p of products) {
      if (p.aliases.some((a) => lower.trim() === a || tokens.includes(a))) {
        out.push(observation(ctx, p.id, undefined, input.trim(), distro));
      }
    }
  }
  return dedupe(out);
}

/** The product an nmap service product name means ("Dropbear sshd" → dropbear, "Boa HTTPd" → boa). */
export function productForName(name: string, products: ProductInfo[] = BUNDLED_VULN_DATA.products): string | undefined {
  const n = name.trim().toLowerCase().slice(0, 200);
  let best: { id: string; len: number } | undefined;
  for (const p of products) {
    for (const a of p.aliases) {
      if ((n === a || n.startsWith(`${a} `) || n.startsWith(`${a}/`)) && (!best || a.length > best.len)) best = { id: p.id, len: a.length };
    }
  }
  return best?.id;
}

/** nmap's product/version/extrainfo for one port. */
export function extractFromNmapService(
  service: { product?: string; version?: string; extraInfo?: string }, ctx: ObservationContext, products: ProductInfo[] = BUNDLED_VULN_DATA.products,
): VersionObservation[] {
  if (!service.product) return [];
  const product = productForName(service.product, products);
  const raw = [service.product, service.version, service.extraInfo].filter(Boolean).join(' ').slice(0, MAX_TEXT);
  if (!product) return extractFromText(raw, ctx, { products });
  const version = service.version ? normaliseVersion(service.version) ?? undefined : undefined;
  return [observation(ctx, product, version, raw, distroOf(raw))];
}

function unescapeCpe(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** A CPE 2.2 URI (cpe:/a:vendor:product:version) or 2.3 string (cpe:2.3:a:vendor:product:version:update:…). */
export function extractFromCpe(cpe: string, ctx: ObservationContext, products: ProductInfo[] = BUNDLED_VULN_DATA.products): VersionObservation | null {
  const s = cpe.trim().slice(0, 300);
  let vendor: string | undefined;
  let name: string | undefined;
  let version: string | undefined;
  let update: string | undefined;
  if (/^cpe:2\.3:/i.test(s)) {
    const parts = s.split(/(?<!\\):/);
    [vendor, name, version, update] = [parts[3], parts[4], parts[5], parts[6]].map((x) => (x === undefined ? undefined : unescapeCpe(x)));
  } else if (/^cpe:\/[aho]:/i.test(s)) {
    const parts = s.slice(5).split(':');
    [vendor, name, version, update] = [parts[1], parts[2], parts[3], parts[4]];
  } else {
    return null;
  }
  if (!vendor || !name) return null;
  const pair = `${vendor}:${name}`.toLowerCase();
  const product = products.find((p) => p.cpe.includes(pair))?.id ?? products.find((p) => p.aliases.includes(name.toLowerCase()))?.id;
  if (!product) return null;
  const blank = (x: string | undefined) => x === undefined || x === '' || x === '*' || x === '-';
  let v = blank(version) ? undefined : version;
  if (v !== undefined && !blank(update)) v = `${v}${update}`;
  const norm = v === undefined ? undefined : normaliseVersion(v) ?? undefined;
  return observation(ctx, product, norm, s, undefined);
}

/** Drops repeated product/version/port observations (first one wins, so call with the most specific source first). */
export function dedupe(list: VersionObservation[]): VersionObservation[] {
  const seen = new Set<string>();
  const out: VersionObservation[] = [];
  for (const o of list) {
    const key = [o.product, o.version?.toLowerCase() ?? '', o.port ?? '', o.transport ?? ''].join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(o);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Matching

export function isAffected(version: string, advisory: Pick<Advisory, 'affected' | 'versions'>): boolean {
  if (advisory.versions?.some((v) => compareVersions(v, version) === 0)) return true;
  return (advisory.affected ?? []).some((r) => inRange(version, r));
}

export function matchAdvisories(obs: VersionObservation, advisories: readonly Advisory[]): Advisory[] {
  if (obs.version === undefined) return [];
  const v = obs.version;
  return advisories.filter((a) => a.product === obs.product && isAffected(v, a));
}

/** End-of-life entries that cover the observation and whose end date has passed at `now`. */
export function matchEndOfLife(obs: VersionObservation, entries: readonly EndOfLife[], now: Date): EndOfLife[] {
  return entries.filter((e) => {
    if (e.product !== obs.product) return false;
    if (e.eolDate !== undefined && Date.parse(`${e.eolDate}T23:59:59Z`) >= now.getTime()) return false;
    if (e.affected.length === 0) return true;
    if (obs.version === undefined) return false;
    const v = obs.version;
    return e.affected.some((r) => inRange(v, r));
  });
}

/** The lowest version that leaves every matched range (what to upgrade to), when the data names one. */
export function firstFixed(version: string, advisories: readonly Advisory[]): string | undefined {
  let best: string | undefined;
  for (const a of advisories) {
    for (const r of a.affected ?? []) {
      if (!inRange(version, r) || r.fixed === undefined) continue;
      if (best === undefined || compareVersions(r.fixed, best) > 0) best = r.fixed;
    }
  }
  return best;
}

const SEVERITY_ORDER: readonly AdvisorySeverity[] = ['low', 'medium', 'high', 'critical'];

export function worstSeverity(list: readonly { severity: AdvisorySeverity }[]): AdvisorySeverity | undefined {
  let worst: AdvisorySeverity | undefined;
  for (const x of list) {
    if (worst === undefined || SEVERITY_ORDER.indexOf(x.severity) > SEVERITY_ORDER.indexOf(worst)) worst = x.severity;
  }
  return worst;
}

export function productName(id: string, products: ProductInfo[] = BUNDLED_VULN_DATA.products): string {
  return products.find((p) => p.id === id)?.name ?? id;
}

// Last: validation uses the comparison functions and constants above.
/** The curated data set shipped with iotcop. */
export const BUNDLED_VULN_DATA: VulnData = validateVulnData({
  products: data.products,
  advisories: data.advisories as Advisory[],
  endOfLife: data.endOfLife as EndOfLife[],
});
