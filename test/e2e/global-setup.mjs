// Brings the device lab up once for the whole e2e project (lab up is idempotent). Needs root.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup() {
  const lab = fileURLToPath(new URL('../../lab/lab', import.meta.url));
  execFileSync('bash', [lab, 'up'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
}
