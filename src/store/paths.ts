/**
 * Where the history database lives (pure): `--db PATH`, else `$IOTCOP_DB`, else
 * `$XDG_DATA_HOME/iotcop/history.db`, else `~/.local/share/iotcop/history.db`.
 */
import { join } from 'node:path';

export function defaultDbPath(env: Readonly<Record<string, string | undefined>>, home: string): string {
  if (env['IOTCOP_DB']) return env['IOTCOP_DB'];
  const xdg = env['XDG_DATA_HOME'];
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const base = xdg && xdg.startsWith('/') ? xdg : join(home, '.local', 'share');
  return join(base, 'iotcop', 'history.db');
}

export function resolveDbPath(given: string | undefined, env: Readonly<Record<string, string | undefined>>, home: string): string {
  return given && given.length > 0 ? given : defaultDbPath(env, home);
}
