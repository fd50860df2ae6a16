/**
 * The inert protocol request the UDP re-check sends to a port nmap left open|filtered, so that a real
 * service answers (issue 18, "UDP truth"): an empty datagram makes no SNMP agent or CoAP server reply,
 * and a port that never answers is not shown to be a service (the plan gives it no probes).
 *
 * - 161 SNMP: the SNMPv3 engine-discovery request (RFC 3414 §4), which needs no community and no
 *   password; agents that speak SNMPv3 (Net-SNMP's snmpd, most current firmware) answer with a Report.
 * - 1900 SSDP: a unicast M-SEARCH for upnp:rootdevice (UPnP Device Architecture 1.1 §1.3.2).
 * - 5683 CoAP: a CoAP ping, an empty Confirmable message (RFC 7252 §4.3), answered with a Reset.
 * Other ports (5353 mDNS is asked by its own collector afterwards) get the empty datagram.
 */
import { randomInt } from 'node:crypto';
import { encodeDiscovery } from '../../net/snmp-v3.js';
import { mSearch } from './ssdp.js';

export interface UdpRequest {
  /** What the request is, for the reason a port stays unconfirmed. */
  protocol: string;
  payload: Buffer;
}

export function udpRequest(host: string, port: number): UdpRequest {
  switch (port) {
    case 161: return { protocol: 'an SNMPv3 discovery request', payload: encodeDiscovery(randomInt(1, 2 ** 31 - 1)) };
    case 1900: return { protocol: 'an SSDP M-SEARCH', payload: mSearch(host) };
    case 5683: {
      const id = randomInt(0, 0x10000);
      return { protocol: 'a CoAP ping', payload: Buffer.from([0x40, 0x00, id >> 8, id & 0xff]) };
    }
    default: return { protocol: 'an empty datagram', payload: Buffer.alloc(0) };
  }
}
