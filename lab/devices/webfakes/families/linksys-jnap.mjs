// Linksys Smart Wi-Fi JNAP (web-logins.json "linksys-jnap"): POST /JNAP/ CheckAdminPassword with
// X-JNAP-Authorization: Basic base64(admin:password).
export default {
  id: 'linksys-jnap', username: 'admin', password: 'admin', server: 'lighttpd',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>Linksys Smart Wi-Fi</title><script src="/ui/dynamic/jnap.js">/* /JNAP/ */</script></head><body><input type="password" id="adminPass"></body></html>');
    if (c.path !== '/JNAP/' || c.method !== 'POST') return false;
    if (c.req.headers['x-jnap-action'] !== 'http://linksys.com/jnap/core/CheckAdminPassword') return c.json(200, { result: 'ErrorUnknownAction' });
    const raw = String(c.req.headers['x-jnap-authorization'] ?? '');
    const dec = raw.startsWith('Basic ') ? Buffer.from(raw.slice(6), 'base64').toString('utf8') : '';
    const colon = dec.indexOf(':');
    const user = colon >= 0 ? dec.slice(0, colon) : '';
    const verdict = c.judge(user, user === c.creds.username && dec.slice(colon + 1) === c.creds.password);
    if (verdict === 'ok') return c.json(200, { result: 'OK' });
    if (verdict === 'locked') return c.json(429, { result: '_ErrorTooManyAttempts' });
    return c.json(200, { result: '_ErrorUnauthorized' });
  },
};
