// A plausible login page of a vendor no recipe knows ("Acme SmartHub"): iotcop must say not_tested.
import { form } from '../server.mjs';

export default {
  id: 'unknown-login', username: 'owner', password: 'owner-password', server: 'acme-httpd/2.1',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>Acme SmartHub - Sign in</title></head><body><form method="post" action="/session/new"><input name="acct" type="text"><input name="secret" type="password"><button>Sign in</button></form></body></html>');
    if (c.path === '/session/new' && c.method === 'POST') {
      const f = form(c.body);
      const user = f.get('acct') ?? '';
      const v = c.judge(user, user === c.creds.username && f.get('secret') === c.creds.password);
      return v === 'ok' ? c.send(303, { Location: '/home', 'Set-Cookie': 'acme=1; HttpOnly' }, '') : c.send(200, {}, '<html><body>Wrong account or secret</body></html>');
    }
    return false;
  },
};
