// QNAP QTS authLogin.cgi (web-logins.json "qnap-qts"): pwd is base64 of the password; XML authPassed 1/0.
import { form, token } from '../server.mjs';

export default {
  id: 'qnap-qts', username: 'admin', password: 'admin', server: 'http server 1.0',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>QTS</title></head><body><script>var loginUrl = "/cgi-bin/authLogin.cgi";</script><div>QNAP Turbo NAS</div></body></html>');
    if (c.path !== '/cgi-bin/authLogin.cgi' || c.method !== 'POST') return false;
    const f = form(c.body);
    const user = f.get('user') ?? '';
    const pwd = Buffer.from(f.get('pwd') ?? '', 'base64').toString('utf8');
    const verdict = c.judge(user, user === c.creds.username && pwd === c.creds.password);
    const ok = verdict === 'ok';
    return c.send(verdict === 'locked' ? 403 : 200, { 'Content-Type': 'text/xml' }, `<?xml version="1.0" encoding="UTF-8" ?>\n<QDocRoot version="1.0"><doQuick><![CDATA[]]></doQuick><authPassed><![CDATA[${ok ? 1 : 0}]]></authPassed>${ok ? `<authSid><![CDATA[${token(8)}]]></authSid>` : ''}${verdict === 'locked' ? '<errorValue><![CDATA[-2]]></errorValue><lockedMsg>Your IP address is blocked: too many failed logins</lockedMsg>' : ''}</QDocRoot>`);
  },
};
