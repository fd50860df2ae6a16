/** Caps for device-supplied strings before they enter the result model (HOSTILE.md). */
export const MAX_FIELD_CHARS = 200;
export const MAX_BANNER_CHARS = 1024;
export const MAX_SCRIPT_OUTPUT_CHARS = 8192;

/** Cuts a device-supplied string to `max` characters (never splitting a surrogate pair); trims whitespace. */
export function cap(value: string | undefined | null, max = MAX_FIELD_CHARS): string | undefined {
  if (value === undefined || value === null) return undefined;
  let s = String(value);
  if (s.length > max * 4) s = s.slice(0, max * 4);
  s = s.trim();
  if (s.length === 0) return undefined;
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

/** Decodes bytes from a device as text: UTF-8 when valid, else Latin-1 (so every byte stays visible). */
export function bytesToText(buf: Buffer): string {
  const utf8 = buf.toString('utf8');
  return utf8.includes('\uFFFD') ? buf.toString('latin1') : utf8;
}
