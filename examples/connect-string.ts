/**
 * Where the examples connect: a first argument that names servers (`host:port[,host:port...][/chroot]`),
 * else $ZK_CONNECT, else the tutorial's single local server. ARGS are the other arguments.
 *
 *   node dist/examples/queue.js 10.0.0.5:2181 produce 3
 */
const first = process.argv[2];
const namesServers = first !== undefined && /^[^\s:/,]+:\d+(,[^\s:/,]+:\d+)*(\/\S*)?$/.test(first);

export const CONNECT = namesServers ? first : (process.env.ZK_CONNECT ?? '127.0.0.1:2181');
export const ARGS = process.argv.slice(namesServers ? 3 : 2);
