/**
 * Banner grab: connect, send nothing, read what the service volunteers (capped, short deadline).
 * Also tells whether the service negotiates telnet options (IAC WILL/WONT/DO/DONT), so nmap's version
 * detection can be kept away from it whatever the port number.
 */
import { bytesToText, cap, MAX_BANNER_CHARS } from '../text.js';
import { exchange } from './socket.js';

export const BANNER_MAX_BYTES = 2048;

export interface BannerResult {
  port: number;
  connected: boolean;
  /** Printable text of the banner with telnet negotiation removed (capped). */
  text?: string;
  telnet: boolean;
}

/** True when the bytes contain a telnet option negotiation (IAC followed by WILL/WONT/DO/DONT). */
export function looksLikeTelnet(data: Buffer): boolean {
  for (let i = 0; i + 1 < data.length; i++) {
    if (data[i] === 0xff && data[i + 1]! >= 0xfb && data[i + 1]! <= 0xfe) return true;
  }
  return false;
}

/** Removes telnet IAC sequences (commands and subnegotiations). */
export function stripTelnet(data: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b !== 0xff) { out.push(b); continue; }
    const cmd = data[i + 1];
    if (cmd === undefined) break;
    if (cmd === 0xff) { out.push(0xff); i++; continue; }
    if (cmd >= 0xfb && cmd <= 0xfe) { i += 2; continue; }
    if (cmd === 0xfa) {
      let j = i + 2;
      while (j + 1 < data.length && !(data[j] === 0xff && data[j + 1] === 0xf0)) j++;
      i = j + 1;
      continue;
    }
    i++;
  }
  return Buffer.from(out);
}

export async function grabBanner(host: string, port: number, timeoutMs: number, signal?: AbortSignal): Promise<BannerResult> {
  const r = await exchange({
    host, port, maxBytes: BANNER_MAX_BYTES, timeoutMs, signal,
    // A line ending after some text is enough for SSH/FTP/SMTP-style greetings.
    until: (b) => b.length > 8 && b.includes(0x0a) && !looksLikeTelnet(b) && /\n\s*$/.test(b.toString('latin1')),
  });
  const telnet = looksLikeTelnet(r.data);
  const result: BannerResult = { port, connected: r.connected, telnet };
  const text = cap(bytesToText(telnet ? stripTelnet(r.data) : r.data), MAX_BANNER_CHARS);
  if (text) result.text = text;
  return result;
}
