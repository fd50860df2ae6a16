/** Hand-built SSH wire data for tests of ssh-configuration and its lib (RFC 4253). */

export function sshString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}

/** A KEXINIT payload with the given name-lists (kex, hostkey, enc c2s, enc s2c, mac c2s, mac s2c, comp, comp, lang, lang). */
export function kexInitPayload(lists: string[][]): Buffer {
  const all = [...lists];
  while (all.length < 10) all.push([]);
  return Buffer.concat([Buffer.from([20]), Buffer.alloc(16, 7), ...all.map((l) => sshString(l.join(','))), Buffer.from([0, 0, 0, 0, 0])]);
}

/** An unencrypted binary packet around `payload`. */
export function packet(payload: Buffer): Buffer {
  const padding = 8 - ((payload.length + 5) % 8) + 4;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(payload.length + padding + 1);
  return Buffer.concat([len, Buffer.from([padding]), payload, Buffer.alloc(padding)]);
}
