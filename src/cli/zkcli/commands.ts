/**
 * zkCli's commands, with Apache ZooKeeper 3.8's names, flags, usage strings, outputs and error
 * messages (learned from its CLI's behaviour; written anew).
 */
import { Err } from '../../jute/constants.js';
import type { ACL } from '../../jute/records.js';
import { formatStatsTrack, parseStatsTrack } from '../../tree/quota.js';
import { CliParseError, parseCommandLine, type OptionGroupSpec, type OptionSpec, type ParsedCommandLine } from './cli-options.js';
import { aclLine, cliErrorMessage, parseAcl, statLines } from './format.js';
import { BadPathError, ZkCallError, type AddWatchMode, type CreateMode, type WatcherKind, type ZkCliBackend } from './backend.js';

export interface CliOutput {
  out(line: string): void;
  err(line: string): void;
}

/** A command failed: its message goes to stderr, and a one-shot zkCli exits with `exitCode`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

interface CommandSpec {
  name: string;
  usage: string;
  options?: OptionSpec[];
  groups?: OptionGroupSpec[];
  /** Checks after parsing (argument counts), throwing CliParseError with the usage. */
  check?(cl: ParsedCommandLine, usage: string): void;
  /**
   * The 3.4 form with one argument too many (`ls path watch`, `delete path version`): 3.8 prints
   * this deprecation and, with `watch`, reads the third token as -w (its retainCompatibility).
   */
  legacy?: { message: string; thirdTokenIsWatch: boolean };
  run(ctx: CommandContext, cl: ParsedCommandLine): Promise<void>;
}

export interface CommandContext {
  zk: ZkCliBackend;
  io: CliOutput;
}

const OPEN_ACL: ACL[] = [{ perms: 31, id: { scheme: 'world', id: 'anyone' } }];
const flag = (name: string, description: string): OptionSpec => ({ name, hasArg: false, description });
const withArg = (name: string, description: string): OptionSpec => ({ name, hasArg: true, description });
const atLeast = (n: number) => (cl: ParsedCommandLine, usage: string): void => {
  if (cl.args.length < n) throw new CliParseError(usage);
};

/** Runs a client call, turning its failure into the CLI's message. */
async function call<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    if (e instanceof ZkCallError) throw new CliError(cliErrorMessage(e.code, e.path));
    if (e instanceof BadPathError) throw new CliError(e.message);
    throw e;
  }
}

/** Integer.parseInt, whose failure Apache's CLI does not catch: here it is one line, not a stack trace. */
function javaInt(text: string | undefined): number {
  if (text === undefined || !/^[+-]?\d+$/.test(text) || Math.abs(Number(text)) > 2147483647) throw new CliError(`For input string: "${text ?? ''}"`);
  return Number(text);
}

const QUOTA_ROOT = '/zookeeper/quota';
const quotaPath = (p: string): string => `${QUOTA_ROOT}${p}`;

async function listSubTreeBFS(zk: ZkCliBackend, root: string): Promise<string[]> {
  const out = [root];
  for (let i = 0; i < out.length; i++) {
    const { children } = await zk.getChildren(out[i], false);
    for (const c of children) out.push(out[i] === '/' ? `/${c}` : `${out[i]}/${c}`);
  }
  return out;
}

