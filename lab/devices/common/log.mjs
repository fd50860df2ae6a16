// Tiny append-only JSON-lines logger shared by the lab's Node fakes.
import { appendFileSync } from 'node:fs';

export function makeLogger(file) {
  return (event, fields = {}) => {
    const line = JSON.stringify({ t: new Date().toISOString(), event, ...fields });
    if (file) appendFileSync(file, `${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
}

/** Address and port of the peer, for log lines. */
export function peer(sock) {
  return `${sock.remoteAddress}:${sock.remotePort}`;
}
