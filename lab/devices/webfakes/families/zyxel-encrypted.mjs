// Zyxel VMG web GUI whose login body is RSA/AES-encrypted (web-logins.json "zyxel-encrypted"): recognised,
// not supported yet. The fake serves the page and the public-key endpoint; it never accepts a login.
export default {
  id: 'zyxel-encrypted', username: 'admin', password: '1234', server: 'Zyxel httpd',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<!DOCTYPE html><html><head><title>VMG8825-T50</title><script>var url = "/getRSAPublickKey"; /* then POST /UserLogin */</script></head><body><input type="password" id="userpassword"></body></html>');
    if (c.path === '/getRSAPublickKey') return c.json(200, { result: 'ZCFG_SUCCESS', RSAPublicKey: '-----BEGIN PUBLIC KEY-----\nMFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL\n-----END PUBLIC KEY-----' });
    if (c.path === '/UserLogin' && c.method === 'POST') { c.judge('(encrypted)', false); return c.json(200, { result: 'Invalid Username or Password' }); }
    return false;
  },
};
