// Loaded with `node --import` into the measured iotcop process (bench/bench.mjs): when the process
// exits, writes its own process.resourceUsage() (maxRSS in KiB: the kernel's exact peak resident set)
// to the file named by IOTCOP_BENCH_RUSAGE. Does nothing when the variable is not set.
import { writeFileSync } from 'node:fs';

const file = process.env.IOTCOP_BENCH_RUSAGE;
if (file) {
  process.on('exit', () => {
    try {
      writeFileSync(file, JSON.stringify({ pid: process.pid, ...process.resourceUsage() }));
    } catch {
      // the benchmark falls back to its /proc samples
    }
  });
}
