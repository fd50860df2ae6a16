// Node-RED with adminAuth (web-logins.json "node-red-admin"): GET /auth/login says the credentials scheme;
// POST /auth/token (client_id node-red-admin, grant_type password) returns an access_token or 401.
import { form, token } from '../server.mjs';

export default {
  id: 'node-red-admin', username: 'admin', password: 'password',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>Node-RED</title><link rel="stylesheet" href="red/style.min.css"></head><body spellcheck="false"><div id="red-ui-editor"></div><script src="red/red.min.js"></script></body></html>');
    if (c.path === '/auth/login') return c.json(200, { type: 'credentials', prompts: [{ id: 'username', type: 'text', label: 'user.username' }, { id: 'password', type: 'password', label: 'user.password' }] });
    if (c.path !== '/auth/token' || c.method !== 'POST') return false;
    const f = form(c.body);
    if (f.get('client_id') !== 'node-red-admin' || f.get('grant_type') !== 'password') return c.json(400, { error: 'invalid_request' });
    const user = f.get('username') ?? '';
    const verdict = c.judge(user, user === c.creds.username && f.get('password') === c.creds.password);
    if (verdict === 'ok') return c.json(200, { access_token: token(32), expires_in: 604800, token_type: 'Bearer' });
    if (verdict === 'locked') return c.json(429, { error: 'Too many login attempts' });
    return c.json(401, { error: 'unauthorized' });
  },
};
