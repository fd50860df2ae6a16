// Host keys for ssh2 test servers. ssh2's utils.generateKeyPairSync('ed25519') strips leading zero
// bytes from the public key, so about one key in 256 is one its own parseKey (and so ssh2.Server)
// rejects as "Malformed OpenSSH private/public key" (mscdex/ssh2#1390, #1513). CI failed on one.
// Generate until both halves parse: the test then fails only for a reason of its own.
import ssh2 from 'ssh2';

type KeyType = 'ed25519' | 'rsa';

export function sshKeyPair(type: KeyType = 'ed25519', bits = 2048): ReturnType<typeof ssh2.utils.generateKeyPairSync> {
  for (let i = 0; i < 16; i++) {
    const pair = type === 'rsa' ? ssh2.utils.generateKeyPairSync('rsa', { bits }) : ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
  throw new Error(`ssh2 generated 16 ${type} keys in a row that it cannot parse`);
}
