/**
 * The tutorial's configuration centre (实现分布式配置中心): settings live in znodes under /config;
 * every subscriber is pushed each new value by a watch.
 *
 *   node dist/examples/config-center.js [servers] subscribe db.url       # prints the value and each change
 *   node dist/examples/config-center.js [servers] publish db.url jdbc:mysql://db2/app
 */
import { connect, ConfigCenter } from '../src/index.js';
import { ARGS, CONNECT } from './connect-string.js';

const [mode, key = 'db.url', value = ''] = ARGS;
const zk = await connect(CONNECT);
const config = new ConfigCenter(zk);
if (mode === 'publish') {
  await config.publish(key, value);
  console.log(`published ${key} = ${value}`);
  await zk.close();
} else if (mode === 'subscribe') {
  for await (const v of config.watch(key)) console.log(`${key} = ${v ?? '(not set)'}`);
} else {
  console.error('usage: config-center.js publish <key> <value> | subscribe <key>');
  process.exit(2);
}
