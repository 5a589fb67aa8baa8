/**
 * The composition root of a tszk server: configuration in, a running server out. Wires the tree,
 * the replicator, the four-letter words and the listeners; knows how to stop it all.
 */
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerConfig } from '../config/types.js';
import { systemClock } from '../env/clock.js';
import { DataTree } from '../tree/data-tree.js';
import { ZooKeeperServer, type Listener } from '../server/zk-server.js';
import { InMemoryReplicator } from '../server/replicator.js';
import { createFourLetterWordHandler } from '../admin/four-letter.js';

export interface RunningTszk {
  server: ZooKeeperServer;
  config: ServerConfig;
  stop(): Promise<void>;
}

export type LogFn = (level: 'info' | 'warn' | 'debug' | 'error', msg: string) => void;

function dirSize(dir: string): number {
  let n = 0;
  try {
    for (const f of readdirSync(join(dir, 'version-2'))) n += statSync(join(dir, 'version-2', f)).size;
  } catch {
    /* no files yet */
  }
  return n;
}

export async function runServer(config: ServerConfig, log: LogFn): Promise<RunningTszk> {
  for (const w of config.warnings) log('warn', w);
  const tree = new DataTree({ extendedTypesEnabled: config.extendedTypesEnabled });
  const replicator = new InMemoryReplicator();
  let serving = false;
  const fourLetterWords = createFourLetterWordHandler({
    whitelist: config.fourLetterWords,
    conf: () =>
      [
        `clientPort=${config.clientPort ?? ''}`,
        `secureClientPort=${config.secureClientPort ?? -1}`,
        `dataDir=${join(config.dataDir, 'version-2')}`,
        `dataDirSize=${dirSize(config.dataDir)}`,
        `dataLogDir=${join(config.dataLogDir, 'version-2')}`,
        `dataLogSize=${dirSize(config.dataLogDir)}`,
        `tickTime=${config.tickTime}`,
        `maxClientCnxns=${config.maxClientCnxns}`,
        `minSessionTimeout=${config.minSessionTimeout}`,
        `maxSessionTimeout=${config.maxSessionTimeout}`,
        `clientPortListenBacklog=-1`,
        `serverId=0`,
        '',
      ].join('\n'),
    dirs: () => `datadir_size: ${dirSize(config.dataDir)}\nlogdir_size: ${dirSize(config.dataLogDir)}\n`,
    environment: () => [
      ['zookeeper.version', '3.8.0-tszk-0.1.0'],
      ['host.name', process.env.HOSTNAME ?? 'localhost'],
      ['node.version', process.version],
      ['os.name', process.platform],
      ['os.arch', process.arch],
      ['user.dir', process.cwd()],
    ],
    serving: () => serving,
  });
  const server = new ZooKeeperServer(
    tree,
    {
      tickTime: config.tickTime,
      minSessionTimeout: config.minSessionTimeout,
      maxSessionTimeout: config.maxSessionTimeout,
      maxClientCnxns: config.maxClientCnxns,
      juteMaxBuffer: config.juteMaxBuffer,
      globalOutstandingLimit: config.globalOutstandingLimit,
      extendedTypesEnabled: config.extendedTypesEnabled,
      reconfigEnabled: config.reconfigEnabled,
      skipACL: config.skipACL,
      superDigest: config.superDigest,
      x509SuperUser: config.x509SuperUser,
      containerCheckIntervalMs: config.containerCheckIntervalMs,
      containerMaxPerMinute: config.containerMaxPerMinute,
      containerMaxNeverUsedIntervalMs: Number(config.properties.get('zookeeper.container.maxNeverUsedIntervalMs') ?? 0),
      serverId: 0,
    },
    replicator,
    systemClock,
    fourLetterWords,
    log,
  );
  const listeners: Listener[] = [];
  if (config.clientPort !== undefined) listeners.push({ port: config.clientPort, host: config.clientPortAddress });
  await server.listen(listeners);
  serving = true;
  log('info', `tszk serving on port(s) ${server.boundPorts.join(', ')}, dataDir ${config.dataDir}`);
  return {
    server,
    config,
    stop: async () => {
      serving = false;
      await server.shutdown();
    },
  };
}
