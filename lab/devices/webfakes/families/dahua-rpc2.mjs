// Dahua RPC2 web login (web-logins.json "dahua-rpc2"): the first global.login (empty password) answers
// error 268632079 "login challenge" with realm, random and a session; the second carries
// md5(user:random:md5(user:realm:password)) in upper case. 268632085 wrong password, 268632081 locked.
import { md5, token } from '../server.mjs';

export function dahuaFamily(id, title, realmPrefix) {
  return {
    // Locked for 30 minutes after 5 wrong passwords (its own answer says remainLockSecond: 1800).
    id, username: 'admin', password: 'admin', lockAfter: 5, lockSeconds: 1800, server: 'Webs',
    handle(c) {
      if (c.path === '/') {
        return c.send(200, {}, `<!DOCTYPE html><html><head><title>${title}</title><script src="/baseProj/lib/jsBase.js"></script></head><body><div id="login"><input type="text" id="login_user"><input type="password" id="login_psw"></div><script>/* RPC2_Login */</script></body></html>`);
      }
      if (c.path !== '/RPC2_Login' || c.method !== 'POST') return false;
      let msg;
      try { msg = JSON.parse(c.body); } catch { return c.json(200, { error: { code: 268894209, message: 'Request invalid' }, id: 0, result: false }); }
      const p = msg?.params ?? {};
      const user = String(p.userName ?? '');
      const session = typeof msg.session === 'string' ? msg.session : '';
      const pending = c.state.sessions.get(session);
      if (!pending) {
        if (c.state.failures >= c.lockAfter) { c.judge(user, false); return c.json(200, { error: { code: 268632081, message: 'User has been locked' }, id: msg.id ?? 1, params: { remainLockSecond: 1800 }, result: false, session: 0 }); }
        const s = { session: token(16), random: String(Math.floor(Math.random() * 1e9)), realm: `${realmPrefix}${token(6).toUpperCase()}` };
        if (c.state.sessions.size > 200) c.state.sessions.clear();
        c.state.sessions.set(s.session, s);
        return c.json(200, { error: { code: 268632079, message: 'Component error: login challenge!' }, id: msg.id ?? 1, params: { authorization: token(20), encryption: 'Default', mac: '3CEF8C000000', random: s.random, realm: s.realm }, result: false, session: s.session });
      }
      c.state.sessions.delete(session);
      const ha1 = md5(`${c.creds.username}:${pending.realm}:${c.creds.password}`).toUpperCase();
      const ok = user === c.creds.username && p.password === md5(`${user}:${pending.random}:${ha1}`).toUpperCase();
      const verdict = c.judge(user, ok);
      if (verdict === 'ok') return c.json(200, { id: msg.id ?? 2, params: { keepAliveInterval: 60 }, result: true, session: pending.session });
      if (verdict === 'locked') return c.json(200, { error: { code: 268632081, message: 'User has been locked' }, id: msg.id ?? 2, params: { remainLockSecond: 1800 }, result: false, session: 0 });
      return c.json(200, { error: { code: 268632085, message: 'UserNotValidt or PasswordNotValid' }, id: msg.id ?? 2, params: { remainLockTimes: Math.max(0, c.lockAfter - c.state.failures) }, result: false, session: 0 });
    },
  };
}

export default dahuaFamily('dahua-rpc2', 'WEB SERVICE', 'Login to ');
