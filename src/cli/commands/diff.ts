/**
 * `iotcop diff [OLD] [NEW]`: what changed between two runs. Each side is a stored run (id, prefix,
 * #N, last, last~N) or a saved JSON result file. No argument: the newest run against the previous
 * run of the same targets; one argument: that run against the newest.
 */
import { EXIT, UsageError } from '../../errors.js';
import type { Severity } from '../../model.js';
import { dbPathOf, loadRunRef, openStore, previousRunOf, type LoadedRun } from './history.js';
import { useColor } from '../color.js';

import type { DiffArgs } from './options.js';


export async function runDiffCommand(args: DiffArgs): Promise<number> {
  const path = dbPathOf(args.db);
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  const getStore = async () => (store ??= await openStore(path, true));
  try {
    let newer: LoadedRun;
    let older: LoadedRun;
    if (args.new !== undefined) {
      newer = await loadRunRef(args.new, getStore);
    } else {
      newer = await loadRunRef('last', getStore);
    }
    if (args.old !== undefined) {
      older = await loadRunRef(args.old, getStore);
    } else {
      const { scopeKey } = await import('../../store/db.js');
      const s = await getStore();
      const before = newer.row ? s.latestOfScope(scopeKey(newer.result), newer.row.seq) : undefined;
      const prev = before ? { result: s.loadResult(before), label: `run #${before.seq}`, row: before } : previousRunOf(s, newer.result, scopeKey);
      if (!prev) throw new UsageError(`no earlier run of the same targets (${newer.result.run.targets.join(' ') || 'import'}) in ${path}: name the two runs (iotcop history lists them)`);
      older = prev;
    }
    if (older.result.run.id === newer.result.run.id) throw new UsageError('OLD and NEW are the same run');
    const { diffResults, newFailuresAtOrAbove } = await import('../../store/diff.js');
    const diff = diffResults(older.result, newer.result);
    if (args.json) {
      process.stdout.write(`${JSON.stringify(diff, null, 2)}\n`);
    } else {
      const { renderDiffText } = await import('../../store/diff-text.js');
      process.stdout.write(renderDiffText(diff, { color: useColor(process.stdout) }));
    }
    const failOn = (args.failOn ?? 'never') as Severity | 'never';
    return newFailuresAtOrAbove(diff, failOn).length > 0 ? EXIT.findings : EXIT.ok;
  } finally {
    store?.close();
  }
}
