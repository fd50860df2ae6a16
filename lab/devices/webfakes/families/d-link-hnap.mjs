// D-Link HNAP1 login (web-logins.json "d-link-hnap"): Action=request → Challenge, Cookie, PublicKey;
// Action=login with LoginPassword = upper(hmac_md5(PrivateKey, Challenge)), PrivateKey =
// upper(hmac_md5(PublicKey + password, Challenge)); cookie uid; HNAP_AUTH header.
import { cookies, hmacMd5, token } from '../server.mjs';

const tag = (xml, name) => new RegExp(`<${name}>([^<]{0,256})</${name}>`).exec(xml)?.[1];
const soap = (inner) => `<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><LoginResponse xmlns="http://purenetworks.com/HNAP1/">${inner}</LoginResponse></soap:Body></soap:Envelope>`;

export default {
  id: 'd-link-hnap', username: 'admin', password: '', server: 'Linux, HTTP/1.1, DIR-868L Ver 1.12',
  handle(c) {
    if (c.path === '/') return c.send(302, { Location: '/info/Login.html' }, '');
    if (c.path === '/info/Login.html') return c.send(200, {}, '<html><head><title>D-LINK</title><script src="/js/hnap.js"></script><script src="/js/SOAP/SOAPAction.js">/* HNAP1 */</script></head><body><input type="password" id="admin_Password"></body></html>');
    if (c.path !== '/HNAP1/' || c.method !== 'POST') return false;
    const action = tag(c.body, 'Action');
    const user = tag(c.body, 'Username') ?? '';
    if (action === 'request') {
      const s = { challenge: token(10).toUpperCase(), uid: token(5), publicKey: token(10).toUpperCase() };
      if (c.state.sessions.size > 200) c.state.sessions.clear();
      c.state.sessions.set(s.uid, s);
      return c.send(200, { 'Content-Type': 'text/xml' }, soap(`<LoginResult>OK</LoginResult><Challenge>${s.challenge}</Challenge><Cookie>${s.uid}</Cookie><PublicKey>${s.publicKey}</PublicKey>`));
    }
    const s = c.state.sessions.get(cookies(c.req).get('uid') ?? '');
    if (s) c.state.sessions.delete(cookies(c.req).get('uid') ?? '');
    let ok = false;
    if (s && user === c.creds.username) {
      const priv = hmacMd5(s.publicKey + c.creds.password, s.challenge).toUpperCase();
      const auth = String(c.req.headers.hnap_auth ?? '').split(' ');
      const authOk = auth.length === 2 && auth[0] === hmacMd5(priv, `${auth[1]}"http://purenetworks.com/HNAP1/Login"`).toUpperCase();
      ok = authOk && tag(c.body, 'LoginPassword') === hmacMd5(priv, s.challenge).toUpperCase();
    }
    const verdict = c.judge(user, ok);
    if (verdict === 'locked') return c.send(403, { 'Content-Type': 'text/xml' }, soap('<LoginResult>failed</LoginResult><Message>Too many login attempts, locked</Message>'));
    return c.send(200, { 'Content-Type': 'text/xml' }, soap(`<LoginResult>${verdict === 'ok' ? 'success' : 'failed'}</LoginResult>`));
  },
};
