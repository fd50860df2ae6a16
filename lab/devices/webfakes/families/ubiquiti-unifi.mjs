// UniFi Network controller (web-logins.json "ubiquiti-unifi"): POST /api/login JSON → meta.rc ok|error.
import { jsonBody, token } from '../server.mjs';

export default {
  id: 'ubiquiti-unifi', username: 'ubnt', password: 'ubnt',
  handle(c) {
    if (c.path === '/') return c.send(302, { Location: '/manage/account/login' }, '');
    if (c.path === '/manage/account/login') return c.send(200, {}, '<!DOCTYPE html><html><head><title>UniFi Network</title></head><body><div id="app"></div><script src="/manage/angular/app.js"></script></body></html>');
    if (c.path !== '/api/login' || c.method !== 'POST') return false;
    const b = jsonBody(c.body) ?? {};
    const user = String(b.username ?? '');
    const verdict = c.judge(user, user === c.creds.username && b.password === c.creds.password);
    if (verdict === 'ok') return c.json(200, { meta: { rc: 'ok' }, data: [] }, { 'Set-Cookie': `unifises=${token(16)}; Path=/; HttpOnly` });
    if (verdict === 'locked') return c.json(429, { meta: { rc: 'error', msg: 'api.err.LoginLocked: too many attempts' }, data: [] });
    return c.json(400, { meta: { rc: 'error', msg: 'api.err.Invalid' }, data: [] });
  },
};
