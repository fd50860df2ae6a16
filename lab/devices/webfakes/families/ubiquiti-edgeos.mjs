// EdgeOS (web-logins.json "ubiquiti-edgeos"): POST / username+password → 303 with beaker.session.id, or the form again.
import { form, token } from '../server.mjs';

const PAGE = (err) => `<!DOCTYPE html><html><head><title>EdgeOS</title></head><body>${err ? '<div class="error">The username or password you entered is incorrect</div>' : ''}<form method="post" action="/"><input name="username"><input type="password" name="password"></form></body></html>`;

export default {
  id: 'ubiquiti-edgeos', username: 'ubnt', password: 'ubnt', server: 'Server',
  handle(c) {
    if (c.path !== '/') return false;
    if (c.method !== 'POST') return c.send(200, {}, PAGE(false));
    const f = form(c.body);
    const user = f.get('username') ?? '';
    const verdict = c.judge(user, user === c.creds.username && f.get('password') === c.creds.password);
    if (verdict === 'ok') return c.send(303, { Location: '/', 'Set-Cookie': [`beaker.session.id=${token(16)}; httponly; Path=/`, `PHPSESSID=${token(13)}; path=/`] }, '');
    if (verdict === 'locked') return c.send(403, {}, 'Too many failed login attempts. Try again later.');
    return c.send(200, {}, PAGE(true));
  },
};
