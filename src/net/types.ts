/**
 * The net layer's own interface types: what a dialled connection, an HTTP exchange and the device-bound
 * net API look like. Probes see them through src/probes/contract.ts, which re-exports them; nothing in
 * src/net imports from src/probes (a lint rule keeps it that way).
 */
import type { Duplex } from 'node:stream';

/** Connection to the device. Reads are byte-capped and deadline-bound by the dialer. */
export interface Conn {
  /** The underlying stream, for clients (ssh2, our MQTT session) that take a socket. */
  readonly stream: Duplex;
  /** TLS details when the connection is TLS. */
  readonly tls?: TlsDetails;
  /** Reads until `done(buffer)` is true, the cap is hit, the peer closes or the timeout fires. Never throws on timeout: returns what it has with `timedOut`. */
  readUntil(done: (received: Buffer) => boolean, timeoutMs?: number): Promise<ReadResult>;
  write(data: Buffer | string): Promise<void>;
  close(): void;
}

export interface ReadResult {
  data: Buffer;
  timedOut: boolean;
  closed: boolean;
  truncated: boolean;
}

export interface TlsDetails {
  protocol: string | null;
  cipher: string | null;
  /** DER of the peer certificate chain, leaf first. */
  chainDer: Buffer[];
  authorized: boolean;
  authorizationError?: string;
}

export interface TlsDialOptions {
  servername?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
}

export interface HttpRequest {
  port: number;
  tls: boolean;
  path: string;
  method?: 'GET' | 'HEAD' | 'OPTIONS' | 'POST';
  headers?: Record<string, string>;
  /** POST only: the request body (at most HTTP_MAX_REQUEST_BODY bytes; a larger body is refused, never cut). */
  body?: string | Buffer;
  /** POST only: the Content-Type of `body` (default application/x-www-form-urlencoded). */
  contentType?: string;
  /** Body cap in bytes (default 1 MiB). */
  maxBytes?: number;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", " (set-cookie and www-authenticate kept as arrays). */
  headers: Map<string, string[]>;
  body: Buffer;
  truncated: boolean;
  tls?: TlsDetails;
}

export interface UdpExchange {
  port: number;
  payload: Buffer;
  timeoutMs?: number;
  /** Stop after this many replies (default 1). */
  maxReplies?: number;
  maxBytes?: number;
}

/** Everything a probe may do on the network. Every call is bound to the probe's device. */
export interface NetApi {
  tcp(port: number, options?: { timeoutMs?: number; maxBytes?: number }): Promise<Conn>;
  tls(port: number, options?: TlsDialOptions & { timeoutMs?: number; maxBytes?: number }): Promise<Conn>;
  udp(exchange: UdpExchange): Promise<Buffer[]>;
  http(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Holds one connection slot (per-host limit and probe budget) while `fn` runs, for clients that open
   * their own sockets (basic-ftp, net-snmp, coap). `fn` must use only `address` and honour `signal`.
   */
  slot<T>(fn: (address: string, signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}
