// OctoPrint (web-logins.json "octoprint"): POST /api/login {"user","pass"} → 200 user record / 403.
// OctoPrint has no factory password (the setup wizard asks for one): the fake's is a weak owner choice.
import { jsonBody } from '../server.mjs';

export default {
  id: 'octoprint', username: 'admin', password: 'admin',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>OctoPrint Login</title><script src="/static/webassets/packed_login.js">/* octoprint */</script></head><body><input type="password" id="login-password"></body></html>');
    if (c.path !== '/api/login' || c.method !== 'POST') return false;
    const b = jsonBody(c.body) ?? {};
    const user = String(b.user ?? '');
    const verdict = c.judge(user, user === c.creds.username && b.pass === c.creds.password);
    if (verdict === 'ok') return c.json(200, { name: user, active: true, admin: true, groups: ['admins', 'users'] });
    if (verdict === 'locked') return c.json(429, { error: 'Too many requests' });
    return c.send(403, { 'Content-Type': 'text/html' }, '<!doctype html><title>403 Forbidden</title><h1>Forbidden</h1>');
  },
};
