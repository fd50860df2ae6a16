// OpenWrt LuCI (web-logins.json "openwrt-luci"): / refreshes to /cgi-bin/luci/, which answers 403 with the
// login form; POST luci_username/luci_password → 302 + sysauth_http cookie, or 403 with the form again.
import { escapeHtml, form, token } from '../server.mjs';

export function loginPage(user, failed) {
  return `<!DOCTYPE html><html lang="en"><head><title>OpenWrt - LuCI</title></head><body><form method="post" action="/cgi-bin/luci/">${failed ? '<div class="alert-message error">Invalid username and/or password! Please try again.</div>' : ''}<input name="luci_username" type="text" value="${escapeHtml(user)}"><input name="luci_password" type="password"><button class="btn cbi-button-positive">Log in</button></form></body></html>`;
}

/** The LuCI exchange with a pluggable verdict (fail-open reuses it). */
export function luciHandle(c, decide) {
  if (c.path === '/') return c.send(200, {}, '<html><head><meta http-equiv="refresh" content="0; URL=cgi-bin/luci/" /></head><body><a href="cgi-bin/luci/">LuCI - Lua Configuration Interface</a></body></html>');
  if (c.path !== '/cgi-bin/luci/' && c.path !== '/cgi-bin/luci') return false;
  if (c.method !== 'POST') return c.send(403, {}, loginPage('root', false));
  const f = form(c.body);
  const user = f.get('luci_username') ?? '';
  const verdict = decide(user, f.get('luci_password') ?? '');
  if (verdict === 'ok') return c.send(302, { Location: '/cgi-bin/luci/', 'Set-Cookie': `sysauth_http=${token(16)}; path=/cgi-bin/luci/; SameSite=Strict; HttpOnly` }, '');
  if (verdict === 'locked') return c.send(429, { 'Retry-After': '300' }, 'Too many login attempts');
  return c.send(403, {}, loginPage(user, true));
}

export default {
  id: 'openwrt-luci', username: 'root', password: '', server: 'uhttpd',
  handle(c) { return luciHandle(c, (user, pw) => c.judge(user, user === c.creds.username && pw === c.creds.password)); },
};
