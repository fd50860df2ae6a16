import {
  CREDENTIAL_SERVICES, RAW_CREDENTIAL_FILE, compileCredentialDb, credentialDb, validateCredentialFile, type CredentialFile,
} from '../../src/data/credentials.js';

function clone(): CredentialFile {
  return JSON.parse(JSON.stringify(RAW_CREDENTIAL_FILE)) as CredentialFile;
}

describe('src/data/credentials.json', () => {
  it('is valid: schema, sources, patterns, templates, no duplicates', () => {
    expect(() => validateCredentialFile(RAW_CREDENTIAL_FILE)).not.toThrow();
  });

  it('gives every entry a source that says where it comes from', () => {
    const db = credentialDb().file;
    const sources = [
      ...db.vendors.flatMap((v) => [...v.pairs.map((p) => p.source), ...(v.lockout ? [v.lockout.source] : [])]),
      ...db.derived.map((d) => d.source), ...db.generic.map((g) => g.source), db.mirai.source,
      ...db.snmpCommunities.map((c) => c.source),
    ];
    expect(sources.length).toBeGreaterThan(40);
    for (const s of sources) expect(s.trim().length).toBeGreaterThanOrEqual(12);
  });

  it('holds the Mirai telnet set (scanner.c) without duplicates', () => {
    const m = credentialDb().file.mirai.pairs;
    expect(m.length).toBeGreaterThanOrEqual(55);
    expect(m[0]).toEqual({ username: 'root', password: 'xc3511' });
    expect(m).toContainEqual({ username: 'root', password: 'vizxv' });
    expect(new Set(m.map((p) => `${p.username}:${p.password}`)).size).toBe(m.length);
  });

  it('has a short generic list and SNMP communities starting with public', () => {
    const f = credentialDb().file;
    for (const s of CREDENTIAL_SERVICES.filter((x) => x !== 'snmp')) {
      const n = f.generic.filter((g) => g.services.includes(s)).length;
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(12);
    }
    expect(f.snmpCommunities[0]?.community).toBe('public');
  });

  it.each([
    ['dahua', { macVendor: 'Zhejiang Dahua Technology Co., Ltd.' }],
    ['dahua', { text: 'Login to IPC-HFW4431R-Z' }],
    ['hikvision', { macVendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' }],
    ['hikvision', { text: 'DS-2CD2142FWD' }],
    ['zyxel', { macVendor: 'Zyxel Communications Corporation' }],
    ['western-digital', { macVendor: 'WESTERN DIGITAL' }],
    ['d-link', { macVendor: 'D-LINK SYSTEMS, INC.' }],
    ['axis', { vendor: 'Axis' }],
  ])('vendor pattern %s matches %j', (id, signal) => {
    const v = credentialDb().vendors.find((x) => x.id === id)!;
    const s = signal as { vendor?: string; macVendor?: string; text?: string };
    const hit = (s.vendor !== undefined && v.re.vendor?.test(s.vendor))
      || (s.macVendor !== undefined && v.re.macVendor?.test(s.macVendor))
      || (s.text !== undefined && v.re.text?.test(s.text));
    expect(hit).toBe(true);
  });

  it('does not match unrelated vendors', () => {
    const db = credentialDb();
    const hits = db.vendors.filter((v) => v.re.macVendor?.test('ecobee inc') || v.re.text?.test('thermostat-3f1e') || v.re.vendor?.test('Espressif Inc.'));
    expect(hits.map((v) => v.id)).toEqual([]);
  });

  it('contains the documented defaults the lab devices use', () => {
    const pairs = (id: string, service: string) => credentialDb().file.vendors.find((v) => v.id === id)!.pairs
      .filter((p) => p.services.includes(service as never)).map((p) => `${p.username}:${p.password}`);
    expect(pairs('dahua', 'http')).toContain('admin:admin');
    expect(pairs('dahua', 'telnet')).toContain('root:vizxv');
    expect(pairs('zyxel', 'ssh')).toContain('admin:1234');
    expect(pairs('western-digital', 'ssh')).toContain('root:welc0me');
  });

  describe('the validator rejects', () => {
    it('an entry without a source', () => {
      const f = clone();
      (f.vendors[0]!.pairs[0] as { source: string }).source = '';
      expect(() => validateCredentialFile(f)).toThrow(/source/);
    });
    it('a pattern that is not a regular expression', () => {
      const f = clone();
      f.vendors[0]!.match.text = '(unclosed';
      expect(() => validateCredentialFile(f)).toThrow(/regular expression/);
    });
    it('an unknown service', () => {
      const f = clone();
      (f.generic[0]!.services as string[]).push('smb');
      expect(() => validateCredentialFile(f)).toThrow(/generic\.0\.services/);
    });
    it('an unknown template field and a derived entry naming an unknown vendor', () => {
      const f = clone();
      f.derived[0]!.template = '{imei}';
      expect(() => validateCredentialFile(f)).toThrow(/template/);
      const g = clone();
      g.derived[0]!.vendor = 'nobody';
      expect(() => validateCredentialFile(g)).toThrow(/unknown vendor/);
    });
    it('duplicate vendor ids and duplicate pairs', () => {
      const f = clone();
      f.vendors.push({ ...f.vendors[0]! });
      expect(() => validateCredentialFile(f)).toThrow(/appears twice/);
      const g = clone();
      g.generic.push({ ...g.generic[0]! });
      expect(() => validateCredentialFile(g)).toThrow(/listed twice/);
    });
    it('type defaults naming an unknown vendor or type, or a type listed twice', () => {
      const f = clone();
      f.typeDefaults[0]!.vendors.push('nobody');
      expect(() => validateCredentialFile(f)).toThrow(/typeDefaults "camera" names unknown vendor "nobody"/);
      const g = clone();
      (g.typeDefaults[0] as { type: string }).type = 'toaster';
      expect(() => validateCredentialFile(g)).toThrow(/typeDefaults\.0\.type/);
      const h = clone();
      h.typeDefaults.push({ ...h.typeDefaults[0]! });
      expect(() => validateCredentialFile(h)).toThrow(/listed twice/);
    });
    it('unknown fields (strict objects)', () => {
      const f = clone() as unknown as { vendors: Record<string, unknown>[] };
      f.vendors[0]!.passwrods = [];
      expect(() => validateCredentialFile(f)).toThrow(/invalid/);
    });
  });

  it('compiles patterns case-insensitively', () => {
    const db = compileCredentialDb(validateCredentialFile(RAW_CREDENTIAL_FILE));
    expect(db.vendors.find((v) => v.id === 'hikvision')?.re.vendor?.test('HIKVISION')).toBe(true);
  });
});
