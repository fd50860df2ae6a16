/**
 * The ports discovery scans by default, each with the reason it is on the list.
 *
 * TCP: services that consumer IoT devices (cameras, routers, printers, hubs, plugs, NAS, TVs,
 * speakers) expose on a home or lab LAN, chosen because a check of ours applies to them or because
 * their mere presence tells the report something (guideline 6: exposed attack surface; device
 * identification). UDP: only the ports our probes speak (UDP scanning is slow and needs root).
 *
 * `--ports` replaces both lists; `--all-ports` scans TCP 1–65535 (UDP stays this list).
 */
import type { Transport } from '../model.js';

export interface PortEntry {
  port: number;
  transport: Transport;
  /** The service usually found there. */
  service: string;
  /** Why it is on the list. */
  why: string;
}

export const DEFAULT_TCP_PORTS: readonly PortEntry[] = [
  { port: 21, transport: 'tcp', service: 'ftp', why: 'FTP on cameras, NAS and routers with USB storage; cleartext logins and anonymous access (guidelines 1, 5, 8)' },
  { port: 22, transport: 'tcp', service: 'ssh', why: 'SSH on routers, NAS, hubs and Linux-based devices; default credentials and algorithm checks' },
  { port: 23, transport: 'tcp', service: 'telnet', why: 'Telnet on cameras, DVRs and routers; the classic Mirai default-credential vector' },
  { port: 53, transport: 'tcp', service: 'domain', why: 'DNS forwarder on routers (dnsmasq); identifies the router' },
  { port: 80, transport: 'tcp', service: 'http', why: 'Web management UI of almost every device' },
  { port: 81, transport: 'tcp', service: 'http', why: 'Alternative web UI port on many IP cameras and DVRs' },
  { port: 82, transport: 'tcp', service: 'http', why: 'Alternative web UI port on IP cameras and NVRs' },
  { port: 85, transport: 'tcp', service: 'http', why: 'Alternative web UI port on IP cameras' },
  { port: 88, transport: 'tcp', service: 'http', why: 'Alternative web UI port on IP cameras and some routers' },
  { port: 111, transport: 'tcp', service: 'rpcbind', why: 'RPC portmapper on NAS boxes (NFS); exposed legacy service' },
  { port: 139, transport: 'tcp', service: 'netbios-ssn', why: 'SMB over NetBIOS on NAS and routers sharing USB storage' },
  { port: 443, transport: 'tcp', service: 'https', why: 'TLS web UI; certificate and protocol checks' },
  { port: 445, transport: 'tcp', service: 'microsoft-ds', why: 'SMB file sharing on NAS and routers with USB storage' },
  { port: 502, transport: 'tcp', service: 'modbus', why: 'Modbus/TCP on solar inverters, heat pumps and energy meters; unauthenticated control protocol' },
  { port: 515, transport: 'tcp', service: 'printer', why: 'LPD on printers: listed for the inventory only, never sent a byte (fragile port)' },
  { port: 548, transport: 'tcp', service: 'afp', why: 'Apple Filing Protocol on NAS boxes' },
  { port: 554, transport: 'tcp', service: 'rtsp', why: 'RTSP video stream on IP cameras, DVRs and NVRs; unauthenticated streams' },
  { port: 631, transport: 'tcp', service: 'ipp', why: 'Internet Printing Protocol on printers and print servers; identifies printers' },
  { port: 873, transport: 'tcp', service: 'rsync', why: 'rsync daemon on NAS boxes; anonymous module listing' },
  { port: 990, transport: 'tcp', service: 'ftps', why: 'Implicit FTPS on NAS boxes (Synology, QNAP); default credentials (ftp-default-credentials)' },
  { port: 1080, transport: 'tcp', service: 'socks', why: 'SOCKS proxy left enabled on some routers and compromised devices' },
  { port: 1400, transport: 'tcp', service: 'http', why: 'Sonos speaker HTTP/UPnP control API' },
  { port: 1723, transport: 'tcp', service: 'pptp', why: 'PPTP VPN server on routers; obsolete cryptography' },
  { port: 1880, transport: 'tcp', service: 'http', why: 'Node-RED editor on home-automation hubs, often without authentication' },
  { port: 1883, transport: 'tcp', service: 'mqtt', why: 'MQTT broker on hubs and devices; anonymous access and cleartext credentials' },
  { port: 1900, transport: 'tcp', service: 'upnp', why: 'UPnP description server on some routers and media devices' },
  { port: 1935, transport: 'tcp', service: 'rtmp', why: 'RTMP video streaming on cameras and encoders' },
  { port: 2000, transport: 'tcp', service: 'bandwidth-test', why: 'MikroTik bandwidth-test server on routers' },
  { port: 2049, transport: 'tcp', service: 'nfs', why: 'NFS exports on NAS boxes' },
  { port: 2222, transport: 'tcp', service: 'ssh', why: 'Alternative SSH port (dropbear) on routers and embedded Linux' },
  { port: 2323, transport: 'tcp', service: 'telnet', why: 'Alternative telnet port on cameras and DVRs, targeted by Mirai' },
  { port: 2375, transport: 'tcp', service: 'docker', why: 'Unauthenticated Docker API on NAS boxes that run containers' },
  { port: 2869, transport: 'tcp', service: 'upnp', why: 'UPnP event and description service on media devices' },
  { port: 3000, transport: 'tcp', service: 'http', why: 'Web dashboards on hubs and NAS add-ons (Grafana, custom UIs)' },
  { port: 3306, transport: 'tcp', service: 'mysql', why: 'Database left reachable on NAS boxes' },
  { port: 3689, transport: 'tcp', service: 'daap', why: 'iTunes/DAAP media sharing on NAS boxes and media servers' },
  { port: 4443, transport: 'tcp', service: 'https', why: 'Alternative TLS web UI on routers and cameras' },
  { port: 4567, transport: 'tcp', service: 'http', why: 'ISP router management (TR-069 side channel) on some gateways' },
  { port: 5000, transport: 'tcp', service: 'upnp', why: 'UPnP description (many routers) and Synology DSM web UI' },
  { port: 5001, transport: 'tcp', service: 'https', why: 'Synology DSM TLS web UI' },
  { port: 5060, transport: 'tcp', service: 'sip', why: 'SIP on VoIP phones, ATAs and routers with telephony' },
  { port: 5357, transport: 'tcp', service: 'wsdapi', why: 'Web Services for Devices on printers and scanners' },
  { port: 5431, transport: 'tcp', service: 'upnp', why: 'UPnP service of Broadcom-based router firmware' },
  { port: 5555, transport: 'tcp', service: 'adb', why: 'Android Debug Bridge over the network on TV boxes and Android devices: a root shell without login' },
  { port: 5900, transport: 'tcp', service: 'vnc', why: 'VNC remote desktop on kiosks, displays and NAS boxes' },
  { port: 6053, transport: 'tcp', service: 'esphome', why: 'ESPHome native API on DIY plugs, sensors and switches' },
  { port: 6466, transport: 'tcp', service: 'androidtv-remote', why: 'Android TV remote-control service; identifies TVs' },
  { port: 6467, transport: 'tcp', service: 'androidtv-pairing', why: 'Android TV remote pairing service; identifies TVs' },
  { port: 6668, transport: 'tcp', service: 'tuya', why: 'Tuya local control protocol on smart plugs, bulbs and switches' },
  { port: 7000, transport: 'tcp', service: 'airplay', why: 'AirPlay receiver on TVs and speakers' },
  { port: 7443, transport: 'tcp', service: 'https', why: 'TLS web UI of camera recorders (UniFi Protect and similar)' },
  { port: 7547, transport: 'tcp', service: 'cwmp', why: 'TR-069/CWMP remote management of ISP routers (guideline 3, 6)' },
  { port: 8000, transport: 'tcp', service: 'http-alt', why: 'Web UI and Hikvision SDK port on cameras and DVRs' },
  { port: 8001, transport: 'tcp', service: 'http', why: 'Samsung smart TV remote-control API' },
  { port: 8002, transport: 'tcp', service: 'https', why: 'Samsung smart TV remote-control API over TLS' },
  { port: 8008, transport: 'tcp', service: 'http', why: 'Google Cast (Chromecast, smart speakers and TVs) device API' },
  { port: 8009, transport: 'tcp', service: 'castv2', why: 'Google Cast control channel (TLS)' },
  { port: 8060, transport: 'tcp', service: 'http', why: 'Roku External Control Protocol on streaming sticks and TVs' },
  { port: 8080, transport: 'tcp', service: 'http-proxy', why: 'Alternative web UI on cameras, routers, hubs and printers' },
  { port: 8081, transport: 'tcp', service: 'http', why: 'Alternative web UI on cameras and hubs' },
  { port: 8088, transport: 'tcp', service: 'http', why: 'Alternative web UI on cameras and NVRs' },
  { port: 8089, transport: 'tcp', service: 'http', why: 'Alternative web UI on hubs and NVRs' },
  { port: 8123, transport: 'tcp', service: 'http', why: 'Home Assistant web UI on home-automation hubs' },
  { port: 8200, transport: 'tcp', service: 'http', why: 'MiniDLNA media server on routers and NAS boxes' },
  { port: 8291, transport: 'tcp', service: 'winbox', why: 'MikroTik Winbox management on routers' },
  { port: 8443, transport: 'tcp', service: 'https-alt', why: 'Alternative TLS web UI on routers, cameras, hubs and controllers' },
  { port: 8554, transport: 'tcp', service: 'rtsp-alt', why: 'Alternative RTSP port on cameras and streaming bridges' },
  { port: 8581, transport: 'tcp', service: 'http', why: 'Homebridge UI (homebridge-config-ui-x) on home-automation hubs: the HomeKit bridge\'s administration (its default port)' },
  { port: 8728, transport: 'tcp', service: 'mikrotik-api', why: 'MikroTik RouterOS API (cleartext logins)' },
  { port: 8729, transport: 'tcp', service: 'mikrotik-api-ssl', why: 'MikroTik RouterOS API over TLS' },
  { port: 8883, transport: 'tcp', service: 'secure-mqtt', why: 'MQTT over TLS on hubs and brokers' },
  { port: 8888, transport: 'tcp', service: 'http', why: 'Alternative web UI on cameras, hubs and embedded devices' },
  { port: 8899, transport: 'tcp', service: 'http', why: 'ONVIF and web service on many inexpensive IP cameras' },
  { port: 9000, transport: 'tcp', service: 'http', why: 'Web UI on NAS add-ons, hubs and some cameras' },
  { port: 9090, transport: 'tcp', service: 'http', why: 'Web consoles on NAS boxes and hubs' },
  { port: 9091, transport: 'tcp', service: 'http', why: 'Transmission web UI on NAS boxes' },
  { port: 9100, transport: 'tcp', service: 'jetdirect', why: 'Raw printing on printers: listed for the inventory and identification only, never sent a byte (fragile port)' },
  { port: 9443, transport: 'tcp', service: 'https', why: 'Alternative TLS web UI on routers and controllers' },
  { port: 9527, transport: 'tcp', service: 'xiongmai-console', why: 'Debug console of Xiongmai-based cameras and DVRs' },
  { port: 9999, transport: 'tcp', service: 'kasa', why: 'TP-Link Kasa smart plug and bulb local protocol (XOR-obfuscated, no authentication)' },
  { port: 10554, transport: 'tcp', service: 'rtsp', why: 'Alternative RTSP port on IP cameras' },
  { port: 32400, transport: 'tcp', service: 'plex', why: 'Plex media server on NAS boxes' },
  { port: 34567, transport: 'tcp', service: 'dvr', why: 'Xiongmai NetSurveillance protocol on cameras and DVRs' },
  { port: 37215, transport: 'tcp', service: 'upnp', why: 'Huawei home-gateway UPnP service (CVE-2017-17215)' },
  { port: 37777, transport: 'tcp', service: 'dahua', why: 'Dahua camera and DVR control protocol' },
  { port: 49000, transport: 'tcp', service: 'tr-064', why: 'TR-064 LAN-side management on AVM FRITZ!Box routers' },
  { port: 49152, transport: 'tcp', service: 'upnp', why: 'UPnP on Belkin WeMo plugs and many routers (first dynamic port)' },
  { port: 49153, transport: 'tcp', service: 'upnp', why: 'UPnP on Belkin WeMo plugs and routers' },
  { port: 49154, transport: 'tcp', service: 'upnp', why: 'UPnP on Belkin WeMo plugs and routers' },
  { port: 49443, transport: 'tcp', service: 'tr-064', why: 'TR-064 over TLS on AVM FRITZ!Box routers' },
  { port: 52869, transport: 'tcp', service: 'upnp', why: 'Realtek SDK miniigd UPnP on routers (CVE-2014-8361)' },
  { port: 5683, transport: 'tcp', service: 'coap', why: 'CoAP over TCP on a few hubs (RFC 8323); usually UDP' },
  { port: 8086, transport: 'tcp', service: 'http', why: 'InfluxDB on hubs and NAS boxes used for sensor history' },
  { port: 10000, transport: 'tcp', service: 'http', why: 'Webmin and vendor management UIs on NAS boxes and routers' },
  { port: 3128, transport: 'tcp', service: 'squid-http', why: 'Open HTTP proxy on routers and compromised devices' },
  { port: 4000, transport: 'tcp', service: 'http', why: 'Web UI of some hubs and DVR remote clients' },
  { port: 5050, transport: 'tcp', service: 'http', why: 'Web UI of some cameras and media boxes' },
  { port: 6000, transport: 'tcp', service: 'x11', why: 'X11 server on kiosks and smart displays' },
  { port: 7001, transport: 'tcp', service: 'http', why: 'Web UI of some cameras and media boxes' },
  { port: 7080, transport: 'tcp', service: 'http', why: 'Alternative web UI on routers and cameras' },
  { port: 8083, transport: 'tcp', service: 'http', why: 'Alternative web UI on hubs (e.g. Z-Wave controllers)' },
  { port: 8090, transport: 'tcp', service: 'http', why: 'Alternative web UI on routers and hubs' },
  { port: 8180, transport: 'tcp', service: 'http', why: 'Alternative web UI on embedded Java appliances' },
  { port: 8181, transport: 'tcp', service: 'http', why: 'Alternative web UI on hubs and NAS add-ons' },
  { port: 8880, transport: 'tcp', service: 'http', why: 'Alternative web UI on routers and controllers' },
  { port: 10001, transport: 'tcp', service: 'http', why: 'Management service on some access points and cameras' },
  { port: 20000, transport: 'tcp', service: 'usermin', why: 'Usermin and vendor management services on NAS boxes' },
  { port: 50000, transport: 'tcp', service: 'upnp', why: 'UPnP and vendor services on media devices and routers' },
  { port: 55443, transport: 'tcp', service: 'https', why: 'TLS management service on some smart TVs and set-top boxes' },
  { port: 62078, transport: 'tcp', service: 'iphone-sync', why: 'Apple device lockdown service; identifies phones and tablets so they are not mistaken for IoT devices' },
];

