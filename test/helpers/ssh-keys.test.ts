import ssh2 from 'ssh2';
import { sshKeyPair } from './ssh-keys.js';

// About 1 in 256 raw ed25519 pairs from ssh2 fails its own parser; 1000 pairs would meet ~4 of them.
test('every generated host key is one ssh2 itself can load', () => {
  for (let i = 0; i < 1000; i++) {
    const pair = sshKeyPair('ed25519');
    expect(ssh2.utils.parseKey(pair.private)).not.toBeInstanceOf(Error);
    expect(ssh2.utils.parseKey(pair.public)).not.toBeInstanceOf(Error);
  }
});