/** ZKUtil.visitSubTreeDFS: the node, then each child's subtree, in the server's child order. */
async function visitDFS(zk: ZkCliBackend, path: string, watch: boolean, visit: (p: string) => Promise<void> | void): Promise<void> {
  const { children } = await zk.getChildren(path, watch);
  await visit(path);
  for (const c of children) await visitDFS(zk, path === '/' ? `/${c}` : `${path}/${c}`, watch, visit);
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'ls',
    usage: '[-s] [-w] [-R] path',
    legacy: { message: "'ls path [watch]' has been deprecated. Please use 'ls [-w] path' instead.", thirdTokenIsWatch: true },
    options: [flag('?', 'help'), flag('s', 'stat'), flag('w', 'watch'), flag('R', 'recurse')],
    async run({ zk, io }, cl) {
      if (cl.args.length < 2) throw new CliError('ls [-s] [-w] [-R] path');
      const path = cl.args[1];
      if (cl.has('R')) {
        await call(() => visitDFS(zk, path, cl.has('w'), (p) => io.out(p)));
        return;
      }
      const r = await call(() => zk.getChildren(path, cl.has('w')));
      io.out(`[${[...r.children].sort().join(', ')}]`);
      if (cl.has('s')) for (const l of statLines(r.stat)) io.out(l);
    },
  },
  {
    name: 'create',
    usage: '[-s] [-e] [-c] [-t ttl] path [data] [acl]',
    options: [flag('e', 'ephemeral'), flag('s', 'sequential'), flag('c', 'container'), withArg('t', 'ttl')],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const e = cl.has('e');
      const s = cl.has('s');
      const c = cl.has('c');
      const t = cl.has('t');
      if (c && (e || s)) throw new CliError('-c cannot be combined with -s or -e. Containers cannot be ephemeral or sequential.');
      let ttl = 0n;
      if (t) {
        const v = cl.value('t') ?? '';
        if (!/^[+-]?\d+$/.test(v)) throw new CliError('-t argument must be a long value');
        ttl = BigInt(v);
      }
      if (t && e) throw new CliError('TTLs cannot be used with Ephemeral znodes');
      if (t && c) throw new CliError('TTLs cannot be used with Container znodes');
      const mode: CreateMode = e && s ? 'ephemeral_sequential' : e ? 'ephemeral' : s ? (t ? 'persistent_sequential_with_ttl' : 'persistent_sequential') : c ? 'container' : t ? 'persistent_with_ttl' : 'persistent';
      if (t && (ttl <= 0n || ttl > 0xffffffffffn)) throw new CliError(`ttl must be positive and cannot be larger than: ${0xffffffffffn}`);
      const path = cl.args[1];
      const data = cl.args.length > 2 ? Buffer.from(cl.args[2], 'utf8') : null;
      const acl = cl.args.length > 3 ? parseAcl(cl.args[3], io.err) : OPEN_ACL;
      try {
        const created = await zk.create(path, data, acl, mode, ttl);
        io.err(`Created ${created}`);
      } catch (err) {
        if (err instanceof ZkCallError && err.code === Err.EphemeralOnLocalSession) io.err('Unable to create ephemeral node on a local session');
        if (err instanceof ZkCallError && err.code === Err.InvalidACL) io.err(`KeeperErrorCode = InvalidACL for ${err.path ?? path}`);
        await call(() => Promise.reject(err));
      }
    },
  },
  {
    name: 'get',
    usage: '[-s] [-w] path',
    legacy: { message: "'get path [watch]' has been deprecated. Please use 'get [-s] [-w] path' instead.", thirdTokenIsWatch: true },
    options: [flag('s', 'stats'), flag('w', 'watch')],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const r = await call(() => zk.getData(cl.args[1], cl.has('w')));
      io.out(r.data === null ? 'null' : r.data.toString('utf8'));
      if (cl.has('s')) for (const l of statLines(r.stat)) io.out(l);
    },
  },
  {
    name: 'set',
    usage: '[-s] [-v version] path data',
    options: [flag('s', 'stats'), withArg('v', 'version')],
    check: atLeast(3),
    async run({ zk, io }, cl) {
      const version = cl.has('v') ? javaInt(cl.value('v')) : -1;
      const stat = await call(() => zk.setData(cl.args[1], Buffer.from(cl.args[2], 'utf8'), version));
      if (cl.has('s')) for (const l of statLines(stat)) io.out(l);
    },
  },
  {
    name: 'stat',
    usage: '[-w] path',
    legacy: { message: "'stat path [watch]' has been deprecated. Please use 'stat [-w] path' instead.", thirdTokenIsWatch: true },
    options: [flag('w', 'watch')],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const path = cl.args[1];
      const stat = await call(() => zk.exists(path, cl.has('w')));
      if (stat === null) throw new CliError(`Node does not exist: ${path}`);
      for (const l of statLines(stat)) io.out(l);
    },
  },
  {
    name: 'delete',
    usage: '[-v version] path',
    legacy: { message: "'delete path [version]' has been deprecated. Please use 'delete [-v version] path' instead.", thirdTokenIsWatch: false },
    options: [withArg('v', 'version')],
    check: atLeast(2),
    async run({ zk }, cl) {
      const version = cl.has('v') ? javaInt(cl.value('v')) : -1;
      await call(() => zk.delete(cl.args[1], version));
    },
  },
  ...['deleteall', 'rmr'].map(
    (name): CommandSpec => ({
      name,
      usage: 'path [-b batch size]',
      options: [withArg('b', 'batch size')],
      check: atLeast(2),
      async run({ zk, io }, cl) {
        const b = cl.value('b');
        if (cl.has('b') && (b === undefined || !/^[+-]?\d+$/.test(b))) throw new CliError('-b argument must be an int value');
        const batch = cl.has('b') ? Number(b) : 1000;
        const tree = await call(() => listSubTreeBFS(zk, cl.args[1]));
        let ok = true;
        let ops: string[] = [];
        for (let i = tree.length - 1; i >= 0 && ok; i--) {
          ops.push(tree[i]);
          if (ops.length === batch || i === 0) {
            ok = await zk.deleteMany(ops);
            ops = [];
          }
        }
        if (!ok) io.err('Failed to delete some node(s) in the subtree!');
      },
    }),
  ),
  {
    name: 'setAcl',
    usage: '[-s] [-v version] [-R] path acl',
    options: [flag('s', 'stats'), withArg('v', 'version'), flag('R', 'recursive')],
    check: atLeast(3),
    async run({ zk, io }, cl) {
      const acl = parseAcl(cl.args[2], io.err);
      const version = cl.has('v') ? javaInt(cl.value('v')) : -1;
      if (cl.has('R')) {
        await call(() =>
          visitDFS(zk, cl.args[1], false, async (p) => {
            try {
              await zk.setACL(p, acl, version);
            } catch (e) {
              if (e instanceof ZkCallError) io.out(e.message);
              else throw e;
            }
          }),
        );
        return;
      }
      const stat = await call(() => zk.setACL(cl.args[1], acl, version));
      if (cl.has('s')) for (const l of statLines(stat)) io.out(l);
    },
  },
  {
    name: 'getAcl',
    usage: '[-s] path',
    options: [flag('s', 'stats')],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const r = await call(() => zk.getACL(cl.args[1]));
      for (const a of r.acl) io.out(aclLine(a));
      if (cl.has('s')) for (const l of statLines(r.stat)) io.out(l);
    },
  },
  {
    name: 'addauth',
    usage: 'scheme auth',
    check: atLeast(2),
    async run({ zk }, cl) {
      await call(() => zk.addAuth(cl.args[1], Buffer.from(cl.args[2] ?? '', 'utf8')));
    },
  },
  {
    name: 'sync',
    usage: 'path',
    check: atLeast(2),
    async run({ zk, io }, cl) {
      try {
        await zk.sync(cl.args[1]);
        io.out('Sync is OK');
      } catch (e) {
        if (e instanceof ZkCallError) io.out(`Sync has failed. rc=${e.code}`);
        else if (e instanceof BadPathError) throw new CliError(e.message);
        else throw e;
      }
    },
  },
  {
    name: 'addWatch',
    usage: '[-m mode] path # optional mode is one of [PERSISTENT, PERSISTENT_RECURSIVE] - default is PERSISTENT_RECURSIVE',
    options: [withArg('m', '')],
    check(cl, usage) {
      if (cl.args.length !== 2) throw new CliParseError(usage);
      const m = cl.value('m');
      if (cl.has('m') && m?.toUpperCase() !== 'PERSISTENT' && m?.toUpperCase() !== 'PERSISTENT_RECURSIVE') throw new CliParseError(usage);
    },
    async run({ zk }, cl) {
      const mode = (cl.value('m')?.toUpperCase() ?? 'PERSISTENT_RECURSIVE') as AddWatchMode;
      await call(() => zk.addWatch(cl.args[1], mode));
    },
  },
  {
    name: 'removewatches',
    usage: 'path [-c|-d|-a] [-l]',
    options: [flag('c', 'child watcher type'), flag('d', 'data watcher type'), flag('a', 'any watcher type'), flag('l', 'remove locally when there is no server connection')],
    check: atLeast(2),
    async run({ zk }, cl) {
      const kind: WatcherKind = cl.has('c') ? 'children' : cl.has('d') ? 'data' : 'any';
      await call(() => zk.removeAllWatches(cl.args[1], kind, cl.has('l')));
    },
  },
  {
    name: 'getEphemerals',
    usage: 'path',
    async run({ zk, io }, cl) {
      const list = await call(() => zk.getEphemerals(cl.args[1] ?? '/'));
      io.out(`[${list.join(', ')}]`);
    },
  },
  {
    name: 'getAllChildrenNumber',
    usage: 'path',
    async run({ zk, io }, cl) {
      if (cl.args.length < 2) throw new CliError('getAllChildrenNumber path');
      io.out(String(await call(() => zk.getAllChildrenNumber(cl.args[1]))));
    },
  },
  {
    name: 'whoami',
    usage: '',
    async run({ zk, io }) {
      const ids = await call(() => zk.whoAmI());
      io.out('Auth scheme: User');
      for (const i of ids) io.out(`${i.scheme}: ${i.user}`);
    },
  },
  {
    name: 'config',
    usage: '[-c] [-w] [-s]',
    options: [flag('s', 'stats'), flag('w', 'watch'), flag('c', 'client connection string')],
    async run({ zk, io }, cl) {
      const r = await call(() => zk.getData('/zookeeper/config', cl.has('w')));
      const text = r.data === null ? 'null' : r.data.toString('utf8');
      if (cl.has('c')) {
        // ConfigUtils.getClientConfigStr: version, then the client addresses of the servers.
        const lines = text.split('\n');
        const version = lines.find((l) => l.startsWith('version='))?.substring('version='.length) ?? '';
        const clients = lines.filter((l) => l.startsWith('server.')).map((l) => {
          const client = l.split(';')[1] ?? '';
          return client.includes(':') ? client : `${l.split('=')[1]?.split(':')[0] ?? ''}:${client}`;
        });
        io.out(`${version} ${clients.join(',')}`);
      } else io.out(text);
      if (cl.has('s')) for (const l of statLines(r.stat)) io.out(l);
    },
  },
  {
    name: 'reconfig',
    usage: '[-s] [-v version] [[-file path] | [-members serverID=host:port1:port2;port3[,...]*]] | [-add serverId=host:port1:port2;port3[,...]]* [-remove serverId[,...]*]',
    options: [flag('s', 'stats'), withArg('v', 'required current config version'), withArg('file', 'path of config file to parse for membership'),
      withArg('members', 'comma-separated list of config strings for non-incremental reconfig'), withArg('add', 'comma-separated list of config strings for new servers'),
      withArg('remove', 'comma-separated list of server IDs to remove')],
    check(cl, usage) {
      if (!(cl.has('file') || cl.has('members')) && !cl.has('add') && !cl.has('remove')) throw new CliParseError(usage);
      if ((cl.has('file') || cl.has('members')) && (cl.has('add') || cl.has('remove'))) {
        throw new CliParseError("Can't use -file or -members together with -add or -remove (mixing incremental and non-incremental modes is not allowed)");
      }
      if (cl.has('file') && cl.has('members')) throw new CliParseError("Can't use -file and -members together (conflicting non-incremental modes)");
    },
    async run() {
      // A standalone server answers reconfig with "unimplemented", as Apache's standalone does.
      throw new CliError(cliErrorMessage(Err.Unimplemented));
    },
  },
  {
    name: 'setquota',
    usage: '-n|-b|-N|-B val path',
    options: [withArg('n', 'num soft quota'), withArg('b', 'bytes soft quota'), withArg('N', 'num hard quota'), withArg('B', 'bytes hard quota')],
    groups: [{ names: ['n', 'b', 'N', 'B'], required: true }],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const path = cl.args[1];
      if (path.startsWith(QUOTA_ROOT)) {
        io.err(`cannot set a quota under the path: ${QUOTA_ROOT}`);
        return;
      }
      const quota = new Map<string, number>([['count', -1], ['bytes', -1], ['countHardLimit', -1], ['byteHardLimit', -1]]);
      const opts: [string, string, boolean][] = [['n', 'count', true], ['b', 'bytes', false], ['N', 'countHardLimit', true], ['B', 'byteHardLimit', false]];
      for (const [o, key, isCount] of opts) {
        if (!cl.has(o)) continue;
        const v = cl.value(o) ?? '';
        if (!/^[+-]?\d+$/.test(v)) {
          io.err('NumberFormatException happens when parsing the option value');
          return;
        }
        const n = Number(v);
        if (isCount ? n <= 0 : n < 0) {
          io.err(isCount ? 'the num quota must be greater than zero' : 'the bytes quota must be greater than or equal to zero');
          return;
        }
        quota.set(key, n);
      }
      await call(() => createQuota(zk, path, quota, io));
    },
  },
  {
    name: 'listquota',
    usage: 'path',
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const path = cl.args[1];
      io.err(`absolute path is ${quotaPath(path)}/zookeeper_limits`);
      try {
        const limits = await zk.getData(`${quotaPath(path)}/zookeeper_limits`, false);
        const stats = await zk.getData(`${quotaPath(path)}/zookeeper_stats`, false);
        io.out(`Output quota for ${path} ${statsTrackText(limits.data)}`);
        io.out(`Output stat for ${path} ${statsTrackText(stats.data)}`);
      } catch (e) {
        if (e instanceof ZkCallError && e.code === Err.NoNode) io.err(`quota for ${path} does not exist.`);
        else await call(() => Promise.reject(e));
      }
    },
  },
  {
    name: 'delquota',
    usage: '[-n|-b|-N|-B] path',
    options: [flag('n', 'num soft quota'), flag('b', 'bytes soft quota'), flag('N', 'num hard quota'), flag('B', 'bytes hard quota')],
    groups: [{ names: ['n', 'b', 'N', 'B'], required: false }],
    check: atLeast(2),
    async run({ zk, io }, cl) {
      const path = cl.args[1];
      const limitPath = `${quotaPath(path)}/zookeeper_limits`;
      try {
        if ((await zk.exists(limitPath, false)) === null) {
          io.out(`Quota does not exist for ${path}`);
          return;
        }
        const limits = parseStatsTrack((await zk.getData(limitPath, false)).data?.toString('utf8') ?? null);
        const which = [['n', 'count'], ['b', 'bytes'], ['N', 'countHardLimit'], ['B', 'byteHardLimit']].filter(([o]) => cl.has(o));
        if (which.length === 0) {
          const { children } = await zk.getChildren(quotaPath(path), false);
          for (const c of children) await zk.delete(`${quotaPath(path)}/${c}`, -1);
          await trimQuotaParents(zk, quotaPath(path));
        } else {
          for (const [, key] of which) limits.set(key, -1);
          await zk.setData(limitPath, Buffer.from(formatStatsTrack(limits)), -1);
        }
      } catch (e) {
        if (e instanceof ZkCallError && e.code === Err.NoNode) io.err(`quota for ${path} does not exist.`);
        else await call(() => Promise.reject(e));
      }
    },
  },
  {
    name: 'version',
    usage: '',
    check(cl, usage) {
      if (cl.args.length > 1) throw new CliParseError(usage);
    },
    async run({ io }) {
      const { FULL_VERSION } = await import('../../admin/version.js');
      io.out(`ZooKeeper CLI version: ${FULL_VERSION}`);
    },
  },
  {
    name: 'close',
    usage: '',
    async run({ zk }) {
      await zk.close();
    },
  },
];

