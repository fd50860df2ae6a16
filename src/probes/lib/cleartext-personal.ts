/**
 * Guideline 5 for personal data (EN 303 645 5.5-1, 5.8-2): a service that hands out personal data with
 * no encryption at all fails "communicate securely", next to the guideline 8 finding that it is readable
 * without a password. One judgement for every probe that sees such data (MQTT topics, an FTP listing, a
 * camera stream); each names what it saw. Pure.
 */
import type { CheckResult } from '../contract.js';
import type { Json } from '../../model.js';

export interface PersonalDataSeen {
  /** The check id (each probe has its own, with its own meta). */
  check: string;
  /** "port 1883", "rtsp://…:554/…". */
  where: string;
  /** The data was read over an encrypted channel (TLS). */
  encrypted: boolean;
  /**
   * What was read and looked personal: empty kinds when data was read and none of it looks personal.
   * (When nothing could be read at all, the guideline 5 question does not arise: each probe says so itself.)
   */
  personal: { kinds: string[]; examples: string[] };
  evidence?: Json;
}

export function assessCleartextPersonal(s: PersonalDataSeen): CheckResult {
  const base = s.evidence === undefined ? {} : { evidence: s.evidence };
  if (s.personal.kinds.length === 0) {
    return { check: s.check, status: 'pass', confidence: 'medium', detail: `Nothing read on ${s.where} looks like personal data.`, ...base };
  }
  const what = `${s.personal.kinds.join(', ')} (${s.personal.examples.slice(0, 3).join(', ')})`;
  if (s.encrypted) {
    return { check: s.check, status: 'pass', detail: `Personal data on ${s.where} — ${what} — travels encrypted (TLS); who may read it is the other finding.`, ...base };
  }
  return {
    check: s.check, status: 'fail',
    detail: `Personal data on ${s.where} — ${what} — travels with no encryption at all: anyone on the network path can read it, password or not.`,
    ...base,
  };
}
