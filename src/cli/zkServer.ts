#!/usr/bin/env node
/**
 * `zkServer.sh start-foreground [zoo.cfg]`: runs a tszk server in the foreground on a ZooKeeper
 * configuration file, until SIGTERM or SIGINT.
 */
import { interimLoadConfig, interimSystemProperties } from './interim-config.js';
import { runServer, type LogFn } from './server-main.js';

const log: LogFn = (level, msg) => {
  const line = `${new Date().toISOString()} [${level.toUpperCase()}] ${msg}\n`;
  if (level === 'debug') return;
  process.stdout.write(line);
};

async function main(argv: string[]): Promise<number> {
  const [verb, cfgPath] = argv;
  if (verb !== 'start-foreground') {
    process.stderr.write(`Usage: zkServer.js start-foreground [zoo.cfg]\n`);
    return 2;
  }
  const config = interimLoadConfig(cfgPath ?? 'conf/zoo.cfg', interimSystemProperties(process.env));
  const running = await runServer(config, log);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  log('info', 'shutting down');
  await running.stop();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: Error) => {
    process.stderr.write(`tszk: ${e.message}\n`);
    process.exit(1);
  },
);
