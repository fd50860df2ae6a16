// Synology DSM webapi login (web-logins.json "synology-dsm"): SYNO.API.Auth login; 400 wrong account or
// password, 407 blocked IP (Auto Block, default 10 failures in 5 minutes).
import { form, token } from '../server.mjs';

export default {
  id: 'synology-dsm', username: 'admin', password: '', lockAfter: 10, server: 'nginx',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html class="img-no"><head><title>DiskStation - Synology DiskStation</title><script>SYNO.SDS = {};</script><script src="/webman/sds.js"></script></head><body></body></html>');
    if (c.path !== '/webapi/auth.cgi') return false;
    const f = c.method === 'POST' ? form(c.body) : new Map(c.url.searchParams);
    if (f.get('api') !== 'SYNO.API.Auth' || f.get('method') !== 'login') return c.json(200, { error: { code: 101 }, success: false });
    const user = f.get('account') ?? '';
    const verdict = c.judge(user, user === c.creds.username && (f.get('passwd') ?? '') === c.creds.password);
    if (verdict === 'ok') return c.json(200, { data: { did: token(8), is_portal_port: false, sid: token(20) }, success: true });
    if (verdict === 'locked') return c.json(200, { error: { code: 407 }, success: false });
    return c.json(200, { error: { code: 400 }, success: false });
  },
};
