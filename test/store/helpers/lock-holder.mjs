// A second process for the lock test: takes the run lock in DB (argv[2]) using the built store
// (dist/), prints "acquired PID" or "busy HOLDER_PID", then holds the lock until killed
// (or releases it at once with argv[3] === "release").
import { HistoryStore } from '../../../dist/store/db.js';
import { tryAcquireLock } from '../../../dist/store/lock.js';

const store = HistoryStore.open(process.argv[2]);
const got = tryAcquireLock(store, { heartbeatMs: 200 });
if (!got.acquired) {
  process.stdout.write(`busy ${got.holder.pid}\n`);
  store.close();
  process.exit(0);
}
process.stdout.write(`acquired ${process.pid}${got.tookOver ? ` took-over ${got.tookOver.why}` : ''}\n`);
if (process.argv[3] === 'release') {
  got.lock.release();
  store.close();
  process.exit(0);
}
setTimeout(() => {}, 3_600_000); // hold the lock until killed
