import {
  findLockoutText, httpLockout, lockoutHint, lockoutPolicy, makeCautious, plainText, remainingAttempts,
} from '../../../src/probes/lib/lockout.js';

const h = (entries: [string, string][] = []): Map<string, string[]> => new Map(entries.map(([k, v]) => [k, [v]]));

describe('lockout detection', () => {
  it.each([
    'Too many failed login attempts. The account is locked for 60 seconds.',
    'Invalid user name or password. The account is now locked for 60 seconds.',
    'Please try again later',
    'Your IP has been temporarily blocked',
    'You have exceeded the maximum number of login attempts',
    'Account disabled',
    '<html><body><h1>User locked out</h1></body></html>',
  ])('finds a lockout in %j', (t) => {
    expect(findLockoutText(t)).toBeDefined();
  });

  it.each(['Invalid user name or password.', 'Authorization required', 'lockStatus unlock', 'unlocked'])('no lockout in %j', (t) => {
    expect(findLockoutText(t)).toBeUndefined();
  });

  it('reads hints and remaining attempts (Hikvision ISAPI, plain text)', () => {
    expect(remainingAttempts('<userCheck><statusValue>401</statusValue><lockStatus>unlock</lockStatus><retryLoginTime>4</retryLoginTime></userCheck>')).toBe(4);
    expect(remainingAttempts('Wrong password, 2 attempts remaining')).toBe(2);
    expect(remainingAttempts('Remaining attempts: 3')).toBe(3);
    expect(lockoutHint('The account will be locked after 5 failed attempts')).toBeDefined();
    expect(lockoutHint('Authorization required')).toBeUndefined();
  });

  it('HTTP: 423/429 and 503 + Retry-After are lockouts whatever the body; 401 text with "locked" too', () => {
    expect(httpLockout(429, h(), '').locked).toBe(true);
    expect(httpLockout(423, h(), '').locked).toBe(true);
    expect(httpLockout(503, h([['retry-after', '60']]), '')).toMatchObject({ locked: true, text: 'HTTP 503 (Retry-After: 60)' });
    expect(httpLockout(503, h(), 'maintenance').locked).toBe(false);
    expect(httpLockout(401, h(), 'Invalid user name or password. The account is now locked for 60 seconds.').locked).toBe(true);
    expect(httpLockout(401, h(), 'Invalid user name or password.').locked).toBe(false);
    expect(httpLockout(200, h(), 'Welcome! Accounts are locked after 3 tries').locked).toBe(false);
  });

  it('plainText strips markup, scripts and control characters and caps the length', () => {
    expect(plainText('<script>var locked=1</script><b>ok</b>\x1b[31m!')).toBe(' ok !');
    expect(plainText('x'.repeat(100_000)).length).toBeLessThanOrEqual(4096);
  });
});

describe('lockout policy', () => {
  it('is cautious only with a reason, and can turn cautious mid-run', () => {
    expect(lockoutPolicy([])).toMatchObject({ cautious: false, maxFailures: null, maxFailuresPerAccount: 3 });
    const p = lockoutPolicy(['Hikvision: locks']);
    expect(p).toMatchObject({ cautious: true, maxFailures: 2, maxFailuresPerAccount: 2 });
    const q = makeCautious(lockoutPolicy([]), 'said: 3 attempts remaining');
    expect(q.cautious).toBe(true);
    expect(makeCautious(p, 'x')).toBe(p);
  });
});

describe('lockout policy from a vendor\'s documented threshold', () => {
  it('follows the threshold with a margin per shared service; a per-account lock limits user names, not the total', () => {
    // Synology Auto Block: 10 failed logins per address, counted over HTTP, SSH and FTP together.
    expect(lockoutPolicy(['Synology: Auto Block'], { threshold: 10, scope: 'address', sharedBy: 3 })).toMatchObject({ cautious: true, maxFailures: 3, maxFailuresPerAccount: 3 });
    // Dahua: 5 wrong passwords per account, HTTP and RTSP together.
    expect(lockoutPolicy(['Dahua: Account Lockout'], { threshold: 5, scope: 'account', sharedBy: 2 })).toMatchObject({ maxFailures: null, maxFailuresPerAccount: 2 });
    // Never laxer than the cautious default where the documented threshold is low (Hikvision: 5 over 3 services).
    expect(lockoutPolicy(['Hikvision'], { threshold: 5, scope: 'address', sharedBy: 3 })).toMatchObject({ maxFailures: 2, maxFailuresPerAccount: 2 });
    expect(lockoutPolicy([], { threshold: 10, scope: 'address', sharedBy: 1 })).toMatchObject({ cautious: false, maxFailures: null, maxFailuresPerAccount: 3 });
  });
});
