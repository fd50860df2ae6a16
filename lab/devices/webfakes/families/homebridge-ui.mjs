// homebridge-config-ui-x (web-logins.json "homebridge-ui"): POST /api/auth/login JSON → 201 access_token / 403.
import { jsonBody, token } from '../server.mjs';

export default {
  id: 'homebridge-ui', username: 'admin', password: 'admin',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Homebridge</title><base href="/"></head><body><app-root></app-root><script src="main.js" type="module"></script></body></html>');
    if (c.path !== '/api/auth/login' || c.method !== 'POST') return false;
    const b = jsonBody(c.body) ?? {};
    const user = String(b.username ?? '');
    const verdict = c.judge(user, user === c.creds.username && b.password === c.creds.password);
    if (verdict === 'ok') return c.json(201, { access_token: token(24), token_type: 'Bearer', expires_in: 28800 });
    if (verdict === 'locked') return c.json(429, { statusCode: 429, message: 'ThrottlerException: Too Many Requests' });
    return c.json(403, { message: 'Invalid username or password', error: 'Forbidden', statusCode: 403 });
  },
};
