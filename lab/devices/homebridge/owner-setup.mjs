// The Homebridge owner's first start, done once into lab/run/homebridge/storage (never touching the
// machine's ~/.homebridge):
// - config.json as `hb-service install` writes it (a bridge block and the "config" platform of
//   homebridge-config-ui-x on port 8581);
// - auth.json with the one administrator the owner created in the UI's first-run setup wizard,
//   admin / admin. homebridge-config-ui-x >= 4.44.0 (2022-05-13, CHANGELOG: "Added a first time setup
//   wizard") no longer creates admin/admin by itself; before that it did, and its own log still tells
//   users to delete auth.json to "reset to the default of admin/admin". The record has exactly the form
//   AuthService.addUser writes (dist/core/auth/auth.service.js): pbkdf2-sha512, 1000 rounds, 64 bytes,
//   a 32-byte random hex salt.
//
//   node lab/devices/homebridge/owner-setup.mjs --storage DIR
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { storage: { type: 'string' } } });
if (!values.storage) throw new Error('usage: owner-setup.mjs --storage DIR');
const dir = values.storage;
mkdirSync(dir, { recursive: true });

const config = join(dir, 'config.json');
if (!existsSync(config)) {
  writeFileSync(config, `${JSON.stringify({
    bridge: { name: 'Homebridge 5B0E', username: '0E:5B:0E:17:A2:3C', port: 51826, pin: '031-45-154', advertiser: 'ciao' },
    accessories: [],
    platforms: [{ name: 'Config', port: 8581, platform: 'config' }],
  }, null, 4)}\n`);
}

const auth = join(dir, 'auth.json');
if (!existsSync(auth)) {
  const salt = randomBytes(32).toString('hex');
  const hashedPassword = pbkdf2Sync('admin', salt, 1000, 64, 'sha512').toString('hex');
  writeFileSync(auth, `${JSON.stringify([{ id: 1, username: 'admin', name: 'Administrator', hashedPassword, salt, admin: true }], null, 4)}\n`, { mode: 0o600 });
}
