// HTTP Basic helpers shared by the web traps.

/** Decoded Basic credentials from an Authorization header, or null when there are none. */
export function basicCredentials(header) {
  const m = /^Basic\s+([A-Za-z0-9+/=]{1,1024})$/i.exec(header ?? '');
  if (!m) return null;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}
