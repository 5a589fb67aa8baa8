/**
 * Paths and connect strings: ZooKeeper's path rules (PathUtils.validatePath), the chroot that a
 * connect string may end with, and the host list before it.
 */
import { InvalidPathError } from './errors.js';

/** Why `path` is not a valid znode path, or null when it is (the rules of Java's PathUtils). */
export function pathProblem(path: string): string | null {
  if (typeof path !== 'string') return 'Path cannot be null';
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== 0x2f) return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charCodeAt(path.length - 1) === 0x2f) return 'Path must not end with / character';
  let last = 0x2f;
  for (let i = 1; i < path.length; last = path.charCodeAt(i), i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === 0x2f && last === 0x2f) return `empty node name specified @${i}`;
    if (c === 0x2e && last === 0x2e) {
      if (path.charCodeAt(i - 2) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) return `relative paths not allowed @${i}`;
    } else if (c === 0x2e) {
      if (path.charCodeAt(i - 1) === 0x2f && (i + 1 === path.length || path.charCodeAt(i + 1) === 0x2f)) return `relative paths not allowed @${i}`;
    } else if ((c > 0 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
  }
  return null;
}

/** Throws InvalidPathError unless `path` is a valid znode path. */
export function validatePath(path: string, sequential = false): void {
  // A sequential create may end with '/': the server appends the counter.
  const problem = pathProblem(sequential ? path + '1' : path);
  if (problem !== null) throw new InvalidPathError(path, problem);
}

/** One server of the connect string. */
export interface HostPort {
  host: string;
  port: number;
}

export interface ParsedConnectString {
  hosts: HostPort[];
  /** The chroot ('/app'), or undefined for none ('/' counts as none). */
  chroot: string | undefined;
}

/**
 * Parses `h1:2181,h2:2181/app`: hosts (default port 2181, IPv6 as `[::1]:2181`) and an optional
 * chroot after the first '/'.
 */
export function parseConnectString(connectString: string): ParsedConnectString {
  let rest = connectString.trim();
  let chroot: string | undefined;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const c = rest.slice(slash);
    rest = rest.slice(0, slash);
    if (c.length > 1) {
      validatePath(c);
      chroot = c;
    }
  }
  const hosts: HostPort[] = [];
  for (const raw of rest.split(',')) {
    const h = raw.trim();
    if (h === '') continue;
    let host = h;
    let port = 2181;
    const v6 = /^\[([^\]]+)\](?::(\d*))?$/.exec(h);
    if (v6) {
      host = v6[1];
      if (v6[2]) port = Number(v6[2]);
    } else {
      const i = h.lastIndexOf(':');
      if (i >= 0) {
        if (i < h.length - 1) port = Number(h.slice(i + 1));
        host = h.slice(0, i);
      }
    }
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port in connect string: ${h}`);
    if (host === '') throw new Error(`empty host in connect string: ${connectString}`);
    hosts.push({ host, port });
  }
  if (hosts.length === 0) throw new Error(`no host in connect string: ${JSON.stringify(connectString)}`);
  return { hosts, chroot };
}

/** Maps client paths to server paths and back for a chroot. */
export class Chroot {
  constructor(readonly root: string | undefined) {}

  /** The server path of a client path. */
  toServer(path: string): string {
    if (this.root === undefined) return path;
    return path === '/' ? this.root : this.root + path;
  }

  /** The client path of a server path (paths outside the chroot are returned unchanged). */
  toClient(serverPath: string): string {
    const r = this.root;
    if (r === undefined) return serverPath;
    if (serverPath === r) return '/';
    if (serverPath.length > r.length && serverPath.startsWith(r) && serverPath.charCodeAt(r.length) === 0x2f) return serverPath.slice(r.length);
    return serverPath;
  }
}

/** Fisher-Yates shuffle of a copy. */
export function shuffled<T>(items: readonly T[], random: () => number = Math.random): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

/** The parent of a path ('/a/b' → '/a', '/a' → '/'). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Joins a parent path and a child name. */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
