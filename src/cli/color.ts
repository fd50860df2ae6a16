/**
 * Colour in terminal output (https://no-color.org): `--color always|never` wins; `auto` (the default) colours
 * only a TTY, and not when NO_COLOR is set to a non-empty value or TERM is "dumb". Report files are never coloured.
 */
import type { ColorMode } from './options.js';

let mode: ColorMode = 'auto';

export function setColorMode(m: ColorMode): void {
  mode = m;
}

export function useColor(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>> = process.env, m: ColorMode = mode): boolean {
  if (m === 'always') return true;
  if (m === 'never') return false;
  const noColor = env['NO_COLOR'];
  return Boolean(stream.isTTY) && !(noColor !== undefined && noColor !== '') && env['TERM'] !== 'dumb';
}