/** UDP ports that our probes speak. */
export const DEFAULT_UDP_PORTS: readonly PortEntry[] = [
  { port: 161, transport: 'udp', service: 'snmp', why: 'SNMP on routers, printers, NAS and cameras; default communities and information disclosure' },
  { port: 1900, transport: 'udp', service: 'ssdp', why: 'SSDP/UPnP discovery; device description and exposed IGD' },
  { port: 5353, transport: 'udp', service: 'mdns', why: 'mDNS/DNS-SD; device names and services' },
  { port: 5683, transport: 'udp', service: 'coap', why: 'CoAP on constrained devices and hubs; unauthenticated resources' },
  { port: 5684, transport: 'udp', service: 'coaps', why: 'CoAP over DTLS' },
];

/**
 * Ports nmap's version detection must never touch: its probes count as failed logins on busybox
 * telnetd, and print on raw printer ports (DESIGN.md, fragile ports).
 */
export const NO_VERSION_DETECTION_TCP: readonly number[] = [23, 2323, 515, 9100, 9101, 9102, 9103, 9104, 9105, 9106, 9107];
// (FRAGILE_TCP_PORTS below is the printer part of this list; a unit test keeps them in step.)

/**
 * Ports whose services iotcop's own collectors and probes identify, with deadlines, so nmap's -sV is not
 * spent on them: web UIs (the HTTP collector reads Server, title and realm; the TLS collector the
 * certificate), MQTT, CoAP over TCP, TR-069 and UPnP description servers, RTSP. nmap -sV waits for
 * its probes' timeouts on client-first protocols (measured on the lab: 11 s for lighttpd on 80, 27 s on
 * 443, 21 s for CoAP/TCP, against 0.4 s for SSH), which held back every probe of the host.
 */
export const OWN_IDENTIFICATION_TCP: readonly number[] = [80, 81, 443, 554, 1883, 5683, 7547, 8000, 8008, 8080, 8081, 8443, 8554, 8883, 8888, 49152];

/** Ports nothing may connect to (raw printing; DESIGN.md "Fragile ports"): the net layer's dialler, the plan and every collector use this one list. */
export const FRAGILE_TCP_PORTS: readonly number[] = [515, 9100, 9101, 9102, 9103, 9104, 9105, 9106, 9107];

/** Service names nmap uses for telnet-like services: kept away from version detection whatever the port. */
export const TELNET_SERVICE_NAMES: readonly string[] = ['telnet', 'telnets', 'telnet-proxy'];

/** Ports where identification looks for a web UI, in the order it tries them. */
export const WEB_PORTS: readonly number[] = [80, 443, 8080, 8443, 8000, 81, 8081, 8888, 88, 82, 5000, 5001, 8008, 1400, 8060, 49152, 49153, 49000];
