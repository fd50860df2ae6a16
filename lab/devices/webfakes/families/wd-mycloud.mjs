// WD My Cloud (web-logins.json "wd-mycloud"): POST /cgi-bin/login_mgr.cgi cmd=wd_login, pwd base64; <res>1|0</res>.
import { form } from '../server.mjs';

export default {
  id: 'wd-mycloud', username: 'admin', password: '', server: 'Apache',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>WD My Cloud</title><script src="/web/function/login.js">/* login_mgr.cgi */</script></head><body><input id="pw" type="password"></body></html>');
    if (c.path !== '/cgi-bin/login_mgr.cgi' || c.method !== 'POST') return false;
    const f = form(c.body);
    if (f.get('cmd') !== 'wd_login') return c.send(400, {}, 'bad cmd');
    const user = f.get('username') ?? '';
    const verdict = c.judge(user, user === c.creds.username && Buffer.from(f.get('pwd') ?? '', 'base64').toString('utf8') === c.creds.password);
    if (verdict === 'locked') return c.send(403, { 'Content-Type': 'text/xml' }, '<config><res>0</res><msg>Too many failed login attempts</msg></config>');
    return c.send(200, { 'Content-Type': 'text/xml' }, `<config><logd_eula>1</logd_eula><res>${verdict === 'ok' ? 1 : 0}</res></config>`);
  },
};
