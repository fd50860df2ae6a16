/** Types of the fake vendor web logins (server.mjs), for the TypeScript tests. */
export interface FakeAttempt { t: string; family: string; user: string; result: 'ok' | 'fail' | 'locked' }
export interface FakeOptions {
  host?: string; port?: number; username?: string; password?: string; lockAfter?: number; lockSeconds?: number; log?: string;
  /** Replaces the fake's judgement and lock (tests): from the user name and whether the pair was right. */
  decide?: (user: string, rightPair: boolean) => 'ok' | 'fail' | 'locked';
}
export interface RunningFake { family: string; port: number; attempts: FakeAttempt[]; close(): Promise<void> }
export function startFake(id: string, opts?: FakeOptions): Promise<RunningFake>;

