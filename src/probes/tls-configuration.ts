/**
 * tls-configuration: protocol versions, cipher suites, key exchange, the certificate and HSTS of any TLS
 * service (guideline 5, EN 303 645 5.5-1 and 5.5-7).
 *
 * collect (lib/tls-collect.ts): our own ClientHellos enumerate SSLv2 to TLS 1.3 and every IANA suite the
 * server accepts, with DH group sizes and ECDHE curves (src/net/tls-enumerate.ts), independent of Node's
 * OpenSSL, which cannot offer SSLv3, RC4, DES, 3DES or EXPORT; one node:tls handshake reads the
 * certificate chain (read with our own DER walk, lib/x509.ts); `GET /` reads HSTS on HTTP services.
 * assess (lib/tls-assess.ts): pure, against src/data/tls-policy.json (lib/tls-policy.ts).
 */
import { defineProbe } from './contract.js';
import { HELLO_MAX_CONNECTIONS, TLS_JOB_TIMEOUT_MS, collectTls } from './lib/tls-collect.js';
import { assessTls } from './lib/tls-assess.js';
import type { TlsEvidence } from './lib/tls-evidence.js';

export { classifyCipher, hasForwardSecrecy, TLS_POLICY, type ProtocolName } from './lib/tls-policy.js';
export { describeCert, isHttpService, looksNotTls, type CertEntry, type CipherEntry, type TlsEvidence, type VersionResult } from './lib/tls-evidence.js';
export { fromSslEnumCiphers } from './lib/tls-collect.js';
export { assessTls, certificateMatches, dnsMatches } from './lib/tls-assess.js';

const G5 = ['uk-cop-5'] as const;

