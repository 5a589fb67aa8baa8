/**
 * Leader election: run several; one says it leads; stop it and another takes over.
 *
 *   node dist/examples/leader-election.js <name>
 */
import { connect, LeaderLatch } from '../src/index.js';
import { CONNECT } from './connect-string.js';

const name = process.argv[2] ?? `p${process.pid}`;
const zk = await connect(CONNECT, { sessionTimeout: 2000 });
const latch = new LeaderLatch(zk, '/election/example', name);
latch.on('isLeader', () => console.log(`${name} is the leader`));
latch.on('notLeader', () => console.log(`${name} is not the leader`));
await latch.start();
console.log(`${name} joined the election`);
