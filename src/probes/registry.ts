/**
 * The explicit probe registry: every probe in src/probes/<id>.ts is imported here and listed in
 * PROBES, sorted by id. test/probes/registry.test.ts fails when a probe file is not listed, when the
 * list is not sorted, or when a probe's meta is invalid.
 */
import type { AnyProbe } from './contract.js';
import attackSurface from './attack-surface.js';
import cleartextServices from './cleartext-services.js';
import coapExposure from './coap-exposure.js';
import ftpAnonymous from './ftp-anonymous.js';
import ftpDefaultCredentials from './ftp-default-credentials.js';
import httpDefaultCredentials from './http-default-credentials.js';
import mqttDefaultCredentials from './mqtt-default-credentials.js';
import mqttExposure from './mqtt-exposure.js';
import rtspDefaultCredentials from './rtsp-default-credentials.js';
import securityTxt from './security-txt.js';
import sharedKeys from './shared-keys.js';
import snmpDefaultCommunity from './snmp-default-community.js';
import snmpDisclosure from './snmp-disclosure.js';
import softwareVersions from './software-versions.js';
import sshConfiguration from './ssh-configuration.js';
import sshDefaultCredentials from './ssh-default-credentials.js';
import telnetDefaultCredentials from './telnet-default-credentials.js';
import tlsConfiguration from './tls-configuration.js';
import tlsHeartbleed from './tls-heartbleed.js';
import updateEndpoints from './update-endpoints.js';
import upnpDisclosure from './upnp-disclosure.js';
import webLoginCredentials from './web-login-credentials.js';
import webUnauthenticated from './web-unauthenticated.js';

export const PROBES: readonly AnyProbe[] = [
  // sorted by meta.id
  attackSurface,
  cleartextServices,
  coapExposure,
  ftpAnonymous,
  ftpDefaultCredentials,
  httpDefaultCredentials,
  mqttDefaultCredentials,
  mqttExposure,
  rtspDefaultCredentials,
  securityTxt,
  sharedKeys,
  snmpDefaultCommunity,
  snmpDisclosure,
  softwareVersions,
  sshConfiguration,
  sshDefaultCredentials,
  telnetDefaultCredentials,
  tlsConfiguration,
  tlsHeartbleed,
  updateEndpoints,
  upnpDisclosure,
  webLoginCredentials,
  webUnauthenticated,
];

const byId = new Map<string, AnyProbe>(PROBES.map((p) => [p.meta.id, p]));

export function probeById(id: string): AnyProbe | undefined {
  return byId.get(id);
}
