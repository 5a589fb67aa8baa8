#!/usr/bin/env node
/**
 * The Node side of bin/zkCli.sh: Apache ZooKeeper's zkCli on tszk's own client.
 *   zkCli.js [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [cmd args]
 */
import { parseShellArgs, ZkShell } from './zkcli/shell.js';
import { usageLines } from './zkcli/commands.js';
import { clientBackend } from './zkcli/client-backend.js';

// A closed pipe (zkCli.sh ... | head) ends the program quietly, as it would end Java's.
process.stdout.on('error', () => process.exit(0));

async function main(argv: string[]): Promise<number> {
  const opts = parseShellArgs(argv);
  const io = { out: (l: string) => process.stdout.write(`${l}\n`), err: (l: string) => process.stderr.write(`${l}\n`) };
  if (typeof opts === 'string') {
    io.err(opts);
    for (const l of usageLines()) io.err(l);
    return 1;
  }
  const shell = new ZkShell(opts, clientBackend, io);
  if (opts.command !== null) return shell.runOnce(opts.command);
  return shell.interactive(process.stdin, process.stdout, process.stdin.isTTY === true);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
