// Pi-hole v6 API login (web-logins.json "pi-hole-v6"): password only; POST /api/auth → session.valid.
// Pi-hole has no factory password (a random one is printed at install): the fake's is a weak owner choice.
import { jsonBody, token } from '../server.mjs';

export default {
  id: 'pi-hole-v6', username: '', password: 'admin', server: 'pihole-FTL',
  handle(c) {
    if (c.path === '/') return c.send(302, { Location: '/admin/' }, '');
    if (c.path === '/admin/' || c.path === '/admin') return c.send(302, { Location: '/admin/login' }, '');
    if (c.path === '/admin/login') return c.send(200, {}, '<!doctype html><html><head><title>Pi-hole - pi.hole</title></head><body class="hold-transition login-page"><form id="loginform"><input type="password" id="current-password" name="pw"></form><script src="/admin/scripts/js/login.js"></script></body></html>');
    if (c.path !== '/api/auth' || c.method !== 'POST') return false;
    const b = jsonBody(c.body) ?? {};
    const verdict = c.judge('(password only)', b.password === c.creds.password);
    if (verdict === 'ok') return c.json(200, { session: { valid: true, totp: false, sid: token(12), csrf: token(12), validity: 1800, message: 'password correct' }, took: 0.01 });
    if (verdict === 'locked') return c.json(429, { error: { key: 'rate_limiting', message: 'Rate-limiting login attempts', hint: null }, took: 0 });
    return c.json(401, { session: { valid: false, totp: false, sid: null, validity: -1, message: 'password incorrect' }, took: 0.01 });
  },
};
