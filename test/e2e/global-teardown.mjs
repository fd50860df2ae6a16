// Tears the device lab down after the e2e project, whether its tests passed or failed — unless it was
// already up before the run (someone else's) or IOTCOP_KEEP_LAB=1.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function teardown() {
  if (process.env.IOTCOP_KEEP_LAB === '1' || process.env.IOTCOP_LAB_WAS_UP === '1') return;
  const lab = fileURLToPath(new URL('../../lab/lab', import.meta.url));
  execFileSync('bash', [lab, 'down'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 180_000 });
}
