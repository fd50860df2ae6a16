/**
 * Schedules for `iotcop watch` (pure): `--every DURATION` and `--cron "m h dom mon dow"`.
 *
 * Cron: five fields (minute 0-59, hour 0-23, day of month 1-31, month 1-12 or jan-dec, day of week
 * 0-7 or sun-sat, 0 and 7 both Sunday), each `*`, a number, a range `a-b`, a step `*∕n` or `a-b/n`, or a
 * comma list of those; `@hourly`, `@daily` (= `@midnight`), `@weekly`, `@monthly`, `@yearly`
 * (= `@annually`). As in Vixie cron, when both day of month and day of week are restricted a day
 * matching either runs. Times are the process's local time (set TZ in a container; UTC by default).
 */
import { UsageError } from '../../errors.js';
import { parseDuration } from '../../targets/config-schema.js';
import { printable } from '../../targets/spec.js';

export interface CronSpec {
  text: string;
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  dayRestricted: boolean;
  weekdayRestricted: boolean;
}

export type Schedule =
  | { kind: 'every'; ms: number; text: string }
  | { kind: 'cron'; cron: CronSpec };

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const MACROS: Record<string, string> = {
  '@hourly': '0 * * * *',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@weekly': '0 0 * * 0',
  '@monthly': '0 0 1 * *',
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
};

function field(text: string, name: string, min: number, max: number, names?: string[], nameBase = 0): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const lower = s.toLowerCase();
    if (names) {
      const i = names.indexOf(lower);
      if (i >= 0) return i + nameBase;
    }
    if (!/^\d{1,2}$/.test(s)) throw new UsageError(`--cron: "${printable(s)}" is not a valid ${name}`);
    const n = Number(s);
    if (n < min || n > max) throw new UsageError(`--cron: ${name} ${n} is outside ${min}-${max}`);
    return n;
  };
  for (const part of text.split(',')) {
    const [range, stepText, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '') throw new UsageError(`--cron: "${printable(part)}" is not a valid ${name} field`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d{1,2}$/.test(stepText) || Number(stepText) === 0) throw new UsageError(`--cron: step "${printable(stepText)}" in the ${name} field must be a number from 1`);
      step = Number(stepText);
    }
    let lo: number;
    let hi: number;
    if (range === '*') {
      lo = min; hi = max;
    } else if (range.includes('-')) {
      const [a, b] = range.split('-');
      lo = value(a ?? ''); hi = value(b ?? '');
      if (hi < lo) throw new UsageError(`--cron: range ${printable(range)} in the ${name} field runs backwards`);
    } else {
      lo = value(range);
      hi = stepText !== undefined ? max : lo;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(text: string): CronSpec {
  const trimmed = text.trim();
  const expanded = MACROS[trimmed.toLowerCase()] ?? trimmed;
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) {
    throw new UsageError(`--cron "${printable(text)}" needs five fields: minute hour day-of-month month day-of-week (e.g. "0 3 * * *" for 03:00 daily)`);
  }
  const [mi, h, dom, mon, dow] = parts as [string, string, string, string, string];
  const weekdays = field(dow, 'day of week', 0, 7, DAYS);
  if (weekdays.has(7)) { weekdays.delete(7); weekdays.add(0); }
  return {
    text: trimmed,
    minutes: field(mi, 'minute', 0, 59),
    hours: field(h, 'hour', 0, 23),
    days: field(dom, 'day of month', 1, 31),
    months: field(mon, 'month', 1, 12, MONTHS, 1),
    weekdays,
    dayRestricted: dom !== '*',
    weekdayRestricted: dow !== '*',
  };
}

function dayMatches(c: CronSpec, d: Date): boolean {
  const dom = c.days.has(d.getDate());
  const dow = c.weekdays.has(d.getDay());
  if (c.dayRestricted && c.weekdayRestricted) return dom || dow;
  if (c.dayRestricted) return dom;
  if (c.weekdayRestricted) return dow;
  return true;
}

/** The first time strictly after `after` (to the minute) that the cron spec matches, in local time. */
export function nextCronTime(c: CronSpec, after: Date): Date {
  const t = new Date(after.getTime());
  t.setSeconds(0, 0);
  t.setMinutes(t.getMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 24 * 3600_000;
  while (t.getTime() <= limit) {
    if (!c.months.has(t.getMonth() + 1)) {
      t.setMonth(t.getMonth() + 1, 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(c, t)) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!c.hours.has(t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (!c.minutes.has(t.getMinutes())) {
      t.setMinutes(t.getMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  throw new UsageError(`--cron "${printable(c.text)}" never matches a real date (e.g. 31 February)`);
}

export function parseSchedule(every: string | undefined, cron: string | undefined): Schedule {
  if (every !== undefined && cron !== undefined) throw new UsageError('give either --every or --cron, not both');
  if (every !== undefined) {
    const ms = parseDuration(every);
    if (ms === null || ms < 1000) throw new UsageError(`--every "${printable(every)}" is not a duration of at least 1s, such as 30m, 6h or 24h`);
    return { kind: 'every', ms, text: every };
  }
  if (cron !== undefined) {
    const spec = parseCron(cron);
    nextCronTime(spec, new Date(0)); // refuses specs that never match
    return { kind: 'cron', cron: spec };
  }
  throw new UsageError('watch needs a schedule: --every DURATION (e.g. 24h) or --cron "0 3 * * *"');
}

/**
 * When the next run starts. `--every`: the first run starts at once, then each one `every` after the
 * previous start; runs that overran skip the missed slots rather than running back to back.
 * `--cron`: the next matching minute after now (or after the last start).
 */
export function nextRunTime(s: Schedule, now: Date, lastStart: Date | undefined): Date {
  if (s.kind === 'every') {
    if (!lastStart) return now;
    let next = lastStart.getTime() + s.ms;
    if (next < now.getTime()) next += Math.ceil((now.getTime() - next) / s.ms) * s.ms;
    return new Date(next);
  }
  const from = lastStart && lastStart.getTime() > now.getTime() ? lastStart : now;
  return nextCronTime(s.cron, from);
}

export function describeSchedule(s: Schedule): string {
  return s.kind === 'every' ? `every ${s.text}` : `cron "${s.cron.text}" (${Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'local time'})`;
}
