// Foscam CGIProxy (web-logins.json "foscam-cgi"): credentials in the query; <CGI_Result><result> 0 ok,
// -2 user name or password error, -3 access deny.
export default {
  id: 'foscam-cgi', username: 'admin', password: '', server: 'lighttpd/1.4.35',
  handle(c) {
    if (c.path === '/') return c.send(200, {}, '<html><head><title>IPCam Client</title></head><body><script src="js/cgiproxy.js">/* CGIProxy.fcgi */</script><input type="password" id="passwd"></body></html>');
    if (c.path !== '/cgi-bin/CGIProxy.fcgi') return false;
    const q = c.url.searchParams;
    const user = q.get('usr') ?? '';
    const verdict = c.judge(user, user === c.creds.username && (q.get('pwd') ?? '') === c.creds.password);
    const result = verdict === 'ok' ? 0 : verdict === 'locked' ? -3 : -2;
    return c.send(200, { 'Content-Type': 'text/xml' }, `<CGI_Result>\n    <result>${result}</result>\n${result === 0 ? '    <IOAlarm>0</IOAlarm>\n    <motionDetectAlarm>0</motionDetectAlarm>\n' : ''}</CGI_Result>`);
  },
};