function statsTrackText(data: Buffer | null): string {
  return formatStatsTrack(parseStatsTrack(data?.toString('utf8') ?? null));
}

async function createQuota(zk: ZkCliBackend, path: string, quota: Map<string, number>, io: CliOutput): Promise<void> {
  if ((await zk.exists(path, false)) === null) throw new CliError(`${path} does not exist.`);
  // No quota on a parent or a child of this path.
  const parts = path.split('/');
  let prefix = QUOTA_ROOT;
  for (let i = 1; i < parts.length - 1; i++) {
    prefix += `/${parts[i]}`;
    let kids: string[];
    try {
      kids = (await zk.getChildren(prefix, false)).children;
    } catch {
      break;
    }
    if (kids.includes('zookeeper_limits')) throw new CliError(`${path} has a parent ${prefix.substring(QUOTA_ROOT.length)} which has a quota`);
  }
  try {
    await visitDFS(zk, quotaPath(path), false, async (p) => {
      if (p === quotaPath(path)) return;
      const kids = (await zk.getChildren(p, false).catch(() => ({ children: [] as string[] }))).children;
      if (kids.includes('zookeeper_limits')) throw new CliError(`${path} has a child ${p.substring(QUOTA_ROOT.length)} which has a quota`);
    });
  } catch (e) {
    if (!(e instanceof ZkCallError)) throw e;
  }
  const ensure = async (p: string): Promise<void> => {
    if ((await zk.exists(p, false)) !== null) return;
    try {
      await zk.create(p, null, OPEN_ACL, 'persistent', 0n);
    } catch (e) {
      if (!(e instanceof ZkCallError && e.code === Err.NodeExists)) throw e;
    }
  };
  let q = QUOTA_ROOT;
  for (let i = 1; i < parts.length; i++) {
    q += `/${parts[i]}`;
    await ensure(q);
  }
  const limitPath = `${q}/zookeeper_limits`;
  const statPath = `${q}/zookeeper_stats`;
  let limits: Map<string, number>;
  const isNew = (await zk.exists(limitPath, false)) === null;
  if (isNew) {
    await zk.create(limitPath, Buffer.from(formatStatsTrack(quota)), OPEN_ACL, 'persistent', 0n);
    await zk.create(statPath, Buffer.from(formatStatsTrack(new Map([['count', 0], ['bytes', 0]]))), OPEN_ACL, 'persistent', 0n);
    limits = parseStatsTrack((await zk.getData(limitPath, false)).data?.toString('utf8') ?? null);
  } else {
    limits = parseStatsTrack((await zk.getData(limitPath, false)).data?.toString('utf8') ?? null);
    for (const [k, v] of quota) if (v > -1) limits.set(k, v);
  }
  const stats = parseStatsTrack((await zk.getData(statPath, false)).data?.toString('utf8') ?? null);
  const get = (m: Map<string, number>, k: string): number => m.get(k) ?? -1;
  if ((get(limits, 'count') > -1 && get(limits, 'count') < get(stats, 'count')) || (get(limits, 'countHardLimit') > -1 && get(limits, 'countHardLimit') < get(stats, 'count'))) {
    io.out(`[Warning]: the count quota you create is less than the existing count:${get(stats, 'count')}`);
  }
  if ((get(limits, 'bytes') > -1 && get(limits, 'bytes') < get(stats, 'bytes')) || (get(limits, 'byteHardLimit') > -1 && get(limits, 'byteHardLimit') < get(stats, 'bytes'))) {
    io.out(`[Warning]: the bytes quota you create is less than the existing bytes:${get(stats, 'bytes')}`);
  }
  if (!isNew) await zk.setData(limitPath, Buffer.from(formatStatsTrack(limits)), -1);
}

