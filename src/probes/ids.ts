/**
 * Every probe's id, sorted: what `--only`/`--skip` and targets.yaml are checked against before the
 * scan starts, without importing the probes themselves (the registry and its data take ~0.1–0.4 s to
 * load, which would hold up the ping sweep). test/probes/registry.test.ts fails when this list and
 * the registry's differ.
 */
export const PROBE_IDS: readonly string[] = [
  'attack-surface',
  'cleartext-services',
  'coap-exposure',
  'ftp-anonymous',
  'ftp-default-credentials',
  'http-default-credentials',
  'mqtt-default-credentials',
  'mqtt-exposure',
  'rtsp-default-credentials',
  'security-txt',
  'shared-keys',
  'snmp-default-community',
  'snmp-disclosure',
  'software-versions',
  'ssh-configuration',
  'ssh-default-credentials',
  'telnet-default-credentials',
  'tls-configuration',
  'tls-heartbleed',
  'update-endpoints',
  'upnp-disclosure',
  'web-login-credentials',
  'web-unauthenticated',
];
