import { classifyError, NetError, toNetError } from '../../src/net/index.js';

function coded(code: string, message = code): Error {
  return Object.assign(new Error(message), { code });
}

describe('classifyError', () => {
  it.each([
    ['ECONNREFUSED', 'refused'],
    ['ECONNRESET', 'reset'],
    ['EPIPE', 'reset'],
    ['ETIMEDOUT', 'timeout'],
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'tls-handshake'],
    ['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tls-handshake'],
    ['HPE_HEADER_OVERFLOW', 'protocol-error'],
    ['ABORT_ERR', 'aborted'],
  ])('maps %s to %s', (code, kind) => {
    expect(classifyError(coded(code))).toBe(kind);
  });

  it('keeps a NetError kind, looks one cause deep, and calls the rest internal', () => {
    expect(classifyError(new NetError('budget-exceeded', 'x'))).toBe('budget-exceeded');
    expect(classifyError(new Error('wrapped', { cause: coded('ECONNRESET') }))).toBe('reset');
    expect(classifyError(new TypeError('oops'))).toBe('internal');
    expect(classifyError('a string')).toBe('internal');
    const abort = new Error('stop');
    abort.name = 'AbortError';
    expect(classifyError(abort)).toBe('aborted');
  });

  it('toNetError keeps the code and caps the message', () => {
    const e = toNetError(coded('ECONNREFUSED', 'x'.repeat(1000)));
    expect(e.kind).toBe('refused');
    expect(e.code).toBe('ECONNREFUSED');
    expect(e.message.length).toBeLessThanOrEqual(300);
  });
});
