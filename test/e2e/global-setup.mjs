// Brings the device lab up once for the whole e2e project (lab up is idempotent). Needs root.
// Remembers whether the lab was already up, so the teardown leaves a lab it did not start.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const lab = fileURLToPath(new URL('../../lab/lab', import.meta.url));
  let wasUp = false;
  try {
    wasUp = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').some((l) => l.startsWith('iotcop-lan'));
  } catch {
    // no iproute2: lab up below says what is missing
  }
  process.env.IOTCOP_LAB_WAS_UP = wasUp ? '1' : '0';
  // A crashed earlier run may have left the opt-in hostile set up: the main lab tests expect it gone.
  try { execFileSync('bash', [lab, 'hostile', 'down'], { stdio: 'ignore', timeout: 120_000 }); } catch { /* not up */ }
  execFileSync('bash', [lab, 'up'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}
