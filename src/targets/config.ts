/**
 * Reads and validates targets.yaml. Every error names the file, line and column; the first error wins so
 * the user gets one clear line. Device entries keep their line numbers (for SARIF locations).
 */
import { readFile, stat } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { SourceLocation } from '../model.js';
import { configSchema, type TargetsConfig } from './config-schema.js';
import { parseTarget, printable } from './spec.js';

export const MAX_CONFIG_BYTES = 1024 * 1024;

export interface LoadedConfig {
  file: string;
  config: TargetsConfig;
  /** Where each entry of `devices` starts, by index. */
  deviceLocations: SourceLocation[];
}

type PathKey = string | number;

function nodeAt(root: Node | null, path: readonly PathKey[]): { node: Node; keyNode?: Node } | null {
  let node: Node | null = root;
  let keyNode: Node | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) return node ? { node, keyNode } : null;
      keyNode = pair.key as Node;
      node = (pair.value as Node | null) ?? (pair.key as Node);
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (!item) return { node, keyNode };
      node = item;
      keyNode = undefined;
    } else {
      return node ? { node, keyNode } : null;
    }
  }
  return node ? { node, keyNode } : null;
}

function describePath(path: readonly PathKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('').replace(/^\./, '');
}

/** One line, whatever the file holds: control characters (newlines in odd keys…) shown as \xNN. */
function oneLine(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function issueMessage(issue: z.core.$ZodIssue): string {
  return oneLine(rawIssueMessage(issue));
}

function rawIssueMessage(issue: z.core.$ZodIssue): string {
  const where = describePath(issue.path as PathKey[]);
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    return `unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}${where ? ` in ${where}` : ''}`;
  }
  return `${where || 'document'}: ${issue.message}`;
}

/** Parses and validates the text of a targets file. Pure apart from the file name it is given. */
export function parseConfig(text: string, file: string): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const pos = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const first = doc.errors[0];
  if (first) {
    throw new ConfigError(file, `YAML syntax error: ${first.message.split('\n')[0]}`, pos(first.pos[0]));
  }
  // yaml throws a plain ReferenceError for an unresolved alias or an alias bomb: a config error, exit 2.
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new ConfigError(file, `YAML error: ${printable(e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e))}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    let path = issue.path as PathKey[];
    if (issue.code === 'unrecognized_keys') path = [...path, (issue as { keys: string[] }).keys[0]!];
    const found = nodeAt(doc.contents as Node | null, path);
    const range = (issue.code === 'unrecognized_keys' ? found?.keyNode ?? found?.node : found?.node)?.range;
    throw new ConfigError(file, issueMessage(issue), range ? pos(range[0]) : undefined);
  }
  const config = parsed.data;
  const deviceLocations: SourceLocation[] = [];
  (config.devices ?? []).forEach((d, i) => {
    const found = nodeAt(doc.contents as Node | null, ['devices', i]);
    const p = found?.node.range ? pos(found.node.range[0]) : { line: 1, column: 1 };
    deviceLocations.push({ file, ...p });
    // Addresses and targets must parse as target syntax: report the line of the bad one.
    try {
      const spec = parseTarget(d.address);
      if (spec.kind !== 'address' && spec.kind !== 'hostname') throw new Error('a device entry names one address or hostname, not a range');
    } catch (e) {
      const at = nodeAt(doc.contents as Node | null, ['devices', i, 'address']);
      throw new ConfigError(file, `devices[${i}].address: ${(e as Error).message}`, at?.node.range ? pos(at.node.range[0]) : p);
    }
  });
  for (const key of ['targets', 'exclude'] as const) {
    (config.scan?.[key] ?? []).forEach((t, i) => {
      try {
        parseTarget(t);
      } catch (e) {
        const at = nodeAt(doc.contents as Node | null, ['scan', key, i]);
        throw new ConfigError(file, `scan.${key}[${i}]: ${(e as Error).message}`, at?.node.range ? pos(at.node.range[0]) : undefined);
      }
    });
  }
  return { file, config, deviceLocations };
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new ConfigError(file, 'not a regular file');
    if (info.size > MAX_CONFIG_BYTES) throw new ConfigError(file, `larger than ${MAX_CONFIG_BYTES / 1024} KiB; a targets file is small`);
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(file, `cannot read the targets file: ${why}`);
  }
  return parseConfig(text, file);
}
