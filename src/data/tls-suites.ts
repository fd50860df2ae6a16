/**
 * The cipher suites iotcop offers in its own ClientHellos (src/net/tls-hello.ts), from
 * tls-cipher-suites.json (IANA code, IANA name, OpenSSL name, oldest protocol; provenance in the file).
 * What a suite is made of (key exchange, authentication, cipher, key bits, MAC) is read from its IANA
 * name here, so that the data holds only facts that can be checked against the registry.
 */
import raw from './tls-cipher-suites.json' with { type: 'json' };

export type SuiteProtocol = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.2' | 'TLSv1.3';

export interface SuiteEntry {
  /** Hex code: four digits (two bytes, TLS) or six (three bytes, an SSLv2 CIPHER-SPEC). */
  code: string;
  iana: string;
  openssl: string | null;
  since: SuiteProtocol;
}

export interface CipherSuite extends SuiteEntry {
  /** Numeric code (two bytes, or three for SSLv2). */
  id: number;
  /** Key exchange as in the IANA name: RSA, DHE_RSA, ECDHE_ECDSA, DH_anon, RSA_EXPORT… ("TLS13" for TLS 1.3). */
  kex: string;
  /** The bulk cipher as in the IANA name: AES_128_GCM, 3DES_EDE_CBC, RC4_128, NULL… */
  cipher: string;
  /** Effective key bits of the bulk cipher (3DES: 112, export suites: 40 or 56, NULL: 0). */
  bits: number;
  /** Block size of the cipher in bits (64 for 3DES, DES, IDEA, RC2; 128 for AES; 0 for stream, AEAD-stream or NULL). */
  blockBits: number;
  /** CBC mode (BEAST, POODLE, Lucky13 class). */
  cbc: boolean;
  mac: string;
  exportGrade: boolean;
  anonymous: boolean;
  /** Ephemeral key exchange (DHE, ECDHE, TLS 1.3). */
  forwardSecret: boolean;
}

const file = raw as { source: string; suites: SuiteEntry[] };
export const SUITES_SOURCE = file.source;

const BLOCK64 = /^(3DES|DES|DES40|IDEA|RC2|DES_192_EDE3|DES_64|RC2_128|IDEA_128)/;

function cipherBits(cipher: string, exportGrade: boolean, kex: string): number {
  if (cipher === 'NULL' || cipher === '') return 0;
  if (/^(3DES|DES_192_EDE3)/.test(cipher)) return 112;
  if (/EXPORT40|_40(_|$)|^DES40|^RC4_40|^RC2_CBC_40/.test(cipher) || (exportGrade && !/1024/.test(kex))) return 40;
  if (/^DES_CBC_40/.test(cipher)) return 40;
  if (/^(DES_CBC|DES_64)/.test(cipher) || (exportGrade && /1024/.test(kex))) return 56;
  if (/^RC4_64/.test(cipher)) return 64;
  const m = /_(\d{2,3})(_|$)/.exec(cipher);
  if (m?.[1] !== undefined) return Number(m[1]);
  if (/^(CHACHA20|SEED|IDEA|RC4)/.test(cipher)) return cipher.startsWith('CHACHA20') ? 256 : 128;
  if (/^(SM4)/.test(cipher)) return 128;
  return 128;
}

/** Splits an IANA name into key exchange, cipher and MAC. */
export function describeSuite(entry: SuiteEntry): CipherSuite {
  const id = Number.parseInt(entry.code, 16);
  let kex: string;
  let rest: string;
  const name = entry.iana;
  if (name.startsWith('SSL_CK_')) {
    // SSLv2: SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5.
    const [c = '', m = ''] = name.slice('SSL_CK_'.length).split('_WITH_');
    kex = /EXPORT40/.test(c) ? 'RSA_EXPORT' : 'RSA';
    rest = `${c}_${m}`;
  } else if (!name.includes('_WITH_')) {
    kex = 'TLS13';
    rest = name.replace(/^TLS_/, '');
  } else {
    const i = name.indexOf('_WITH_');
    kex = name.slice(name.indexOf('_') + 1, i);
    rest = name.slice(i + '_WITH_'.length);
  }
  const macMatch = /_(SHA|SHA256|SHA384|MD5|SM3|NULL)$/.exec(rest) ?? /_(CCM_8|CCM)$/.exec(rest);
  let mac = 'AEAD';
  let cipher = rest;
  if (macMatch && !/(GCM|POLY1305|CCM)/.test(rest.slice(0, macMatch.index))) {
    mac = macMatch[1] === 'SHA' ? 'SHA1' : macMatch[1] ?? 'AEAD';
    cipher = rest.slice(0, macMatch.index);
  } else if (macMatch && /(GCM|POLY1305|CCM)/.test(rest)) {
    cipher = /_(SHA256|SHA384|SM3)$/.test(rest) ? rest.replace(/_(SHA256|SHA384|SM3)$/, '') : rest;
  }
  if (cipher === '' || cipher === 'NULL') { cipher = 'NULL'; }
  if (kex === 'TLS13' && /^(SHA256|SHA384)_/.test(rest)) { cipher = 'NULL'; mac = rest.split('_')[0] ?? 'AEAD'; }
  const exportGrade = /EXPORT/.test(kex) || /EXPORT/.test(cipher);
  const anonymous = /anon/.test(kex);
  return {
    ...entry, id, kex, cipher, mac, exportGrade, anonymous,
    bits: cipherBits(cipher, exportGrade, kex),
    blockBits: cipher === 'NULL' ? 0 : BLOCK64.test(cipher) ? 64 : /^(RC4|CHACHA20)/.test(cipher) || /GCM|CCM|POLY1305/.test(cipher) ? 0 : 128,
    cbc: /CBC/.test(cipher),
    forwardSecret: kex === 'TLS13' || /^(DHE|ECDHE|CECPQ1|PSK_DHE)/.test(kex),
  };
}

export const CIPHER_SUITES: readonly CipherSuite[] = file.suites.map(describeSuite);

const byId = new Map(CIPHER_SUITES.filter((s) => s.code.length === 4).map((s) => [s.id, s] as const));
const sslv2ById = new Map(CIPHER_SUITES.filter((s) => s.code.length === 6).map((s) => [s.id, s] as const));

/** The suite with this two-byte code, or, for SSLv2 (three bytes), that CIPHER-SPEC. */
export function suiteById(id: number, sslv2 = false): CipherSuite | undefined {
  return (sslv2 ? sslv2ById : byId).get(id);
}

const ORDER: Record<SuiteProtocol, number> = { SSLv2: 0, SSLv3: 1, TLSv1: 2, 'TLSv1.2': 3, 'TLSv1.3': 4 };

/**
 * The suites to offer in a ClientHello of this protocol: TLS 1.3 its own; SSLv2 its CIPHER-SPECs; SSLv3 to
 * TLS 1.2 every two-byte suite defined for that version or older (signalling values such as
 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV left out).
 */
export function suitesFor(protocol: 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3'): CipherSuite[] {
  if (protocol === 'SSLv2') return [...sslv2ById.values()];
  if (protocol === 'TLSv1.3') return CIPHER_SUITES.filter((s) => s.since === 'TLSv1.3');
  const level = protocol === 'TLSv1.1' ? ORDER.TLSv1 : ORDER[protocol];
  return CIPHER_SUITES.filter((s) => s.code.length === 4 && s.since !== 'TLSv1.3' && s.since !== 'SSLv2' && ORDER[s.since] <= level && !/SCSV/.test(s.iana));
}
