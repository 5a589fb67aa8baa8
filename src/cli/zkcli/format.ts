/**
 * zkCli's output formats, as Apache ZooKeeper 3.8's CLI prints them: StatPrinter's lines with Java's
 * Date.toString, ACL ids as jute's CSV ('world,'anyone), permission letters, WatchedEvent's text,
 * and CliWrapperException's messages for KeeperException codes.
 */
import { Err, errName, EventType, KeeperState, Perms } from '../../jute/constants.js';
import type { ACL, Stat } from '../../jute/records.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** java.util.Date#toString: "Wed Nov 25 04:30:00 UTC 2026", in the local time zone. */
export function javaDate(ms: number): string {
  const d = new Date(ms);
  const zone =
    new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((p) => p.type === 'timeZoneName')?.value ?? 'UTC';
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())} ${zone} ${d.getFullYear()}`;
}

const hex = (v: bigint): string => BigInt.asUintN(64, v).toString(16);

export function statLines(s: Stat): string[] {
  return [
    `cZxid = 0x${hex(s.czxid)}`,
    `ctime = ${javaDate(s.ctime)}`,
    `mZxid = 0x${hex(s.mzxid)}`,
    `mtime = ${javaDate(s.mtime)}`,
    `pZxid = 0x${hex(s.pzxid)}`,
    `cversion = ${s.cversion}`,
    `dataVersion = ${s.version}`,
    `aclVersion = ${s.aversion}`,
    `ephemeralOwner = 0x${hex(s.ephemeralOwner)}`,
    `dataLength = ${s.dataLength}`,
    `numChildren = ${s.numChildren}`,
  ];
}

/** ZKUtil.getPermString: c d r w a, in that order. */
export function permString(perms: number): string {
  let p = '';
  if (perms & Perms.CREATE) p += 'c';
  if (perms & Perms.DELETE) p += 'd';
  if (perms & Perms.READ) p += 'r';
  if (perms & Perms.WRITE) p += 'w';
  if (perms & Perms.ADMIN) p += 'a';
  return p;
}

/** getAcl's line for one entry: jute's CSV of the Id, then the permissions. */
/** A string as jute's ToStringOutputArchive prints it: after a quote, with \0 \n \r , } % escaped. */
function juteString(s: string): string {
  return `'${s.replace(/[\0\n\r,}%]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)}`;
}

/**
 * getAcl's line for one ACL: Java prints `Id.toString() + ": " + perms`, and a record's toString
 * ends with a newline, so the permissions land on a line of their own.
 */
export function aclLine(a: ACL): string {
  return `${juteString(a.id.scheme)},${juteString(a.id.id)}\n: ${permString(a.perms)}`;
}

/** AclParser: "scheme:id:perms[,...]"; malformed entries are reported on `err` and skipped. */
export function parseAcl(text: string, err: (line: string) => void): ACL[] {
  const out: ACL[] = [];
  for (const a of text.split(',')) {
    const first = a.indexOf(':');
    const last = a.lastIndexOf(':');
    if (first === -1 || first === last) {
      err(`${a} does not have the form scheme:id:perm`);
      continue;
    }
    let perms = 0;
    for (const c of a.substring(last + 1)) {
      if (c === 'r') perms |= Perms.READ;
      else if (c === 'w') perms |= Perms.WRITE;
      else if (c === 'c') perms |= Perms.CREATE;
      else if (c === 'd') perms |= Perms.DELETE;
      else if (c === 'a') perms |= Perms.ADMIN;
      else err(`Unknown perm type: ${c}`);
    }
    out.push({ perms, id: { scheme: a.substring(0, first), id: a.substring(first + 1, last) } });
  }
  return out;
}

const eventTypeNames = new Map<number, string>(Object.entries(EventType).map(([k, v]) => [v, k]));
const stateNames = new Map<number, string>(Object.entries(KeeperState).map(([k, v]) => [v, k]));

/** WatchedEvent#toString. */
export function watchedEventText(e: { type: number; state: number; path: string | null }): string {
  return `WatchedEvent state:${stateNames.get(e.state) ?? e.state} type:${eventTypeNames.get(e.type) ?? e.type} path:${e.path ?? 'null'}`;
}

/** KeeperException's own message: "KeeperErrorCode = NoNode for /x". */
export function keeperMessage(code: number, path?: string | null): string {
  const name = code === Err.ConnectionLoss ? 'ConnectionLoss' : errName(code);
  return `KeeperErrorCode = ${name}${path ? ` for ${path}` : ''}`;
}

/** CliWrapperException's message for a KeeperException. */
export function cliErrorMessage(code: number, path?: string | null): string {
  const p = path ?? 'null';
  switch (code) {
    case Err.NoNode:
      return `Node does not exist: ${p}`;
    case Err.NoChildrenForEphemerals:
      return `Ephemerals cannot have children: ${p}`;
    case Err.NodeExists:
      return `Node already exists: ${p}`;
    case Err.NotEmpty:
      return `Node not empty: ${p}`;
    case Err.NotReadOnly:
      return `Not a read-only call: ${p}`;
    case Err.InvalidACL:
      return `Acl is not valid : ${p}`;
    case Err.NoAuth:
      return `Insufficient permission : ${p}`;
    case Err.BadArguments:
      return `Arguments are not valid : ${p}`;
    case Err.BadVersion:
      return `version No is not valid : ${p}`;
    case Err.ReconfigInProgress:
      return 'Another reconfiguration is in progress -- concurrent reconfigs not supported (yet)';
    case Err.NewConfigNoQuorum:
      return 'No quorum of new config is connected and up-to-date with the leader of last commmitted config - try invoking reconfiguration after new servers are connected and synced';
    case Err.QuotaExceeded:
      return `Quota has exceeded : ${p}`;
    default:
      return keeperMessage(code, path);
  }
}
