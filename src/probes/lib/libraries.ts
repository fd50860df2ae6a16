/**
 * The protocol libraries the probes use, each imported when the first job that needs it starts
 * (src/lazy.ts): a scan of devices that speak no SSH never loads ssh2. Types come from `import type`
 * in the probes, which costs nothing at run time.
 */
import { lazy } from '../../lazy.js';

export const loadSsh2 = lazy(async () => (await import('ssh2')).default);
export const loadBasicFtp = lazy(() => import('basic-ftp'));
/** basic-ftp's passive-mode helpers (not re-exported by its index). */
export const loadFtpTransfer = lazy(() => import('basic-ftp/dist/transfer.js'));
