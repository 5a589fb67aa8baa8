/**
 * Authentication schemes and ACL checks, with ZooKeeper 3.8's semantics: `digest` (user:password,
 * stored as user:base64(sha1(user:password))), `ip` (address or IPv4 CIDR), `x509` (the client
 * certificate's subject, on TLS), `world:anyone`, the special `auth` id in ACLs, and the `super` id
 * that the super digest grants.
 */
import { createHash } from 'node:crypto';
import type { ACL, Id } from '../jute/records.js';
import { Err } from '../jute/constants.js';

/** What a provider may see and change of the connection that authenticates. */
export interface AuthContext {
  readonly remoteAddress: string;
  addAuthInfo(id: Id): void;
}

export interface AuthProvider {
  readonly scheme: string;
  /** Handles an `auth` packet; adds ids to the context; returns an error code (0 = ok). */
  handleAuthentication(ctx: AuthContext, data: Buffer): number;
  matches(id: string, aclExpr: string): boolean;
  /** Whether ids of this scheme may stand for the `auth` id in new ACLs. */
  isAuthenticated(): boolean;
  isValid(id: string): boolean;
  userName(id: string): string;
}

/** Java's String.split(regex-free separator): trailing empty strings dropped, as Java does. */
export function javaSplit(s: string, sep: string, limit = 0): string[] {
  let parts: string[];
  if (limit > 0) {
    parts = [];
    let rest = s;
    while (parts.length < limit - 1) {
      const i = rest.indexOf(sep);
      if (i < 0) break;
      parts.push(rest.substring(0, i));
      rest = rest.substring(i + sep.length);
    }
    parts.push(rest);
    return parts;
  }
  parts = s.split(sep);
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length === 1 && parts[0] === '' && s.length > 0) return [];
  return parts;
}

/** Java's Integer.parseInt: optional sign, decimal digits, 32-bit range; NaN otherwise. */
export function javaParseInt(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) return NaN;
  const v = Number(s);
  return v >= -2147483648 && v <= 2147483647 ? v : NaN;
}

export function generateDigest(idPassword: string): string {
  const user = javaSplit(idPassword, ':', 2)[0];
  return `${user}:${createHash('sha1').update(idPassword, 'utf8').digest('base64')}`;
}

export class DigestAuthenticationProvider implements AuthProvider {
  readonly scheme = 'digest';
  constructor(private readonly superDigest?: string) {}

  handleAuthentication(ctx: AuthContext, data: Buffer): number {
    const digest = generateDigest(data.toString('utf8'));
    if (this.superDigest !== undefined && digest === this.superDigest) ctx.addAuthInfo({ scheme: 'super', id: '' });
    ctx.addAuthInfo({ scheme: 'digest', id: digest });
    return Err.Ok;
  }
  matches(id: string, aclExpr: string): boolean {
    return id === aclExpr;
  }
  isAuthenticated(): boolean {
    return true;
  }
  isValid(id: string): boolean {
    return javaSplit(id, ':').length === 2;
  }
  userName(id: string): string {
    return javaSplit(id, ':')[0] ?? '';
  }
}

function v4Bytes(addr: string): number[] | null {
  const parts = addr.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    const v = javaParseInt(p);
    if (!(v >= 0 && v <= 255)) return null;
    out.push(v);
  }
  return out;
}

function maskBytes(b: number[], bits: number): void {
  let start = Math.floor(bits / 8);
  let startMask = ~((1 << (8 - (bits % 8))) - 1);
  while (start < b.length) {
    b[start] &= startMask;
    startMask = 0;
    start++;
  }
}

/** IPv4-mapped IPv6 addresses (Node's view of IPv4 clients on a dual-stack socket) as Java shows them. */
export function javaHostAddress(addr: string): string {
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.substring(7) : addr;
}