async function trimQuotaParents(zk: ZkCliBackend, path: string): Promise<void> {
  if (path === QUOTA_ROOT) return;
  const { children } = await zk.getChildren(path, false);
  if (children.length > 0) return;
  await zk.delete(path, -1);
  await trimQuotaParents(zk, path.substring(0, path.lastIndexOf('/')));
}

/** Commands the shell handles itself, with their usage (ZooKeeperMain's commandMap). */
export const SHELL_COMMANDS: Record<string, string> = {
  connect: 'host:port',
  history: '',
  redo: 'cmdno',
  printwatches: 'on|off',
  quit: '',
};

export const COMMAND_NAMES: string[] = [...Object.keys(SHELL_COMMANDS), ...COMMANDS.map((c) => c.name)].sort();

/** ZooKeeperMain.usage(), to stderr. */
export function usageLines(): string[] {
  const usage = new Map<string, string>([...Object.entries(SHELL_COMMANDS), ...COMMANDS.map((c): [string, string] => [c.name, c.usage])]);
  return ['ZooKeeper -server host:port -client-configuration properties-file cmd args', ...COMMAND_NAMES.map((n) => `\t${n} ${usage.get(n)}`)];
}

/**
 * Commands of the 3.4 shell that 3.8 dropped, kept so that tutorials written for 3.4 work: not in
 * the usage (it stays 3.8's), found by name.
 */
