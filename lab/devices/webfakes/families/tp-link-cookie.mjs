// Legacy TP-Link router login (web-logins.json "tp-link-cookie"): the page script sets
// Authorization=escape("Basic " + base64(user:md5(password))) and loads /userRpm/LoginRpm.htm?Save=Save.
import { cookies, md5 } from '../server.mjs';

const PAGE = '<html><head><title>TL-WR841N</title></head><body><form id="loginBox"><input id="userName" type="text"><input id="pcPassword" type="password"></form><script>function PCSubWin(){var auth = "Basic "+Base64Encoding(admin+":"+hex_md5(password));document.cookie = "Authorization="+escape(auth)+";path=/";location.href="/userRpm/LoginRpm.htm?Save=Save";}</script></body></html>';

export default {
  id: 'tp-link-cookie', username: 'admin', password: 'admin', server: 'Router Webserver',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, PAGE);
    if (c.path !== '/userRpm/LoginRpm.htm') return false;
    const raw = decodeURIComponent(cookies(c.req).get('Authorization') ?? '');
    if (!raw.startsWith('Basic ')) return c.send(200, {}, PAGE);
    const dec = Buffer.from(raw.slice(6), 'base64').toString('utf8');
    const colon = dec.indexOf(':');
    const user = colon >= 0 ? dec.slice(0, colon) : dec;
    const verdict = c.judge(user, user === c.creds.username && dec.slice(colon + 1) === md5(c.creds.password));
    if (verdict === 'ok') return c.send(200, {}, `<html><body><script>window.parent.location.href = "http://${c.host.replace(/[^A-Za-z0-9.:[\]-]/g, '')}/QWERTYUIOPASDFGH/userRpm/Index.htm";</script></body></html>`);
    if (verdict === 'locked') return c.send(200, {}, '<html><body>You have exceeded 10 attempts, please try again after 2 hours.</body></html>');
    return c.send(200, {}, PAGE);
  },
};
