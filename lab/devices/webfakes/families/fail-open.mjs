// A LuCI-like form login whose authentication fails open: it rejects wrong passwords for the first 3 login
// attempts, then accepts ANY password (a backend that times out to "allow"). A scanner must not report a
// default credential here (issue 15: confirmation after a success).
import { luciHandle } from './openwrt-luci.mjs';

export default {
  id: 'fail-open', username: 'root', password: 'a-long-owner-password-nobody-guesses', server: 'uhttpd',
  handle(c) {
    return luciHandle(c, (user, pw) => {
      const open = c.state.attemptsSeen >= 3;
      return c.judge(user, open || (user === c.creds.username && pw === c.creds.password));
    });
  },
};
