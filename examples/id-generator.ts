/**
 * Distributed ids (实现分布式ID) from sequential znodes: unique across every client.
 *
 *   node dist/examples/id-generator.js [servers] [count=5]
 */
import { connect, IdGenerator } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const zk = await connect(CONNECT);
const ids = new IdGenerator(zk, '/ids/example');
for (let i = 0; i < Number(ARGS[0] ?? 5); i++) console.log(await ids.next());
await zk.close();
