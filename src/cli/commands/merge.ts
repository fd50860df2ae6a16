/**
 * `iotcop merge FILE.json…`: combines the JSON results of shard runs (`scan --shard I/N`) into one
 * result, writes it in the requested formats, stores it in the history, and exits like a scan
 * (1 when a failed check is at or above --fail-on).
 */
import { randomUUID } from 'node:crypto';
import { EXIT, UsageError } from '../../errors.js';
import { exitCodeFor } from '../../report/exit-code.js';
import type { ScanResult, Severity } from '../../model.js';
import type { MergeArgs } from './options.js';
import { dbPathOf, errorLine, loadResultFile, openStore, webhookFromEnv } from './history.js';
import { emitResult, outputFormats } from './report.js';



export async function runMergeCommand(args: MergeArgs): Promise<number> {
  const formats = outputFormats(args.format, args.out);
  const files = (args.files ?? []).map(String);
  if (files.length === 0) throw new UsageError('name the shard results to merge');
  const results = files.map(loadResultFile);
  const { mergeResults } = await import('../../store/merge.js');
  const { result, notices } = mergeResults({ results, names: files, id: randomUUID() });
  const missing = result.run.merged && results.some((r) => r.run.shard) && result.run.merged.shards > results.length;
  if (missing && !args.allowMissing) {
    throw new UsageError(`${notices.find((n) => n.includes('missing')) ?? 'shards are missing'}; give every shard, or --allow-missing`);
  }
  for (const n of notices) if (!args.quiet) process.stderr.write(`iotcop: ${n}\n`);
  const hook: { webhook?: URL } = {};
  if (args.webhook !== undefined) hook.webhook = (await import('../webhook.js')).parseWebhookUrl(args.webhook);
  await webhookFromEnv(hook);
  await emitResult(result, { formats, out: args.out, json: args.json, quiet: args.quiet });
  let previous: ScanResult | null = null;
  if (args.history !== false) {
    try {
      const store = await openStore(dbPathOf(args.db));
      try {
        const { scopeKey } = await import('../../store/db.js');
        const before = store.latestOfScope(scopeKey(result), undefined, true);
        if (before) previous = store.loadResult(before);
        const row = store.saveRun(result);
        if (!args.quiet) process.stderr.write(`iotcop: merged run saved in the history as #${row.seq} (${store.path})\n`);
      } finally {
        store.close();
      }
    } catch (e) {
      errorLine(`${e instanceof Error ? e.message : String(e)}; the merged run was not saved (its reports were written)`);
    }
  }
  if (hook.webhook) {
    const { diffResults } = await import('../../store/diff.js');
    const { postWebhook, webhookPayload, describeOutcome } = await import('../webhook.js');
    const outcome = await postWebhook(hook.webhook, webhookPayload(result, args.history !== false ? diffResults(previous, result) : null));
    if (!outcome.ok) errorLine(describeOutcome(hook.webhook, outcome));
    else if (!args.quiet) process.stderr.write(`iotcop: ${describeOutcome(hook.webhook, outcome)}\n`);
  }
  const failOn = (args.failOn ?? result.run.options.failOn) as Severity | 'never';
  return exitCodeFor(result, failOn) === 1 ? EXIT.findings : EXIT.ok;
}
