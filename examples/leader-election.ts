/**
 * Leader election: run several; one says it leads; stop it and another takes over.
 *
 *   node dist/examples/leader-election.js [servers] <name>
 */
import { connect, LeaderLatch } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const name = ARGS[0] ?? `p${process.pid}`;
const zk = await connect(CONNECT, { sessionTimeout: 2000 });
const latch = new LeaderLatch(zk, '/election/example', name);
latch.on('isLeader', () => console.log(`${name} is the leader`));
latch.on('notLeader', () => console.log(`${name} is not the leader`));
await latch.start();
console.log(`${name} joined the election`);