const LEGACY_COMMANDS: CommandSpec[] = [
  {
    name: 'ls2',
    usage: 'path [watch]',
    check: atLeast(2),
    async run({ zk, io }, cl) {
      io.err("'ls2' has been deprecated. Please use 'ls [-s] path' instead.");
      const r = await call(() => zk.getChildren(cl.args[1], cl.args.length > 2));
      io.out(`[${[...r.children].sort().join(', ')}]`);
      for (const l of statLines(r.stat)) io.out(l);
    },
  },
];

export function findCommand(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name) ?? LEGACY_COMMANDS.find((c) => c.name === name);
}

/** Parses `tokens` (the command name first) for `spec` and runs it. */
export async function runCommand(spec: CommandSpec, tokens: string[], ctx: CommandContext): Promise<void> {
  const usage = `${spec.name} ${spec.usage}`;
  let cl: ParsedCommandLine;
  try {
    cl = parseCommandLine(tokens, spec.options ?? [], spec.groups ?? []);
    spec.check?.(cl, usage);
    if (spec.legacy && cl.args.length > 2) {
      ctx.io.err(spec.legacy.message);
      // As Java: the third token becomes -w, whatever it was (`ls -s / watch` then lists "watch").
      const again = [...tokens];
      if (spec.legacy.thirdTokenIsWatch) again[2] = '-w';
      cl = parseCommandLine(again, spec.options ?? [], spec.groups ?? []);
    }
  } catch (e) {
    if (e instanceof CliParseError) throw new CliError(e.message);
    throw e;
  }
  await spec.run(ctx, cl);
}
