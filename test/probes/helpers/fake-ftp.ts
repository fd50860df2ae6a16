/**
 * An in-process fake FTP server on 127.0.0.1 for the ftp-anonymous tests: anonymous login, PWD, EPSV
 * or PASV (the PASV reply names another host on purpose: a client must ignore it), LIST of a few
 * folders in Unix `ls -l` format. Records every command a client sent.
 */
import net from 'node:net';
import type { Authorize } from '../honeypot/decision.js';

export interface FakeFtpOptions {
  /** User names that may log in (with any password). */
  anonymousUsers?: string[];
  /** Folder (''/'.' = login folder, else a name) → entries: [name, 'd' | '-', size]. */
  tree?: Record<string, [string, 'd' | '-', number][]>;
  /** false: EPSV answers 500 so the client falls back to PASV. */
  epsv?: boolean;
  /** Port announced in EPSV/PASV instead of the real data port (e.g. 9100). */
  announcePort?: number;
  /** Host announced in PASV (default 10.9.9.9, which a client must not dial). */
  pasvHost?: string;
  /** Send this many bytes of an endless multi-line reply after login instead of answering PWD. */
  floodAfterLogin?: boolean;
  /** Decides each USER/PASS login (any user name gets 331) instead of anonymousUsers ('lock': 421 and hang up). */
  authorize?: Authorize;
}

export interface FakeFtp {
  port: number;
  commands: string[];
  dataConnections: number;
  close(): Promise<void>;
}

function line(entry: [string, 'd' | '-', number]): string {
  const [name, kind, size] = entry;
  return `${kind}rw-r--r--    1 ftp      ftp      ${String(size).padStart(8)} Jan 01 12:00 ${name}\r\n`;
}

export async function startFakeFtp(options: FakeFtpOptions = {}): Promise<FakeFtp> {
  const users = options.anonymousUsers ?? ['anonymous', 'ftp'];
  const tree = options.tree ?? {};
  const commands: string[] = [];
  const sockets = new Set<net.Socket>();
  const dataServers = new Set<net.Server>();
  const state = { dataConnections: 0 };

  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer = '';
    let user = '';
    let pendingData: Promise<net.Socket> | undefined;
    const reply = (text: string): void => { if (!socket.destroyed) socket.write(`${text}\r\n`); };
    const openData = async (): Promise<number> => {
      const ds = net.createServer();
      dataServers.add(ds);
      pendingData = new Promise<net.Socket>((resolve) => ds.once('connection', (c) => {
        state.dataConnections += 1;
        sockets.add(c);
        c.on('close', () => sockets.delete(c));
        c.on('error', () => undefined);
        resolve(c);
      }));
      await new Promise<void>((resolve) => ds.listen(0, '127.0.0.1', resolve));
      return (ds.address() as net.AddressInfo).port;
    };
    const handle = async (cmdLine: string): Promise<void> => {
      commands.push(cmdLine);
      const [verb = '', ...rest] = cmdLine.split(' ');
      const arg = rest.join(' ');
      switch (verb.toUpperCase()) {
        case 'USER':
          user = arg;
          reply(options.authorize || users.includes(arg) ? '331 Please specify the password.' : '530 Permission denied.');
          break;
        case 'PASS': {
          const verdict = options.authorize?.(user, arg);
          if (verdict === 'lock') { reply('421 Too many failed login attempts; account locked.'); socket.end(); break; }
          if (verdict !== undefined ? verdict === 'accept' : users.includes(user)) {
            reply('230 Login successful.');
            if (options.floodAfterLogin) {
              const chunk = '230-' + 'x'.repeat(1000) + '\r\n';
              const pump = (): void => { while (!socket.destroyed && socket.write(chunk)) { /* fill */ } if (!socket.destroyed) socket.once('drain', pump); };
              pump();
            }
          } else {
            reply('530 Login incorrect.');
          }
          break;
        }
        case 'PWD': reply('257 "/" is the current directory'); break;
        case 'EPSV': {
          if (options.epsv === false) { reply('500 Unknown command.'); break; }
          const p = await openData();
          reply(`229 Entering Extended Passive Mode (|||${options.announcePort ?? p}|)`);
          break;
        }
        case 'PASV': {
          const p = options.announcePort ?? await openData();
          const host = (options.pasvHost ?? '10.9.9.9').split('.').join(',');
          reply(`227 Entering Passive Mode (${host},${Math.floor(p / 256)},${p % 256}).`);
          break;
        }
        case 'LIST': {
          const path = arg.replace(/^-a\s*/, '').replace(/^-a$/, '');
          const entries = tree[path === '' ? '.' : path];
          if (!entries) { reply('550 Failed to open directory.'); break; }
          const data = pendingData;
          pendingData = undefined;
          if (!data) { reply('425 Use PASV or EPSV first.'); break; }
          reply('150 Here comes the directory listing.');
          const c = await data;
          c.end(entries.map(line).join(''));
          c.once('close', () => reply('226 Directory send OK.'));
          break;
        }
        case 'QUIT': reply('221 Goodbye.'); socket.end(); break;
        case 'TYPE': reply('200 Switching to Binary mode.'); break;
        default: reply('502 Command not implemented.');
      }
    };
    let chain = Promise.resolve();
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (buffer.length > 65536) { socket.destroy(); return; }
      let i: number;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const cmd = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        chain = chain.then(() => handle(cmd));
      }
    });
    reply('220 JD FTP Server Ready');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    commands,
    get dataConnections() { return state.dataConnections; },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      for (const d of dataServers) d.close();
      server.close(() => resolve());
    }),
  };
}
