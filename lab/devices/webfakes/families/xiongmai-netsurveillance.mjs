// XiongMai NETSurveillance WEB (web-logins.json "xiongmai-netsurveillance"): POST /Login.htm
// command=login&username=&password=; "Log in failed!" on a wrong password.
import { form } from '../server.mjs';

export default {
  id: 'xiongmai-netsurveillance', username: 'admin', password: '', server: 'uc-httpd 1.0.0',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<html><head><title>NETSurveillance WEB</title></head><body><form action="Login.htm" method="post"><input type="hidden" name="command" value="login"><input name="username"><input name="password" type="password"></form></body></html>');
    if (c.path !== '/Login.htm' || c.method !== 'POST') return false;
    const f = form(c.body);
    const user = f.get('username') ?? '';
    const verdict = c.judge(user, f.get('command') === 'login' && user === c.creds.username && (f.get('password') ?? '') === c.creds.password);
    if (verdict === 'ok') return c.send(200, {}, `<html><head><script>document.cookie = "NetSuveillanceWebCookie=" + escape('{"username":"${user.replace(/[^A-Za-z0-9_]/g, '')}"}');</script></head><body><object classid="clsid:00000000"></object></body></html>`);
    if (verdict === 'locked') return c.send(200, {}, '<html><body><script>alert("Log in failed! The user is locked, try again later.");</script></body></html>');
    return c.send(200, {}, '<html><body><script>alert("Log in failed!");</script></body></html>');
  },
};
