// Hikvision ISAPI session login (web-logins.json "hikvision-isapi"): capabilities (sessionID, challenge,
// iterations, isIrreversible, salt), then SessionLogin XML with the iterated sha256; 401 userCheck answers
// with lockStatus / unlockTime / retryLoginTime; "Illegal Login Lock" after 5 failures.
import { sha256, token } from '../server.mjs';

const tag = (xml, name) => new RegExp(`<${name}>([^<]{0,256})</${name}>`).exec(xml)?.[1];

export default {
  id: 'hikvision-isapi', username: 'admin', password: '12345', lockAfter: 5, server: 'App-webs/',
  handle(c) {
    if (c.path === '/') return c.send(302, { Location: '/doc/page/login.asp?_1600000000000' }, '');
    if (c.path === '/doc/page/login.asp') {
      return c.send(200, {}, '<!DOCTYPE html><html><head><title></title><script src="../../webComponents/webVideoCtrl.js"></script><script src="../script/login.js"></script></head><body><div id="login"><input id="username" type="text"><input id="password" type="password"></div></body></html>');
    }
    if (c.path === '/ISAPI/Security/sessionLogin/capabilities') {
      const user = c.url.searchParams.get('username') ?? '';
      const s = { sessionID: token(32), challenge: token(16), iterations: 100, salt: token(32), user };
      if (c.state.sessions.size > 200) c.state.sessions.clear();
      c.state.sessions.set(s.sessionID, s);
      return c.send(200, { 'Content-Type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<SessionLoginCap version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema"><sessionID>${s.sessionID}</sessionID><challenge>${s.challenge}</challenge><iterations>${s.iterations}</iterations><isIrreversible>true</isIrreversible><salt>${s.salt}</salt><sessionIDVersion>2</sessionIDVersion></SessionLoginCap>`);
    }
    if (c.path === '/ISAPI/Security/sessionLogin' && c.method === 'POST') {
      const user = tag(c.body, 'userName') ?? '';
      const s = c.state.sessions.get(tag(c.body, 'sessionID') ?? '');
      if (s) c.state.sessions.delete(s.sessionID);
      let expected = null;
      if (s && user === c.creds.username) {
        let h = sha256(sha256(`${user}${s.salt}${c.creds.password}`) + s.challenge);
        for (let i = 2; i < s.iterations; i++) h = sha256(h);
        expected = h;
      }
      const verdict = c.judge(user, expected !== null && tag(c.body, 'password') === expected);
      if (verdict === 'ok') {
        return c.send(200, { 'Content-Type': 'application/xml', 'Set-Cookie': `WebSession_${token(5)}=${token(32)}; path=/; HttpOnly` }, '<?xml version="1.0" encoding="UTF-8"?>\n<SessionLogin><statusValue>200</statusValue><statusString>OK</statusString><isActivated>true</isActivated><sessionID></sessionID></SessionLogin>');
      }
      const locked = verdict === 'locked';
      const retry = Math.max(0, c.lockAfter - c.state.failures);
      return c.send(401, { 'Content-Type': 'application/xml' }, `<?xml version="1.0" encoding="UTF-8"?>\n<userCheck><statusValue>401</statusValue><statusString>Unauthorized</statusString><isDefaultPassword>false</isDefaultPassword><isRiskPassword>false</isRiskPassword><isActivated>true</isActivated><lockStatus>${locked ? 'lock' : 'unlock'}</lockStatus><unlockTime>${locked ? 1800 : 0}</unlockTime><retryLoginTime>${locked ? 0 : Number.isFinite(retry) ? retry : 5}</retryLoginTime></userCheck>`);
    }
    return false;
  },
};
