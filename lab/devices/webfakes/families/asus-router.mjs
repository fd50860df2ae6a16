// ASUSWRT login (web-logins.json "asus-router"): POST /login.cgi login_authorization=base64(user:password),
// Referer Main_Login.asp; success sets asus_token; failure sends the browser back to Main_Login.asp.
import { form, token } from '../server.mjs';

export default {
  id: 'asus-router', username: 'admin', password: 'admin', server: 'httpd/2.0',
  handle(c) {
    if (c.path === '/') return c.send(302, { Location: '/Main_Login.asp' }, '');
    if (c.path === '/Main_Login.asp') return c.send(200, {}, '<!DOCTYPE html><html><head><title>ASUS Login</title></head><body><form name="form" method="post" action="login.cgi"><input name="login_username" type="text"><input name="login_passwd" type="password"><input type="hidden" name="login_authorization" value=""></form></body></html>');
    if (c.path !== '/login.cgi' || c.method !== 'POST') return false;
    if (!String(c.req.headers.referer ?? '').includes('Main_Login.asp')) return c.send(200, {}, '<script>top.location.href=\'/Main_Login.asp\';</script>');
    const raw = Buffer.from(form(c.body).get('login_authorization') ?? '', 'base64').toString('utf8');
    const colon = raw.indexOf(':');
    const user = colon >= 0 ? raw.slice(0, colon) : raw;
    const verdict = c.judge(user, colon >= 0 && user === c.creds.username && raw.slice(colon + 1) === c.creds.password);
    if (verdict === 'ok') return c.send(200, { 'Set-Cookie': `asus_token=${token(15)}; HttpOnly;` }, '<html><head><script>top.location.href=\'/index.asp\';</script></head></html>');
    if (verdict === 'locked') return c.send(200, {}, '<html><head><script>top.location.href=\'/Main_Login.asp?error_status=7\';</script></head><body>You have entered an incorrect username or password 5 times. Please try again after 60 seconds.</body></html>');
    return c.send(200, {}, '<html><head><script>top.location.href=\'/Main_Login.asp?error_status=3\';</script></head></html>');
  },
};
