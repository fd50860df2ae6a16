// Home Assistant login flow (web-logins.json "home-assistant"): POST /auth/login_flow → flow_id; POST
// /auth/login_flow/<flow_id> → create_entry, or form with errors.base invalid_auth. Home Assistant has no
// factory password: the fake's password is a weak owner choice from the generic list.
import { jsonBody, token } from '../server.mjs';

export default {
  id: 'home-assistant', username: 'admin', password: 'admin',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>Home Assistant</title><link rel="manifest" href="/manifest.json"></head><body><home-assistant></home-assistant><script type="module" src="/frontend_latest/app.js"></script></body></html>');
    if (c.path === '/auth/login_flow' && c.method === 'POST') {
      const b = jsonBody(c.body) ?? {};
      if (!Array.isArray(b.handler) || typeof b.client_id !== 'string') return c.json(400, { message: 'Invalid request' });
      const id = token(16);
      if (c.state.sessions.size > 200) c.state.sessions.clear();
      c.state.sessions.set(id, b.client_id);
      return c.json(200, { type: 'form', flow_id: id, handler: ['homeassistant', null], step_id: 'init', data_schema: [{ type: 'string', name: 'username', required: true }, { type: 'string', name: 'password', required: true }], errors: {}, description_placeholders: null, last_step: null });
    }
    const m = /^\/auth\/login_flow\/([0-9a-f]{32})$/.exec(c.path);
    if (m && c.method === 'POST') {
      if (!c.state.sessions.has(m[1])) return c.json(404, { message: 'Invalid flow specified' });
      const b = jsonBody(c.body) ?? {};
      const user = String(b.username ?? '');
      const verdict = c.judge(user, user === c.creds.username && b.password === c.creds.password);
      if (verdict === 'ok') { c.state.sessions.delete(m[1]); return c.json(200, { type: 'create_entry', flow_id: m[1], handler: ['homeassistant', null], result: token(16), version: 1 }); }
      if (verdict === 'locked') return c.send(403, { 'Content-Type': 'text/plain' }, 'Forbidden: too many login attempts, IP banned');
      return c.json(200, { type: 'form', flow_id: m[1], handler: ['homeassistant', null], step_id: 'init', errors: { base: 'invalid_auth' } });
    }
    return false;
  },
};