export default defineProbe<TlsEvidence>({
  meta: {
    id: 'tls-configuration',
    title: 'TLS configuration',
    safety: 'safe',
    appliesTo: {
      scope: 'service', transport: 'tcp', tls: true,
      services: ['https', 'ssl', 'ssl/http', 'https-alt', 'mqtts', 'secure-mqtt', 'ssl/mqtt', 'ftps', 'imaps', 'pop3s', 'ldaps', 'ipps', 'rtsps', 'sip-tls', 'castv2', 'coaps'],
      ports: [443, 4443, 5001, 7443, 8002, 8443, 8883, 9443],
    },
    budget: { maxConnections: HELLO_MAX_CONNECTIONS + 2, timeoutMs: TLS_JOB_TIMEOUT_MS },
    checks: {
      'tls-legacy-protocol': {
        title: 'Only current TLS versions are accepted', failureTitle: 'Outdated TLS/SSL version accepted',
        summary: 'This device still accepts old encryption versions that attackers on your network can break or downgrade.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'medium',
        description: 'SSL 2.0/3.0 and TLS 1.0/1.1 are deprecated (RFC 6176, RFC 7568, RFC 8996): they rely on broken hashes and modes and allow downgrade attacks. Devices should accept only TLS 1.2 and TLS 1.3.',
        remediation: 'Update the device firmware; if the settings allow it, set the minimum TLS version to 1.2. If the vendor offers no update that removes TLS 1.0/1.1, ask them for one or replace the device.',
      },
      'tls-weak-cipher': {
        title: 'No weak cipher suites are accepted', failureTitle: 'Weak TLS cipher suites accepted',
        summary: 'The device accepts weak encryption settings, so traffic to it may be read or tampered with.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'medium',
        description: 'NULL, anonymous, export, RC4, DES/3DES and MD5 suites and DH groups below 1024 bits are broken (RFC 9325, RFC 7465) and fail; weak choices warn: static RSA key exchange (no forward secrecy, so a stolen device key decrypts recorded sessions), CBC suites with HMAC-SHA1, DH groups below 2048 bits and elliptic curves below 224 bits.',
        remediation: 'Update the firmware. Where the device lets you choose, enable only ECDHE suites with AES-GCM or ChaCha20-Poly1305.',
      },
      'tls-known-weaknesses': {
        title: 'No known TLS attack applies', failureTitle: 'Known TLS attacks apply',
        summary: 'The way this device sets up encryption is open to published attacks (such as POODLE, DROWN or Logjam) that can expose what you send to it.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'high',
        description: 'Attacks that follow from the accepted protocols and suites alone: DROWN (SSL 2.0), POODLE (SSL 3.0 CBC), FREAK (RSA export), Logjam (export or small DH groups), RC4 biases, SWEET32 (64-bit block ciphers), BEAST (TLS 1.0 CBC), insecure renegotiation (RFC 5746) and CRIME (TLS compression). Each is listed with its CVE and where it was seen. Heartbleed needs a malformed heartbeat: the tls-heartbleed probe checks it at the intrusive safety level.',
        remediation: 'Update the firmware. Where the device lets you choose: disable SSL 2.0/3.0 and TLS 1.0/1.1, export, RC4 and 3DES suites and TLS compression, and use DH groups of at least 2048 bits (or ECDHE).',
      },
      'tls-certificate-expired': {
        title: 'Certificate is within its validity period', failureTitle: 'TLS certificate has expired',
        summary: 'The device presents an expired security certificate, which trains users to click through browser warnings.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'An expired certificate cannot be trusted by clients; users who click through the warning can no longer tell the device from an impostor.',
        remediation: 'Renew or regenerate the device certificate (often under the HTTPS or certificate settings, or by a firmware update) and set the device clock correctly.',
      },
      'tls-certificate-not-yet-valid': {
        title: 'Certificate is already valid', failureTitle: 'TLS certificate is not yet valid',
        summary: 'The device\'s certificate is dated in the future, usually because its clock is wrong.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'A certificate whose validity starts in the future is rejected by clients; a wrong device clock also breaks certificate checks the device itself makes.',
        remediation: 'Set the device clock (enable NTP time synchronisation) and regenerate the certificate.',
      },
      'tls-certificate-weak-key': {
        title: 'Certificate key is strong enough', failureTitle: 'TLS certificate uses a weak key',
        summary: 'The device\'s certificate uses a key short enough to be broken.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'high',
        description: 'RSA and DSA keys below 2048 bits and elliptic-curve keys below 224 bits are disallowed (NIST SP 800-131A); a 1024-bit RSA key is within reach of well-resourced attackers.',
        remediation: 'Regenerate the device certificate with an RSA key of at least 2048 bits or an ECDSA P-256 key, or update the firmware to one that does.',
      },
      'tls-certificate-weak-signature': {
        title: 'Certificate signature uses a current hash', failureTitle: 'TLS certificate signed with SHA-1 or MD5',
        summary: 'The device\'s certificate is signed with an outdated method that can be forged.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'MD5 and SHA-1 signatures can be forged with chosen-prefix collisions; browsers stopped accepting them in 2017.',
        remediation: 'Regenerate the certificate with a SHA-256 (or stronger) signature, or update the firmware.',
      },
      'tls-certificate-self-signed': {
        title: 'Certificate is issued by a certificate authority', failureTitle: 'TLS certificate is self-signed',
        summary: 'The device uses a self-made certificate, so your browser cannot confirm it is really talking to this device.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'low',
        description: 'Self-signed certificates are common on LAN devices, but clients cannot authenticate them, and users learn to accept certificate warnings. This is a warning, not a failure.',
        remediation: 'If the device lets you, install a certificate from your own or a public certificate authority; otherwise verify the certificate fingerprint once and pin it in your browser or app.',
      },
      'tls-certificate-name-mismatch': {
        title: 'Certificate names the device', failureTitle: 'TLS certificate does not match the device\'s address',
        summary: 'The certificate is for a different name than the one you use to reach the device.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'The certificate\'s subjectAltName should contain the address or host name used to reach the device (RFC 6125); otherwise every connection shows a warning that hides real impostors.',
        remediation: 'Regenerate the certificate for the device\'s host name or IP address (subjectAltName), or reach the device by the name its certificate carries.',
      },
      'https-hsts': {
        title: 'HTTPS web interface sends HSTS', failureTitle: 'HTTPS web interface without HSTS',
        summary: 'The web interface does not tell browsers to always use the encrypted connection.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'low',
        description: 'Without a Strict-Transport-Security header (RFC 6797) a browser can be tricked into the unencrypted version of the interface, where passwords travel in cleartext.',
        remediation: 'Enable HSTS in the device\'s web settings if offered, or ask the vendor to send Strict-Transport-Security on the HTTPS interface.',
      },
    },
  },
  collect: collectTls,
  assess(evidence, input) {
    return assessTls(evidence, input.device.address, input.device.hostnames, input.now);
  },
});
