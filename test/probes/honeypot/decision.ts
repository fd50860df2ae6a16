/** What a fake login service decides for one attempt (the honeypot suite drives every fake through it). */
export type AuthDecision = 'accept' | 'reject' | 'lock';
export type Authorize = (username: string, password: string) => AuthDecision;
