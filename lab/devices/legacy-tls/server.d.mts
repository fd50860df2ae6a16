/** Types for server.mjs (the legacy TLS fake), for the tests that start it in-process. */
export interface LegacyTlsConfig {
  versions: ('SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2')[];
  suites: Partial<Record<'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2', number[]>>;
  dhPrimeHex: string;
  secureRenegotiation: boolean;
  heartbeat?: 'none' | 'rfc6520' | 'echo-sent' | 'heartbleed';
  curves?: number[];
  explicitCurve?: boolean;
}
export const HEARTBLEED_MEMORY: string;
export const DEFAULT_CONFIG: LegacyTlsConfig;
export interface RunningLegacyTls {
  port: number;
  readonly connections: number;
  close(): Promise<void>;
}
export function startLegacyTls(options: { certDer: Buffer; config?: LegacyTlsConfig; host?: string; port?: number }): Promise<RunningLegacyTls>;