export class IPAuthenticationProvider implements AuthProvider {
  readonly scheme = 'ip';
  handleAuthentication(ctx: AuthContext): number {
    ctx.addAuthInfo({ scheme: 'ip', id: ctx.remoteAddress });
    return Err.Ok;
  }
  matches(id: string, aclExpr: string): boolean {
    const parts = javaSplit(aclExpr, '/', 2);
    const acl = v4Bytes(parts[0]);
    if (acl === null) return false;
    let bits = acl.length * 8;
    if (parts.length === 2) {
      bits = javaParseInt(parts[1]);
      if (!(bits >= 0 && bits <= acl.length * 8)) return false;
    }
    maskBytes(acl, bits);
    const remote = v4Bytes(id);
    if (remote === null) return false;
    maskBytes(remote, bits);
    return remote.every((v, i) => v === acl[i]);
  }
  isAuthenticated(): boolean {
    return false;
  }
  isValid(id: string): boolean {
    const parts = javaSplit(id, '/', 2);
    const acl = v4Bytes(parts[0]);
    if (acl === null) return false;
    if (parts.length === 2) {
      const bits = javaParseInt(parts[1]);
      if (!(bits >= 0 && bits <= acl.length * 8)) return false;
    }
    return true;
  }
  userName(id: string): string {
    return id;
  }
}

/** x509: the id is the client certificate's subject, set when the TLS handshake completes. */
export class X509AuthenticationProvider implements AuthProvider {
  readonly scheme = 'x509';
  handleAuthentication(): number {
    // The certificate was already checked by TLS; an explicit auth packet adds nothing.
    return Err.AuthFailed;
  }
  matches(id: string, aclExpr: string): boolean {
    return id === aclExpr;
  }
  isAuthenticated(): boolean {
    return true;
  }
  isValid(): boolean {
    return true;
  }
  userName(id: string): string {
    return id;
  }
}

export class AuthRegistry {
  private readonly providers = new Map<string, AuthProvider>();

  constructor(providers: AuthProvider[]) {
    for (const p of providers) this.providers.set(p.scheme, p);
  }

  get(scheme: string): AuthProvider | undefined {
    return this.providers.get(scheme);
  }

  schemes(): string[] {
    return [...this.providers.keys()];
  }

  /**
   * ZooKeeper's checkACL: passes when the ACL is empty, the client is super, or some entry grants
   * `perm` to world:anyone or to one of the client's ids (as its scheme's provider matches them).
   */
  check(acl: readonly ACL[], perm: number, ids: readonly Id[]): boolean {
    if (acl.length === 0) return true;
    for (const id of ids) if (id.scheme === 'super') return true;
    for (const a of acl) {
      if ((a.perms & perm) === 0) continue;
      if (a.id.scheme === 'world' && a.id.id === 'anyone') return true;
      const p = this.providers.get(a.id.scheme);
      if (p === undefined) continue;
      for (const id of ids) if (id.scheme === a.id.scheme && p.matches(id.id, a.id.id)) return true;
    }
    return false;
  }

  /**
   * ZooKeeper's fixupACL: de-duplicates, expands the `auth` id into the client's authenticated ids,
   * validates every other id. Returns the ACL to store, or null for InvalidACL.
   */
  fixup(acls: readonly ACL[], ids: readonly Id[]): ACL[] | null {
    const uniq: ACL[] = [];
    for (const a of acls) {
      if (!uniq.some((u) => u.perms === a.perms && u.id.scheme === a.id.scheme && u.id.id === a.id.id)) uniq.push(a);
    }
    if (uniq.length === 0) return null;
    const out: ACL[] = [];
    for (const a of uniq) {
      if (a.id.scheme === 'world' && a.id.id === 'anyone') {
        out.push(a);
      } else if (a.id.scheme === 'auth') {
        let any = false;
        for (const cid of ids) {
          const p = this.providers.get(cid.scheme);
          if (p?.isAuthenticated()) {
            any = true;
            out.push({ perms: a.perms, id: { scheme: cid.scheme, id: cid.id } });
          }
        }
        if (!any) return null;
      } else {
        const p = this.providers.get(a.id.scheme);
        if (p === undefined || !p.isValid(a.id.id)) return null;
        out.push(a);
      }
    }
    return out;
  }

  /** whoAmI: each id as (scheme, user name). */
  clientInfo(ids: readonly Id[]): { authScheme: string; user: string }[] {
    return ids.map((id) => ({ authScheme: id.scheme, user: this.providers.get(id.scheme)?.userName(id.id) ?? id.id }));
  }
}
