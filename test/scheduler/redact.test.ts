import type { Logger } from '../../src/probes/contract.js';
import { createRedactor, redactingLogger, REDACTED } from '../../src/scheduler/redact.js';

describe('redaction', () => {
  it('removes known passwords wherever they appear and values under secret-like keys', () => {
    const redact = createRedactor(['hunter22', 'xc3511', '']);
    expect(redact('hunter22')).toBe(REDACTED);
    expect(redact('login admin/hunter22 ok')).toBe(`login admin/${REDACTED} ok`);
    expect(redact({ password: 'whatever', nested: { list: ['xc3511', 'fine'] }, community: 'public', user: 'root' }))
      .toEqual({ password: REDACTED, nested: { list: [REDACTED, 'fine'] }, community: REDACTED, user: 'root' });
    expect(redact(Buffer.from('hunter22'))).toBe('[8 bytes]');
  });

  it('does not let a failing sink fail the caller', () => {
    const base: Logger = { debug: () => { throw new Error('sink down'); }, info: () => undefined, warn: () => undefined };
    const log = redactingLogger(base, ['secret']);
    expect(() => log.debug('secret')).not.toThrow();
  });
});
