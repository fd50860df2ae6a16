// Reolink JSON API login (web-logins.json "reolink-json"): POST /cgi-bin/api.cgi?cmd=Login&token=null.
import { jsonBody, token } from '../server.mjs';

export default {
  id: 'reolink-json', username: 'admin', password: '', server: 'nginx',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>Reolink</title></head><body><div id="app"></div><script src="/js/app.js"></script></body></html>');
    if (c.path !== '/cgi-bin/api.cgi' || c.method !== 'POST' || c.url.searchParams.get('cmd') !== 'Login') return false;
    const body = jsonBody(c.body);
    const u = Array.isArray(body) ? body[0]?.param?.User : undefined;
    const user = String(u?.userName ?? '');
    const verdict = c.judge(user, user === c.creds.username && u?.password === c.creds.password);
    if (verdict === 'ok') return c.json(200, [{ cmd: 'Login', code: 0, value: { Token: { leaseTime: 3600, name: token(8) } } }]);
    if (verdict === 'locked') return c.json(200, [{ cmd: 'Login', code: 1, error: { detail: 'login locked', rspCode: -31 } }]);
    return c.json(200, [{ cmd: 'Login', code: 1, error: { detail: 'login failed', rspCode: -7 } }]);
  },
};
