/**
 * Service registry and discovery with client-side load balancing (the tutorial's "servers online
 * and offline" and "soft load balancing"): a server registers an ephemeral-sequential node under
 * `<base>/<service>` holding its address as JSON; it goes away with the server's session. Clients
 * keep the list in a ChildrenCache (watched, so it follows servers coming and going) and pick an
 * instance round robin, at random, or with their own strategy.
 */
import { EventEmitter } from 'node:events';
import type { ZooKeeperClient } from '../client/api.js';
import { joinPath } from '../client/path.js';
import type { ConnectionState } from '../client/types.js';
import { ChildrenCache, type CachedNode } from './cache.js';
import { deleteQuietly, isFatal, protectedCreate, retrying, sequenceOf, sleep } from './util.js';

/** What a server registers. */
export interface ServiceAddress {
  /** Host name or address clients connect to. */
  host: string;
  /** Port clients connect to. */
  port: number;
  /** Anything else clients should know (JSON-serializable). */
  payload?: unknown;
}

/** A registered instance as clients see it. */
export interface ServiceInstance extends ServiceAddress {
  /** The instance's node name (unique in the service). */
  id: string;
  /** The instance's node. */
  path: string;
}

/** Where services are registered unless told otherwise. */
export const DEFAULT_SERVICES_PATH = '/services';

/**
 * A server's registration: an ephemeral node that lasts as long as the session, or until
 * unregister(). When the session expires and the client starts a new one (`renewSessionOnExpiry`),
 * the instance registers again (with a new node: `path` changes).
 */
export class Registration {
  private current: string;
  private done = false;
  private readonly onState = (s: ConnectionState): void => {
    if (s === 'connected' && !this.done) void this.again();
  };

  /** @internal Made by ServiceRegistry.register(). */
  constructor(
    private readonly client: ZooKeeperClient,
    private readonly dir: string,
    private readonly data: string,
    path: string,
  ) {
    this.current = path;
    client.on('state', this.onState);
  }

  /** The instance's node now. */
  get path(): string {
    return this.current;
  }

  private async again(): Promise<void> {
    for (let attempt = 0; !this.done; attempt++) {
      try {
        await retrying(() => this.client.mkdirp(this.dir));
        const p = await protectedCreate(this.client, this.dir, INSTANCE_PREFIX, this.data);
        if (this.done) await deleteQuietly(this.client, p);
        else this.current = p;
        return;
      } catch (e) {
        if (isFatal(e) && !this.client.isAlive) return;
        await sleep(Math.min(5000, 100 * 2 ** attempt));
      }
    }
  }

  /** Removes the instance (clients see it go) and stops registering it again. */
  async unregister(): Promise<void> {
    this.done = true;
    this.client.off('state', this.onState);
    await deleteQuietly(this.client, this.current);
  }
}

const INSTANCE_PREFIX = 'instance-';

/** Registers instances of services: `<base>/<service>/…instance-<seq>` nodes holding the address as JSON. */
export class ServiceRegistry {
  constructor(
    /** The client whose session keeps the registrations. */
    readonly client: ZooKeeperClient,
    /** The parent of every service's directory. */
    readonly basePath = DEFAULT_SERVICES_PATH,
  ) {}

  /**
   * Registers an instance of `service`. A registration whose reply was lost with the connection is
   * found again (never doubled).
   */
  async register(service: string, address: ServiceAddress): Promise<Registration> {
    const dir = joinPath(this.basePath, service);
    const data = JSON.stringify(address);
    await retrying(() => this.client.mkdirp(dir));
    const path = await protectedCreate(this.client, dir, INSTANCE_PREFIX, data);
    return new Registration(this.client, dir, data, path);
  }
}

/** Picks one instance of a non-empty list. */
export type LoadBalancer = (instances: readonly ServiceInstance[]) => ServiceInstance;

/** Each instance in turn (the list is in registration order). */
export function roundRobin(): LoadBalancer {
  let next = 0;
  return (instances) => instances[next++ % instances.length]!;
}

/** Any instance, at random (`rng` returns numbers in [0, 1)). */
export function random(rng: () => number = Math.random): LoadBalancer {
  return (instances) => instances[Math.floor(rng() * instances.length)]!;
}

/** The events of a ServiceDiscovery. */
export interface ServiceDiscoveryEvents {
  /** The instances changed (a server came or went). */
  changed: [readonly ServiceInstance[]];
  /** A read of the instances failed (it is tried again). */
  error: [unknown];
}

/**
 * Follows the instances of one service (a watched ChildrenCache) and picks one per call with a
 * load balancer: round robin by default, `random()`, or your own.
 *
 * ```ts
 * const orders = await new ServiceDiscovery(zk, 'orders').start();
 * const target = orders.pick(); // undefined while none is online
 * ```
 */
export class ServiceDiscovery extends EventEmitter<ServiceDiscoveryEvents> {
  private readonly cache: ChildrenCache;
  private list: ServiceInstance[] = [];

  constructor(
    /** The client the instances are read through. */
    readonly client: ZooKeeperClient,
    /** The service's name (its directory under the base path). */
    readonly service: string,
    private readonly opts: { basePath?: string; balancer?: LoadBalancer } = {},
  ) {
    super();
    this.cache = new ChildrenCache(client, joinPath(opts.basePath ?? DEFAULT_SERVICES_PATH, service));
    this.cache.on('changed', (children) => {
      this.list = [...children.values()]
        .map(toInstance)
        .filter((i): i is ServiceInstance => i !== null)
        .sort((a, b) => (sequenceOf(a.id) ?? 0) - (sequenceOf(b.id) ?? 0) || (a.id < b.id ? -1 : 1));
      this.emit('changed', this.list);
    });
    this.cache.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e);
    });
  }

  /** Reads the instances and follows them; resolves once they are read. */
  async start(): Promise<this> {
    await this.cache.start();
    return this;
  }

  /** The instances now, in registration order. */
  instances(): readonly ServiceInstance[] {
    return this.list;
  }

  /** An instance chosen by the balancer (round robin by default), or undefined when none is up. */
  pick(): ServiceInstance | undefined {
    this.opts.balancer ??= roundRobin();
    return this.list.length === 0 ? undefined : this.opts.balancer(this.list);
  }

  /** Stops following the instances. */
  close(): void {
    this.cache.close();
  }
}

function toInstance(node: CachedNode): ServiceInstance | null {
  try {
    const a = JSON.parse(node.data?.toString('utf8') ?? '') as Partial<ServiceAddress>;
    if (typeof a.host !== 'string' || typeof a.port !== 'number') return null;
    return { host: a.host, port: a.port, payload: a.payload, id: node.path.slice(node.path.lastIndexOf('/') + 1), path: node.path };
  } catch {
    return null; // not ours: skip it
  }
}
