/**
 * Device-type rules for identification (src/discovery/identify.ts): data, not code.
 *
 * Each rule says: when this signal matches this pattern (case-insensitive, our own regex, run only on
 * length-capped device strings), add `weight` to the score of `type`. Per device and type, each source
 * counts once with its strongest matching rule, so ten similar HTTP titles do not outvote a UPnP
 * device type. Weights: 4 = the signal names the device class outright (UPnP device type, nmap
 * devicetype "webcam", mDNS _ipp._tcp); 3 = a specific product or protocol of the class; 2 = typical
 * of the class; 1 = a hint (a vendor that also makes other things, a common port).
 */
import type { DeviceType } from '../model.js';

export type SignalField =
  | 'mac-vendor' | 'hostname' | 'mdns-service' | 'mdns-text' | 'upnp-device-type' | 'upnp-text'
  | 'http-title' | 'http-server' | 'http-realm' | 'tls-subject' | 'banner' | 'service-product'
  | 'nmap-device-type' | 'service-name' | 'os-type' | 'port';

export interface TypeRule {
  type: Exclude<DeviceType, 'unknown'>;
  field: SignalField;
  /** Regular expression source, matched case-insensitively. For 'port': against "554/tcp". */
  pattern: string;
  weight: 1 | 2 | 3 | 4;
}

/** Which identification source each signal field reports as (Identification.sources). */
export const FIELD_SOURCE: Record<SignalField, string> = {
  'mac-vendor': 'mac-oui',
  hostname: 'hostname',
  'mdns-service': 'mdns',
  'mdns-text': 'mdns',
  'upnp-device-type': 'upnp',
  'upnp-text': 'upnp',
  'http-title': 'http-title',
  'http-server': 'http-server',
  'http-realm': 'http-realm',
  'tls-subject': 'tls-cert',
  banner: 'banner',
  'service-product': 'nmap-service',
  'nmap-device-type': 'nmap-service',
  'service-name': 'nmap-service',
  'os-type': 'nmap-os',
  port: 'ports',
};

/** Model-number shapes of common camera lines (Hikvision DS-2CD…, Dahua IPC-HFW…/HDW…, D-Link DCS-…, Axis M/P/Q…). */
const CAMERA_MODELS = String.raw`\b(DS-2CD\w*|DS-2DE\w*|DS-7\d{3}\w*|IPC-H[DF]W\w*|IPC-[A-Z]\d\w*|DH-\w+|DCS-\d{3,4}\w*|TL-SC\d+|NC\d{3}|HFW\d+\w*|HDW\d+\w*|XVR\d+\w*|NVR\d+\w*)`;
const CAMERA_WORDS = String.raw`\b(ip ?cam(era)?|web ?cam|camera|network video|nvr|dvr|ipc\b|hikvision|dahua|foscam|axis|amcrest|reolink|vivotek|hipcam|uniview|wyze|live ?view|surveillance|cctv)`;
const ROUTER_WORDS = String.raw`\b(router|gateway|openwrt|luci|dd-wrt|tomato|asuswrt|fritz!?box|mikrotik|routeros|edgeos|edgerouter|archer|linksys|netgear|tp-link|zyxel|draytek|d-link|adsl|vdsl|dsl modem|cable modem|access point|wireless ap|home ?hub|super ?hub|livebox|speedport)`;
const PRINTER_WORDS = String.raw`\b(printer|laserjet|officejet|deskjet|envy|pagewide|designjet|epson|brother|canon|kyocera|lexmark|xerox|ricoh|konica|oki ?data|print server|jetdirect|cups|ipp\b)`;
const HUB_WORDS = String.raw`\b(home ?assistant|hass\b|hubitat|smartthings|philips hue|hue bridge|homey|openhab|domoticz|zigbee2mqtt|deconz|conbee|node-red|z-?wave|zigbee|smart ?hub|iot hub|bridge|homebridge|mosquitto|mqtt broker|thread border)`;
const NAS_WORDS = String.raw`\b(synology|diskstation|dsm\b|qnap|nas\b|truenas|freenas|openmediavault|readynas|my ?cloud|unraid|terramaster|asustor|netatalk|samba)`;
const PLUG_WORDS = String.raw`\b(smart ?plug|smart ?socket|tasmota|shelly|sonoff|kasa|hs1\d\d|wemo|espurna|tuya|smart ?switch|power ?strip|outlet)`;
const TV_WORDS = String.raw`\b(smart ?tv|television|bravia|roku|chromecast|google ?tv|android ?tv|webos|tizen|fire ?tv|apple ?tv|vizio|hisense|media ?renderer|dial\b)`;
const SPEAKER_WORDS = String.raw`\b(sonos|speaker|soundbar|bose|musiccast|heos|homepod|echo dot|google home|nest audio|nest mini|denon|marantz)`;

