/**
 * What tls-configuration collects (tls-collect.ts) and judges (tls-assess.ts): the evidence types, and
 * the small pure helpers both sides use (error shape, "not TLS at all", which services speak HTTP, the
 * certificate description).
 */
import { cap } from '../../text.js';
import { errorDetail } from '../../net/errors.js';
import { createHash, X509Certificate } from 'node:crypto';
import type { Service } from '../../model.js';
import { parseCertificate, X509ParseError, type CertificateInfo } from './x509.js';
import type { ProtocolName } from './tls-policy.js';

export type ErrorInfo = { kind: string; code: string | null; message: string };
export type VersionResult = {
  version: ProtocolName;
  status: 'accepted' | 'rejected' | 'error' | 'untested';
  /** The suite the server chose first (IANA name for our own hellos). */
  cipher: string | null;
  error: ErrorInfo | null;
};
/**
 * One accepted suite on one protocol. `name` is the IANA name (nmap prints the same); `kexInfo` the key
 * exchange seen: "dh 1024", "ecdh x25519", "rsa-export 512" (nmap: its kex_info).
 */
export type CipherEntry = {
  name: string; protocol: string; kexInfo: string | null; openssl?: string | null; code?: string;
  /** The well-known DH prime the server used (src/data/dh-common-primes.json), when it is one. */
  dhGroup?: string | null;
};
/** The key-exchange groups the server accepted on one protocol, in the order it picked them. */
export type GroupEvidence = { protocol: string; groups: string[]; complete: boolean; refusal: string | null };
export type CertEntry = {
  sha256: string;
  info: CertificateInfo | null;
  parseError: string | null;
  /** The certificate's signature verifies with its own public key (null: not checked or not possible). */
  selfSignatureValid: boolean | null;
};
export type HttpCheck = { status: number | null; hsts: string | null; error: ErrorInfo | null };
/** Per protocol, what our own ClientHellos found (src/net/tls-enumerate.ts). */
export type HelloProtocolSummary = {
  protocol: ProtocolName;
  supported: boolean | null;
  /** Every suite offered was accepted or refused; false: cut short (time, errors, connection budget). */
  complete: boolean;
  offered: number;
  accepted: number;
  refusal: string | null;
  answeredWith: ProtocolName | null;
  /** RFC 5746 renegotiation_info in the ServerHello (null: protocol not supported, or TLS 1.3). */
  secureRenegotiation: boolean | null;
  /** The server chose DEFLATE when it was offered (CRIME). */
  compression: boolean | null;
  keyShareGroup: string | null;
};
export type TlsEvidence = {
  port: number;
  /** hello: our own ClientHellos (every protocol and IANA suite); nmap: ssl-enum-ciphers, when ours found nothing. */
  source: 'hello' | 'nmap';
  versions: VersionResult[];
  ciphers: CipherEntry[];
  nmapWarnings: string[];
  /** Protocols whose enumeration could not be completed: their suites are not tested. */
  untestable: string[];
  /** ECDHE curves and TLS 1.3 groups (our own hellos only; empty from nmap or without ECDHE). */
  groups: GroupEvidence[];
  hello: { connections: number; elapsedMs: number; protocols: HelloProtocolSummary[] } | null;
  chain: CertEntry[];
  certSource: 'handshake' | 'hello' | 'nmap-ssl-cert' | null;
  certError: ErrorInfo | null;
  /** null: not an HTTP service, HSTS does not apply. */
  http: HttpCheck | null;
};

/** Error codes OpenSSL gives when the answer to a ClientHello is not TLS at all (e.g. an HTTP error page); NOT_TLS: ours. */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_RECORD_LAYER_FAILURE', 'NOT_TLS']);
const HTTP_TLS_PORTS = new Set([443, 4443, 5001, 7443, 8002, 8443, 9443, 10443]);

/** errorDetail plus the OpenSSL/Node error code, which tells a non-TLS answer from a refused handshake. */
export function errorInfo(e: unknown): ErrorInfo {
  const code = typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
  return { ...errorDetail(e), code: typeof code === 'string' ? cap(code, 80) : null };
}

/** The answer was not TLS at all (HTTP, a banner…), judged from the error the handshake gave. */
export function looksNotTls(e: ErrorInfo | null): boolean {
  if (!e) return false;
  if (e.code !== null && NOT_TLS_CODES.has(e.code)) return true;
  return /wrong version number|packet length too long|unknown protocol|http request/i.test(e.message);
}

export function isHttpService(service: Pick<Service, 'name' | 'port'> | undefined): boolean {
  if (!service) return false;
  const name = service.name?.toLowerCase();
  if (name !== undefined && /mqtt|ssh|imap|pop3|smtp|ldap|ftp|rtsp|sip|xmpp|amqp|coap/.test(name)) return false;
  if (name !== undefined && /http|www|web/.test(name)) return true;
  return HTTP_TLS_PORTS.has(service.port);
}

export function describeCert(der: Buffer): CertEntry {
  const sha256 = createHash('sha256').update(der).digest('hex');
  let info: CertificateInfo | null = null;
  let parseError: string | null = null;
  try {
    info = parseCertificate(der);
  } catch (e) {
    parseError = e instanceof X509ParseError ? e.message : cap(String(e), 300);
  }
  let selfSignatureValid: boolean | null = null;
  if (info?.selfIssued) {
    try {
      const x = new X509Certificate(der);
      selfSignatureValid = x.verify(x.publicKey);
    } catch {
      selfSignatureValid = null;
    }
  }
  return { sha256, info, parseError, selfSignatureValid };
}

