/**
 * Typed errors that reach the user as one clear line (the CLI prints `message`, adds the stack only with
 * --verbose) and decide the exit code: 2 for usage and configuration errors, 3 for runtime failures.
 */
export const EXIT = { ok: 0, findings: 1, usage: 2, runtime: 3 } as const;

export class IotcopError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A bad flag, target or combination of options. */
export class UsageError extends IotcopError {
  constructor(message: string, options?: { cause?: unknown }) { super(message, EXIT.usage, options); }
}

/** A problem in a configuration file, with where it is. */
export class ConfigError extends IotcopError {
  readonly file: string;
  readonly line?: number;
  readonly column?: number;
  constructor(file: string, message: string, pos?: { line: number; column: number }) {
    super(pos ? `${file}:${pos.line}:${pos.column}: ${message}` : `${file}: ${message}`, EXIT.usage);
    this.file = file;
    this.line = pos?.line;
    this.column = pos?.column;
  }
}

/** The scan could not be carried out (nmap failed, output not writable, …). */
export class RuntimeFailure extends IotcopError {
  constructor(message: string, options?: { cause?: unknown }) { super(message, EXIT.runtime, options); }
}
