import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  RAW_WEB_LOGIN_FILE, TRANSFORMS, compileRecipe, validateWebLoginFile, webLoginRecipes, type WebLoginFile,
} from '../../src/data/web-logins.js';
import { credentialDb } from '../../src/data/credentials.js';
import { buildCandidates } from '../../src/probes/lib/credentials.js';

const FAMILIES_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../lab/devices/webfakes/families');

function clone(): WebLoginFile {
  return JSON.parse(JSON.stringify(RAW_WEB_LOGIN_FILE)) as WebLoginFile;
}

describe('src/data/web-logins.json', () => {
  it('is valid: schema, patterns, placeholders defined before use, no duplicate ids', () => {
    expect(() => validateWebLoginFile(RAW_WEB_LOGIN_FILE)).not.toThrow();
  });

  it('covers at least 25 families, including the ones consumers own', () => {
    const recipes = webLoginRecipes();
    expect(recipes.length).toBeGreaterThanOrEqual(25);
    const vendors = new Set(recipes.map((r) => r.vendor));
    for (const v of ['tp-link', 'netgear', 'asus', 'd-link', 'linksys', 'zyxel', 'openwrt', 'mikrotik', 'ubiquiti',
      'hikvision', 'dahua', 'xiongmai', 'reolink', 'foscam', 'amcrest', 'axis', 'synology', 'qnap', 'western-digital',
      'homebridge', 'node-red', 'home-assistant', 'octoprint', 'pi-hole', 'zigbee2mqtt', 'transmission']) {
      expect(vendors).toContain(v);
    }
  });

  it('gives every recipe sources a reader can find again', () => {
    for (const r of webLoginRecipes()) {
      expect(r.sources.length).toBeGreaterThan(0);
      for (const s of r.sources) expect(s.trim().length).toBeGreaterThanOrEqual(40);
    }
  });

  it('links every recipe to a vendor of credentials.json that its name selects', () => {
    const names = new Map(credentialDb().vendors.map((v) => [v.id, v.name]));
    for (const r of webLoginRecipes()) {
      expect([...names.keys()]).toContain(r.vendor);
      // What the probe passes: the recipe name and the vendor's name as the vendor signal.
      const plan = buildCandidates({ service: 'http', signals: { vendor: names.get(r.vendor)!, texts: [r.name] }, owner: [] });
      expect(plan.matched.map((m) => m.vendor.id)).toContain(r.vendor);
    }
  });

  it('compiles every pattern once, case-insensitively', () => {
    for (const r of webLoginRecipes()) {
      for (const re of Object.values(r.re)) expect(re.flags).toContain('i');
      for (const m of [...r.successM, ...r.failureM, ...r.lockoutM]) if (m.body) expect(m.body.flags).toContain('i');
    }
  });

  it('gives every family that is not HTTP Basic/Digest a fake in lab/devices/webfakes/families', () => {
    const fakes = new Set(readdirSync(FAMILIES_DIR).filter((f) => f.endsWith('.mjs')).map((f) => f.replace(/\.mjs$/, '')));
    const missing = webLoginRecipes().filter((r) => r.auth !== 'http-basic' && r.auth !== 'http-digest' && r.id !== 'zigbee2mqtt' && !fakes.has(r.id)).map((r) => r.id);
    // zigbee2mqtt (unsupported) is covered by a page fixture in test/probes/web-login-credentials.test.ts.
    expect(missing).toEqual([]);
    expect(existsSync(join(FAMILIES_DIR, 'fail-open.mjs'))).toBe(true);
    expect(existsSync(join(FAMILIES_DIR, 'unknown-login.mjs'))).toBe(true);
    const recipeFamilies = webLoginRecipes().filter((r) => r.auth === 'recipe' || r.auth === 'unsupported');
    expect(recipeFamilies.filter((r) => fakes.has(r.id)).length).toBeGreaterThanOrEqual(6);
  });

  it('leaves Basic/Digest families to http-default-credentials (no steps)', () => {
    for (const r of webLoginRecipes().filter((x) => x.auth === 'http-basic' || x.auth === 'http-digest')) {
      expect(r.steps).toBeUndefined();
    }
    expect(webLoginRecipes().find((r) => r.id === 'transmission')?.auth).toBe('http-basic');
    expect(webLoginRecipes().find((r) => r.id === 'axis-digest')?.auth).toBe('http-digest');
  });

  it('records documented lockout thresholds with their scope on the vendors', () => {
    const v = new Map(credentialDb().vendors.map((x) => [x.id, x]));
    expect(v.get('hikvision')?.lockout).toMatchObject({ threshold: 5, scope: 'address' });
    expect(v.get('dahua')?.lockout).toMatchObject({ threshold: 5, scope: 'account' });
    expect(v.get('synology')?.lockout).toMatchObject({ threshold: 10, scope: 'address' });
  });
});

describe('the web login validator rejects', () => {
  const first = (f: WebLoginFile) => f.recipes.find((r) => r.id === 'dahua-rpc2')!;

  it('a recipe without sources', () => {
    const f = clone(); first(f).sources = [];
    expect(() => validateWebLoginFile(f)).toThrow(/sources/);
  });

  it('a pattern that is not a regular expression', () => {
    const f = clone(); first(f).recognise.title = '([unclosed';
    expect(() => validateWebLoginFile(f)).toThrow(/not a valid regular expression/);
  });

  it('a transform outside the vocabulary', () => {
    const f = clone();
    (first(f).steps![1]!.derive![0]!.ops as string[]) = ['md5', 'eval'];
    expect(() => validateWebLoginFile(f)).toThrow(/ops/);
    expect(TRANSFORMS).not.toContain('eval');
  });

  it('a placeholder used before any step defines it', () => {
    const f = clone(); first(f).steps![0]!.path = '/RPC2_Login?s={session}';
    expect(() => validateWebLoginFile(f)).toThrow(/uses \{session\} before it is defined/);
  });

  it('an hmac without a key, a body on GET, a login without failure matchers, unknown fields', () => {
    const a = clone();
    const hnap = a.recipes.find((r) => r.id === 'd-link-hnap')!;
    delete hnap.steps![1]!.derive![0]!.key;
    expect(() => validateWebLoginFile(a)).toThrow(/hmac needs key/);
    const b = clone(); b.recipes.find((r) => r.id === 'foscam-cgi')!.steps![0]!.form = [['a', 'b']];
    expect(() => validateWebLoginFile(b)).toThrow(/only POST carries a body/);
    const c = clone(); delete first(c).failure;
    expect(() => validateWebLoginFile(c)).toThrow(/needs steps, success and failure/);
    const d = clone(); (first(d) as unknown as Record<string, unknown>).script = 'x';
    expect(() => validateWebLoginFile(d)).toThrow();
  });

  it('duplicate recipe ids', () => {
    const f = clone(); f.recipes.push({ ...first(f) });
    expect(() => validateWebLoginFile(f)).toThrow(/appears twice/);
  });

  it('compiles a hand-made recipe the same way (favicon hashes are plain hex)', () => {
    const r = compileRecipe({ ...first(clone()), recognise: { paths: ['/'], faviconSha256: ['a'.repeat(64)] } });
    expect(r.re.title).toBeUndefined();
    expect(r.recognise.faviconSha256).toEqual(['a'.repeat(64)]);
  });
});