export const TYPE_RULES: readonly TypeRule[] = [
  // nmap's own classification (service devicetype and OS class type use the same vocabulary).
  { type: 'camera', field: 'nmap-device-type', pattern: String.raw`^(webcam|security-misc)$`, weight: 4 },
  { type: 'router', field: 'nmap-device-type', pattern: String.raw`^(router|broadband router|wap|firewall)$`, weight: 4 },
  { type: 'router', field: 'nmap-device-type', pattern: String.raw`^(switch|bridge)$`, weight: 2 },
  { type: 'printer', field: 'nmap-device-type', pattern: String.raw`^(printer|print server)$`, weight: 4 },
  { type: 'nas', field: 'nmap-device-type', pattern: String.raw`^storage-misc$`, weight: 4 },
  { type: 'tv', field: 'nmap-device-type', pattern: String.raw`^(media device|game console)$`, weight: 2 },
  { type: 'plug', field: 'nmap-device-type', pattern: String.raw`^power-device$`, weight: 3 },
  { type: 'computer', field: 'nmap-device-type', pattern: String.raw`^(general purpose|phone)$`, weight: 1 },
  { type: 'camera', field: 'os-type', pattern: String.raw`^webcam$`, weight: 3 },
  { type: 'router', field: 'os-type', pattern: String.raw`^(router|broadband router|wap|firewall)$`, weight: 3 },
  { type: 'printer', field: 'os-type', pattern: String.raw`^(printer|print server)$`, weight: 3 },
  { type: 'nas', field: 'os-type', pattern: String.raw`^storage-misc$`, weight: 3 },
  { type: 'tv', field: 'os-type', pattern: String.raw`^media device$`, weight: 2 },
  { type: 'plug', field: 'os-type', pattern: String.raw`^power-device$`, weight: 2 },

  // UPnP device descriptions.
  { type: 'router', field: 'upnp-device-type', pattern: String.raw`:device:(InternetGatewayDevice|WANDevice|WANConnectionDevice|WFADevice|LANDevice)\b`, weight: 4 },
  { type: 'camera', field: 'upnp-device-type', pattern: String.raw`(:device:DigitalSecurityCamera|camera|NetworkCamera|IPCam)`, weight: 4 },
  { type: 'printer', field: 'upnp-device-type', pattern: String.raw`:device:(Printer|PrintBasic|Scanner)\b`, weight: 4 },
  { type: 'nas', field: 'upnp-device-type', pattern: String.raw`:device:MediaServer\b`, weight: 2 },
  { type: 'tv', field: 'upnp-device-type', pattern: String.raw`(:device:MediaRenderer\b|dial-multiscreen-org:device:dial|:device:tvdevice|RemoteControlReceiver)`, weight: 3 },
  { type: 'speaker', field: 'upnp-device-type', pattern: String.raw`(ZonePlayer|:device:Speaker|MusicServices)`, weight: 4 },
  { type: 'plug', field: 'upnp-device-type', pattern: String.raw`(urn:Belkin:device:(controllee|insight|lightswitch)|:device:(BinaryLight|DimmableLight|SwitchPower))`, weight: 4 },
  { type: 'hub', field: 'upnp-device-type', pattern: String.raw`(:device:(HVAC_System|HomeAutomation|Bridge)|hue)`, weight: 3 },
  { type: 'camera', field: 'upnp-text', pattern: CAMERA_WORDS, weight: 3 },
  { type: 'router', field: 'upnp-text', pattern: ROUTER_WORDS, weight: 3 },
  { type: 'printer', field: 'upnp-text', pattern: PRINTER_WORDS, weight: 3 },
  { type: 'hub', field: 'upnp-text', pattern: HUB_WORDS, weight: 3 },
  { type: 'nas', field: 'upnp-text', pattern: NAS_WORDS, weight: 3 },
  { type: 'plug', field: 'upnp-text', pattern: PLUG_WORDS, weight: 3 },
  { type: 'tv', field: 'upnp-text', pattern: TV_WORDS, weight: 3 },
  { type: 'speaker', field: 'upnp-text', pattern: SPEAKER_WORDS, weight: 3 },

  // mDNS / DNS-SD service types and TXT records.
  { type: 'printer', field: 'mdns-service', pattern: String.raw`^_(ipp|ipps|pdl-datastream|printer|uscan|uscans|scanner|riousbprint)\._tcp`, weight: 4 },
  { type: 'camera', field: 'mdns-service', pattern: String.raw`^_(axis-video|rtsp|onvif|camera|nvr)\._tcp`, weight: 3 },
  { type: 'hub', field: 'mdns-service', pattern: String.raw`^_(home-assistant|hue|hap-bridge|homekit|mqtt|hubitat|smartthings|deconz|zigbee2mqtt|openhab-server|meshcop|trel)\._(tcp|udp)`, weight: 3 },
  { type: 'nas', field: 'mdns-service', pattern: String.raw`^_(smb|afpovertcp|nfs|adisk|webdav|synology|qnap|plexmediasvr)\._tcp`, weight: 2 },
  { type: 'tv', field: 'mdns-service', pattern: String.raw`^_(googlecast|androidtvremote2?|amzn-wplay|roku-rcp|airplay|mediaremotetv|viziocast|webos-second-screen)\._tcp`, weight: 3 },
  { type: 'speaker', field: 'mdns-service', pattern: String.raw`^_(raop|sonos|spotify-connect|dacp|musiccast)\._tcp`, weight: 3 },
  { type: 'plug', field: 'mdns-service', pattern: String.raw`^_(shelly|tasmota|kasa|wemo|tuya|esphomelib)\._tcp`, weight: 2 },
  { type: 'computer', field: 'mdns-service', pattern: String.raw`^_(workstation|sftp-ssh|companion-link|rdlink|device-info)\._tcp`, weight: 1 },
  { type: 'printer', field: 'mdns-text', pattern: String.raw`(\bpdl=|\bty=|\burf=|\bprinter-type=|\busb_mfg=)`, weight: 3 },
  { type: 'camera', field: 'mdns-text', pattern: CAMERA_WORDS, weight: 2 },
  { type: 'tv', field: 'mdns-text', pattern: TV_WORDS, weight: 2 },
  { type: 'speaker', field: 'mdns-text', pattern: SPEAKER_WORDS, weight: 2 },
  { type: 'hub', field: 'mdns-text', pattern: HUB_WORDS, weight: 2 },
  { type: 'nas', field: 'mdns-text', pattern: NAS_WORDS, weight: 2 },
  { type: 'plug', field: 'mdns-text', pattern: PLUG_WORDS, weight: 2 },
  { type: 'router', field: 'mdns-text', pattern: ROUTER_WORDS, weight: 2 },

  // Camera model numbers wherever a device names itself.
  { type: 'camera', field: 'http-title', pattern: CAMERA_MODELS, weight: 3 },
  { type: 'camera', field: 'http-realm', pattern: CAMERA_MODELS, weight: 3 },
  { type: 'camera', field: 'upnp-text', pattern: CAMERA_MODELS, weight: 3 },
  { type: 'camera', field: 'banner', pattern: CAMERA_MODELS, weight: 3 },
  { type: 'camera', field: 'hostname', pattern: CAMERA_MODELS, weight: 2 },
  { type: 'camera', field: 'mdns-text', pattern: CAMERA_MODELS, weight: 2 },

  // Web UI: title, Server header, Basic/Digest realm.
  { type: 'camera', field: 'http-title', pattern: CAMERA_WORDS, weight: 3 },
  { type: 'router', field: 'http-title', pattern: ROUTER_WORDS, weight: 3 },
  { type: 'printer', field: 'http-title', pattern: PRINTER_WORDS, weight: 3 },
  { type: 'hub', field: 'http-title', pattern: HUB_WORDS, weight: 3 },
  { type: 'nas', field: 'http-title', pattern: NAS_WORDS, weight: 3 },
  { type: 'plug', field: 'http-title', pattern: PLUG_WORDS, weight: 3 },
  { type: 'tv', field: 'http-title', pattern: TV_WORDS, weight: 2 },
  { type: 'speaker', field: 'http-title', pattern: SPEAKER_WORDS, weight: 2 },
  { type: 'camera', field: 'http-server', pattern: String.raw`(hikvision|dnvrs-webs|app-webs|dahua|uc-httpd|hipcam|ipcamera|netwave|webcam|camera|axis)`, weight: 3 },
  { type: 'camera', field: 'http-server', pattern: String.raw`^(alphapd|dcs-lig-httpd|webs|av-tech)`, weight: 2 },
  { type: 'camera', field: 'http-server', pattern: String.raw`^(goahead-webs|boa|thttpd)`, weight: 1 },
  { type: 'router', field: 'http-server', pattern: String.raw`(rompager|micro_httpd|uhttpd|luci|router|zyxel|tp-link|linksys|mikrotik|routeros|arcadyan|fritz|avm|netgear|cwmp|tr-?069)`, weight: 2 },
  { type: 'router', field: 'http-server', pattern: String.raw`^(mini_httpd|lighttpd|httpd|goahead-webs|boa)\b`, weight: 1 },
  { type: 'printer', field: 'http-server', pattern: String.raw`(hp http server|hp-chaisoe|virata-emweb|epson|canon http|brother|ks_http|lexmark|xerox|ricoh|cups|ipp|printer|jetdirect)`, weight: 3 },
  { type: 'hub', field: 'http-server', pattern: String.raw`(hue|homeassistant|hubitat|deconz|openhab|node-red|smartthings)`, weight: 3 },
  { type: 'nas', field: 'http-server', pattern: String.raw`(synology|qnap|diskstation|truenas|openmediavault)`, weight: 3 },
  { type: 'plug', field: 'http-server', pattern: String.raw`(tasmota|shelly|sonoff|esp8266|esp32|espurna|kasa|wemo)`, weight: 3 },
  { type: 'tv', field: 'http-server', pattern: String.raw`(roku|webos|tizen|bravia|samsung|chromecast|android ?tv)`, weight: 2 },
  { type: 'speaker', field: 'http-server', pattern: String.raw`(sonos|bose|heos|musiccast)`, weight: 3 },
  { type: 'camera', field: 'http-realm', pattern: CAMERA_WORDS, weight: 3 },
  { type: 'router', field: 'http-realm', pattern: ROUTER_WORDS, weight: 3 },
  { type: 'printer', field: 'http-realm', pattern: PRINTER_WORDS, weight: 3 },
  { type: 'hub', field: 'http-realm', pattern: HUB_WORDS, weight: 3 },
  { type: 'nas', field: 'http-realm', pattern: NAS_WORDS, weight: 3 },
  { type: 'plug', field: 'http-realm', pattern: PLUG_WORDS, weight: 3 },

  // TLS certificate subject / issuer.
  { type: 'camera', field: 'tls-subject', pattern: CAMERA_WORDS, weight: 2 },
  { type: 'router', field: 'tls-subject', pattern: ROUTER_WORDS, weight: 2 },
  { type: 'printer', field: 'tls-subject', pattern: PRINTER_WORDS, weight: 2 },
  { type: 'hub', field: 'tls-subject', pattern: HUB_WORDS, weight: 2 },
  { type: 'nas', field: 'tls-subject', pattern: NAS_WORDS, weight: 2 },
  { type: 'tv', field: 'tls-subject', pattern: TV_WORDS, weight: 2 },

  // Banners the service sent on connect (telnet, FTP, SSH, console ports).
  { type: 'camera', field: 'banner', pattern: CAMERA_WORDS, weight: 3 },
  { type: 'router', field: 'banner', pattern: ROUTER_WORDS, weight: 3 },
  { type: 'printer', field: 'banner', pattern: PRINTER_WORDS, weight: 3 },
  { type: 'hub', field: 'banner', pattern: HUB_WORDS, weight: 2 },
  { type: 'nas', field: 'banner', pattern: NAS_WORDS, weight: 3 },
  { type: 'plug', field: 'banner', pattern: PLUG_WORDS, weight: 3 },

  // nmap service detection: product, version and extra info.
  { type: 'camera', field: 'service-product', pattern: CAMERA_WORDS, weight: 3 },
  { type: 'router', field: 'service-product', pattern: String.raw`(router|mikrotik|routeros|openwrt|dd-wrt|tp-link|netgear|linksys|zyxel|avm|fritz|broadcom upnp|rompager|miniupnpd|cwmp|tr-069|draytek|ubiquiti|edgeos)`, weight: 3 },
  { type: 'router', field: 'service-product', pattern: String.raw`(dnsmasq|dropbear|busybox)`, weight: 1 },
  { type: 'printer', field: 'service-product', pattern: PRINTER_WORDS, weight: 3 },
  { type: 'hub', field: 'service-product', pattern: String.raw`(home assistant|hubitat|philips hue|deconz|smartthings|openhab|node-red|zigbee|z-wave)`, weight: 3 },
  { type: 'hub', field: 'service-product', pattern: String.raw`(mosquitto|mqtt|emqx|hivemq|libcoap|californium|coap)`, weight: 2 },
  { type: 'nas', field: 'service-product', pattern: String.raw`(synology|qnap|diskstation|truenas|netatalk|nfs|rsync|plex|minidlna|samba|smbd)`, weight: 2 },
  { type: 'plug', field: 'service-product', pattern: PLUG_WORDS, weight: 3 },
  { type: 'tv', field: 'service-product', pattern: String.raw`(roku|chromecast|google cast|samsung.*tv|webos|bravia|android tv|fire tv|dial)`, weight: 3 },
  { type: 'speaker', field: 'service-product', pattern: String.raw`(sonos|airplay|spotify|bose|heos|musiccast)`, weight: 3 },

  // nmap service names: the protocol alone is a hint of the class.
  { type: 'hub', field: 'service-name', pattern: String.raw`^(mqtt|coap|zigbee|homekit)$`, weight: 2 },
  { type: 'camera', field: 'service-name', pattern: String.raw`^(rtsp|rtsp-alt|dahua|dvr)$`, weight: 2 },
  { type: 'printer', field: 'service-name', pattern: String.raw`^(jetdirect|printer|ipp|lpd|pdl-datastream)$`, weight: 3 },
  { type: 'router', field: 'service-name', pattern: String.raw`^(cwmp|tr-064|winbox|pptp)$`, weight: 2 },

  // Ports: open ports typical of a class (see src/data/ports.ts).
  { type: 'camera', field: 'port', pattern: String.raw`^(554|8554|10554)/tcp$`, weight: 2 },
  { type: 'camera', field: 'port', pattern: String.raw`^(34567|37777|9527|8899)/tcp$`, weight: 3 },
  { type: 'router', field: 'port', pattern: String.raw`^(7547|8291|8728|8729|49000|49443|5431|52869|37215|4567)/tcp$`, weight: 3 },
  { type: 'router', field: 'port', pattern: String.raw`^(53/tcp|1723/tcp|2000/tcp)$`, weight: 2 },
  { type: 'printer', field: 'port', pattern: String.raw`^(9100|9101|9102|9103|515)/tcp$`, weight: 3 },
  { type: 'printer', field: 'port', pattern: String.raw`^(631|5357)/tcp$`, weight: 2 },
  { type: 'hub', field: 'port', pattern: String.raw`^(8123|1880|6053)/tcp$`, weight: 3 },
  { type: 'hub', field: 'port', pattern: String.raw`^(1883/tcp|8883/tcp|5683/udp|5684/udp|5683/tcp)$`, weight: 2 },
  { type: 'nas', field: 'port', pattern: String.raw`^(445|139|548|2049|873|5001|32400|111|3689)/tcp$`, weight: 1 },
  { type: 'plug', field: 'port', pattern: String.raw`^(9999|6668)/tcp$`, weight: 2 },
  { type: 'plug', field: 'port', pattern: String.raw`^(49152|49153|49154)/tcp$`, weight: 1 },
  { type: 'tv', field: 'port', pattern: String.raw`^(6466|6467|8060|8001|8002)/tcp$`, weight: 3 },
  { type: 'tv', field: 'port', pattern: String.raw`^(8008|8009|5555|7000)/tcp$`, weight: 1 },
  { type: 'speaker', field: 'port', pattern: String.raw`^1400/tcp$`, weight: 3 },
  { type: 'computer', field: 'port', pattern: String.raw`^(62078|3389|5900)/tcp$`, weight: 1 },

  // Host names (PTR, mDNS).
  { type: 'camera', field: 'hostname', pattern: String.raw`(cam|ipc|nvr|dvr|doorbell)`, weight: 1 },
  { type: 'router', field: 'hostname', pattern: String.raw`(router|gateway|^gw[.-]|openwrt|fritz|^rt-|^ap[.-]|modem)`, weight: 1 },
  { type: 'printer', field: 'hostname', pattern: String.raw`(printer|^print|^hp[0-9a-f]{6}|^npi[0-9a-f]|epson|^brn|^brw|canon)`, weight: 1 },
  { type: 'hub', field: 'hostname', pattern: String.raw`(hub|bridge|homeassistant|hass|hubitat|philips-hue|zigbee)`, weight: 1 },
  { type: 'nas', field: 'hostname', pattern: String.raw`(nas|diskstation|synology|qnap)`, weight: 1 },
  { type: 'plug', field: 'hostname', pattern: String.raw`(plug|tasmota|shelly|sonoff|kasa|wemo|socket)`, weight: 1 },
  { type: 'tv', field: 'hostname', pattern: String.raw`(tv|roku|chromecast|bravia)`, weight: 1 },
  { type: 'speaker', field: 'hostname', pattern: String.raw`(sonos|speaker|echo|homepod)`, weight: 1 },

  // IEEE vendor of the MAC address (a hint: most vendors make more than one kind of device).
  { type: 'camera', field: 'mac-vendor', pattern: String.raw`(hikvision|dahua|axis communications|amcrest|foscam|reolink|uniview|wyze|vivotek|hanwha|mobotix)`, weight: 2 },
  { type: 'router', field: 'mac-vendor', pattern: String.raw`(netgear|ubiquiti|mikrotik|routerboard|asustek|linksys|avm|zyxel|arcadyan|sagemcom|technicolor|d-link|draytek|tp-link|huawei|sercomm|askey)`, weight: 1 },
  { type: 'printer', field: 'mac-vendor', pattern: String.raw`(seiko epson|brother industries|canon|kyocera|lexmark|xerox|ricoh|konica|oki data)`, weight: 2 },
  { type: 'printer', field: 'mac-vendor', pattern: String.raw`(hewlett packard|hp inc)`, weight: 1 },
  { type: 'hub', field: 'mac-vendor', pattern: String.raw`(philips lighting|signify|smartthings|samjin|hubitat|nabu casa|athom|dresden elektronik)`, weight: 2 },
  { type: 'nas', field: 'mac-vendor', pattern: String.raw`(synology|qnap|western digital|seagate|buffalo|asustor|terramaster)`, weight: 2 },
  { type: 'plug', field: 'mac-vendor', pattern: String.raw`(espressif|tuya|shelly|allterco|belkin|itead)`, weight: 1 },
  { type: 'tv', field: 'mac-vendor', pattern: String.raw`(roku|vizio|hisense|tcl|lg electronics|sony|samsung electronics|amazon technologies)`, weight: 1 },
  { type: 'speaker', field: 'mac-vendor', pattern: String.raw`(sonos|bose|harman|denon|bang & olufsen)`, weight: 2 },
  { type: 'computer', field: 'mac-vendor', pattern: String.raw`(intel corporate|dell|lenovo|raspberry pi|micro-star|gigabyte|apple)`, weight: 1 },
];

/** Vendor names recognised in device strings (titles, Server headers, products, banners), in display form. */
export const KNOWN_VENDORS: readonly string[] = [
  'Hikvision', 'Dahua', 'Axis', 'Foscam', 'Amcrest', 'Reolink', 'Vivotek', 'Uniview', 'Wyze',
  'TP-Link', 'Netgear', 'Ubiquiti', 'MikroTik', 'ASUS', 'Linksys', 'AVM', 'ZyXEL', 'D-Link', 'DrayTek', 'Huawei', 'OpenWrt',
  'HP', 'Epson', 'Brother', 'Canon', 'Kyocera', 'Lexmark', 'Xerox', 'Ricoh',
  'Philips', 'Hubitat', 'SmartThings', 'Home Assistant',
  'Synology', 'QNAP', 'Western Digital', 'TrueNAS',
  'Shelly', 'Sonoff', 'Tasmota', 'Belkin', 'Tuya',
  'Roku', 'Samsung', 'LG', 'Sony', 'Google', 'Amazon', 'Apple',
  'Sonos', 'Bose',
];
