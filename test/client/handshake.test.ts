/**
 * A server that accepts a connection but never answers the handshake (Apache ZooKeeper 3.8 did
 * this to a client reconnecting while it restarted) must not use up the session: the client gives
 * the handshake a third of the session timeout, tries again, and keeps its session.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import type { RunningServer } from '../helpers/servers.js';
import { startTestServer, port24, Clients, waitUntil } from './helpers.js';
import type { ConnectionState } from '../../src/index.js';

/** Forwards to the server, except that the next `stall` connections are accepted and left unanswered. */
class StallingProxy {
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  stall = 0;
  stalled = 0;
  port = 0;
  constructor(readonly target: number) {}
  async start(): Promise<this> {
    this.port = await port24();
    this.server = createServer((client) => {
      this.sockets.add(client);
      client.on('error', () => undefined).on('close', () => this.sockets.delete(client));
      if (this.stall > 0) {
        this.stall--;
        this.stalled++;
        return; // bytes are read and dropped; nothing comes back
      }
      const up = netConnect(this.target, '127.0.0.1');
      this.sockets.add(up);
      up.on('error', () => client.destroy()).on('close', () => client.destroy());
      client.on('close', () => up.destroy());
      client.pipe(up);
      up.pipe(client);
    });
    await new Promise<void>((r) => this.server.listen(this.port, '127.0.0.1', () => r()));
    return this;
  }
  dropAll(): void {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }
  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe('client handshake timeout', () => {
  let server: RunningServer;
  let clients: Clients;
  before(async () => {
    server = await startTestServer('tszk');
    clients = new Clients(server.connectString);
  });
  after(async () => {
    await clients.closeAll();
    await server.stop();
  });

  it('an unanswered handshake is given up in time to reconnect within the session timeout', async () => {
    const proxy = await new StallingProxy(server.port).start();
    try {
      const c = await clients.open({ sessionTimeout: 6000 }, `127.0.0.1:${proxy.port}`);
      const id = c.sessionId;
      const states: ConnectionState[] = [];
      c.on('state', (s) => states.push(s));
      proxy.stall = 1;
      const t0 = Date.now();
      proxy.dropAll();
      await waitUntil(() => states.includes('reconnected') || states.includes('expired'), 10000, 'reconnected or expired');
      assert.deepEqual(states, ['suspended', 'reconnected']);
      assert.equal(proxy.stalled, 1, 'the first attempt met the silent server');
      assert.equal(c.sessionId, id);
      const took = Date.now() - t0;
      assert.ok(took >= 1500 && took < 4000, `reconnected after ${took} ms: a third of the session timeout, then a new attempt`);
    } finally {
      await proxy.close();
    }
  });
});
