/**
 * Page features for web-unauthenticated (pure): what an HTML page shows — login form, settings fields,
 * administration actions, logout link, title — extracted in one linear pass over at most MAX_SCAN_BYTES
 * (no regular expression over unbounded input), and the image signatures of camera snapshots.
 */
export const MAX_SCAN_BYTES = 128 * 1024;

export type PageFeatures = {
  title: string | null;
  heading: string | null;
  passwordInputs: number;
  newPasswordInputs: number;
  loginForm: boolean;
  settingsFields: string[];
  adminActions: string[];
  logout: boolean;
  adminTitle: boolean;
};

const SETTINGS_WORDS = new Set([
  'ssid', 'wpa', 'wpa2', 'psk', 'wifi', 'wlan', 'wep', 'dns', 'dns1', 'dns2', 'gateway', 'netmask', 'subnet', 'dhcp', 'ntp',
  'pppoe', 'mtu', 'ddns', 'dmz', 'upnp', 'firmware', 'wan', 'ipaddr', 'hostname', 'timezone', 'portforward', 'port_forward',
]);
const ADMIN_ACTIONS = [
  'reboot', 'restart device', 'restart the device', 'factory reset', 'factory default', 'restore default', 'reset to default',
  'firmware upgrade', 'upgrade firmware', 'update firmware', 'firmware update', 'change password', 'backup configuration',
  'backup settings', 'restore configuration', 'port forwarding', 'wireless settings', 'wi-fi settings', 'wifi settings',
  'network settings', 'system settings', 'user management', 'reboot.cgi', 'upgrade.cgi', 'reset.cgi',
];
const ADMIN_TITLE_WORDS = ['admin', 'administration', 'settings', 'configuration', 'setup', 'control panel', 'management', 'dashboard'];
const LOGOUT_WORDS = ['logout', 'log out', 'log off', 'logoff', 'sign out', 'signout'];

function attr(attrs: string, name: string): string | null {
  const lower = attrs.toLowerCase();
  let i = lower.indexOf(name);
  while (i >= 0) {
    const before = i === 0 ? ' ' : lower[i - 1]!;
    let j = i + name.length;
    while (lower[j] === ' ') j++;
    if (/[\s"'/]/.test(before) && lower[j] === '=') {
      j++;
      while (lower[j] === ' ') j++;
      const quote = attrs[j];
      if (quote === '"' || quote === "'") {
        const end = attrs.indexOf(quote, j + 1);
        return attrs.slice(j + 1, end < 0 ? Math.min(attrs.length, j + 201) : end).slice(0, 200);
      }
      let k = j;
      while (k < attrs.length && !/[\s>]/.test(attrs[k]!)) k++;
      return attrs.slice(j, k).slice(0, 200);
    }
    i = lower.indexOf(name, i + 1);
  }
  return null;
}

function words(s: string): string[] {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9_]+/).flatMap((w) => [w, ...w.split('_')]).filter((w) => w.length > 0);
}

function collapse(s: string, max: number): string | null {
  const t = s.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t.slice(0, max);
}

