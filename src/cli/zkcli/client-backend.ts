/** zkCli's backend on tszk's own client (src/client). */
import { ZooKeeperClient, ZooKeeperError, InvalidPathError, type CreateMode as ClientCreateMode } from '../../client/index.js';
import { EventType as EventTypeCodes, KeeperState as KeeperStateCodes } from '../../jute/constants.js';
import { BadPathError, ZkCallError, type CreateMode, type ZkCliBackend } from './backend.js';
import type { BackendFactory } from './shell.js';

const MODES: Record<CreateMode, ClientCreateMode> = {
  persistent: 'persistent',
  persistent_sequential: 'persistentSequential',
  ephemeral: 'ephemeral',
  ephemeral_sequential: 'ephemeralSequential',
  container: 'container',
  persistent_with_ttl: 'persistentWithTTL',
  persistent_sequential_with_ttl: 'persistentSequentialWithTTL',
};

async function wrap<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    // Java's PathUtils says the first few problems alone, the others after the path.
    if (e instanceof InvalidPathError) {
      const bare = /^Path (cannot be null|length must be|must start with|must not end with)/.test(e.reason);
      throw new BadPathError(bare ? e.reason : `Invalid path string "${e.path ?? ''}" caused by ${e.reason}`);
    }
    if (e instanceof ZooKeeperError) throw new ZkCallError(e.code, e.path ?? null, e.message);
    throw e;
  }
}

export const clientBackend: BackendFactory = (connectString, opts) => {
  const zk = new ZooKeeperClient(connectString, { sessionTimeout: opts.timeout, readOnly: opts.readOnly });
  zk.on('watch', (e) => opts.onEvent({ type: EventTypeCodes[e.type], state: KeeperStateCodes[e.state], path: e.path }));
  zk.on('error', () => undefined);
  // Like Java's client, calls made before the session exists wait for it.
  const ready = zk.ready(opts.timeout).catch(() => undefined);
  const call = async <T>(f: () => Promise<T>): Promise<T> => {
    await ready;
    return wrap(f);
  };
  const backend: ZkCliBackend = {
    state: () => zk.zkState,
    isAlive: () => zk.zkState !== 'CLOSED' && zk.zkState !== 'AUTH_FAILED',
    create: (path, data, acl, mode, ttl) => call(async () => (await zk.create(path, data, { acl, mode: MODES[mode], ttl: ttl > 0n ? Number(ttl) : undefined })).path),
    delete: (path, version) => call(() => zk.delete(path, version)),
    exists: (path, watch) => call(() => zk.exists(path, { watch })),
    getData: (path, watch) => call(async () => {
      const r = await zk.getData(path, { watch });
      return { data: r.data, stat: r.stat };
    }),
    setData: (path, data, version) => call(() => zk.setData(path, data, version)),
    getChildren: (path, watch) => call(async () => {
      const r = await zk.getChildren(path, { watch });
      return { children: [...r.children], stat: r.stat };
    }),
    getACL: (path) => call(async () => {
      const r = await zk.getACL(path);
      return { acl: [...r.acl], stat: r.stat };
    }),
    setACL: (path, acl, version) => call(() => zk.setACL(path, acl, version)),
    sync: (path) => call(async () => void (await zk.sync(path))),
    addWatch: (path, mode) => call(() => zk.addWatch(path, mode === 'PERSISTENT' ? 'persistent' : 'persistentRecursive')),
    removeAllWatches: (path, kind, local) => call(() => zk.removeAllWatches(path, kind, { local })),
    getEphemerals: (prefix) => call(() => zk.getEphemerals(prefix)),
    getAllChildrenNumber: (path) => call(() => zk.getAllChildrenNumber(path)),
    whoAmI: () => call(async () => (await zk.whoAmI()).map((c) => ({ scheme: c.scheme, user: c.user }))),
    addAuth: (scheme, auth) => call(() => zk.addAuth(scheme, auth)),
    deleteMany: async (paths) => {
      await ready;
      try {
        await zk.multi(paths.map((path) => ({ op: 'delete' as const, path, version: -1 })));
        return true;
      } catch {
        return false;
      }
    },
    close: () => zk.close(),
  };
  return backend;
};