/** Extracts what the admin-page judgement needs from an HTML page, in one linear pass over at most MAX_SCAN_BYTES. */
export function pageFeatures(html: string): PageFeatures {
  const s = html.length > MAX_SCAN_BYTES ? html.slice(0, MAX_SCAN_BYTES) : html;
  const text: string[] = [];
  const links: string[] = [];
  let title = '';
  let heading = '';
  let inTitle = false;
  let inHeading = false;
  let skip: string | null = null; // inside <script> or <style>
  let passwordInputs = 0;
  let newPasswordInputs = 0;
  let userInputs = 0;
  let loginAction = false;
  const settings = new Set<string>();
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const chunk = s.slice(i, lt < 0 ? s.length : lt);
    if (!skip) {
      text.push(chunk);
      if (inTitle && title.length < 300) title += chunk;
      if (inHeading && heading.length < 300) heading += chunk;
    }
    if (lt < 0) break;
    const gt = s.indexOf('>', lt + 1);
    if (gt < 0) break;
    const tag = s.slice(lt + 1, Math.min(gt, lt + 4001));
    i = gt + 1;
    const nameEnd = tag.search(/[\s/>]|$/);
    const name = tag.slice(0, nameEnd === 0 && tag.startsWith('/') ? 1 + tag.slice(1).search(/[\s>]|$/) : nameEnd).toLowerCase();
    if (skip) {
      if (name === `/${skip}`) skip = null;
      continue;
    }
    if (name === 'script' || name === 'style') { skip = name; continue; }
    if (name === 'title') inTitle = true;
    else if (name === '/title') inTitle = false;
    else if (name === 'h1') inHeading = true;
    else if (name === '/h1') inHeading = false;
    else if (name === 'a') { const h = attr(tag, 'href'); if (h) links.push(h); }
    else if (name === 'form') {
      const action = attr(tag, 'action') ?? '';
      links.push(action);
      if (/login|logon|signin|sign_in|auth|session/i.test(action.slice(0, 200))) loginAction = true;
    } else if (name === 'input' || name === 'select' || name === 'textarea') {
      const type = (attr(tag, 'type') ?? '').toLowerCase();
      const ident = `${attr(tag, 'name') ?? ''} ${attr(tag, 'id') ?? ''}`;
      const auto = (attr(tag, 'autocomplete') ?? '').toLowerCase();
      if (type === 'password') {
        passwordInputs++;
        if (auto === 'new-password' || /new|confirm|again|repeat|verify|retype|pass(?:word)?2|pwd2/i.test(ident)) newPasswordInputs++;
      } else if (type !== 'hidden' && type !== 'submit' && type !== 'button') {
        if (/user|login|email|account/i.test(ident) || auto === 'username') userInputs++;
        for (const w of words(ident)) if (SETTINGS_WORDS.has(w)) settings.add(w);
      }
    }
  }
  const body = text.join(' ').replace(/\s+/g, ' ').toLowerCase();
  const linkText = links.join(' ').toLowerCase();
  const haystack = `${body} ${linkText}`;
  const loginWords = /\b(?:log ?in|sign ?in|logon)\b/.test(body.slice(0, 20_000));
  const loginForm = passwordInputs > 0 && newPasswordInputs === 0 && (loginAction || userInputs > 0 || loginWords);
  const titleText = collapse(title, 200);
  const headingText = collapse(heading, 200);
  const heads = `${titleText ?? ''} ${headingText ?? ''}`.toLowerCase();
  return {
    title: titleText,
    heading: headingText,
    passwordInputs,
    newPasswordInputs,
    loginForm,
    settingsFields: [...settings].sort(),
    adminActions: ADMIN_ACTIONS.filter((a) => haystack.includes(a)),
    logout: LOGOUT_WORDS.some((w) => haystack.includes(w)),
    adminTitle: ADMIN_TITLE_WORDS.some((w) => heads.includes(w)),
  };
}

/** Admin-page score: settings fields (≥3: 2, ≥1: 1), admin actions (≥2: 2, 1: 1), logout (1), admin title (1). */
export function adminScore(f: PageFeatures): number {
  const settings = f.settingsFields.length >= 3 ? 2 : f.settingsFields.length >= 1 ? 1 : 0;
  const actions = f.adminActions.length >= 2 ? 2 : f.adminActions.length === 1 ? 1 : 0;
  return settings + actions + (f.logout ? 1 : 0) + (f.adminTitle ? 1 : 0);
}

export function looksLikeAdminPage(f: PageFeatures): boolean {
  return !f.loginForm && adminScore(f) >= 3;
}

const IMAGE_MAGIC: [string, number[]][] = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
];

/** The image format whose signature starts `body` (or, for an MJPEG stream, appears in its first 4 KiB). */
export function imageMagic(body: Buffer, multipart: boolean): string | null {
  for (const [media, magic] of IMAGE_MAGIC) {
    const sig = Buffer.from(magic);
    if (multipart ? body.subarray(0, 4096).includes(sig) : body.subarray(0, sig.length).equals(sig)) return media;
  }
  return null;
}
