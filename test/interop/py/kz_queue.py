"""kazoo Queue (priorities) and LockingQueue (get/consume/release, several consumers)."""
import sys
import threading

from kz_common import client, emit, root

hosts = sys.argv[1]
admin = client(hosts)
r = root(admin, "queue")

q = admin.Queue(r + "/q")
for item, prio in [(b"low", 200), (b"mid", 100), (b"high", 10), (b"mid2", 100), (b"dflt", 100)]:
    q.put(item, priority=prio)
n = len(q)
order = []
while True:
    x = q.get()
    if x is None:
        break
    order.append(x.decode())
for x in [b"a", b"b", b"c"]:
    q.put(x)
order2 = [q.get().decode() for _ in range(3)]

lq = admin.LockingQueue(r + "/lq")
lq.put(b"one")
lq.put(b"two", priority=50)
lq.put_all([b"three", b"four"], priority=200)
got = lq.get(timeout=5).decode()
holds = lq.holds_lock()
released = lq.release()
got_again = lq.get(timeout=5).decode()
consumed = lq.consume()

clients = [client(hosts) for _ in range(3)]
taken = []
mu = threading.Lock()


def consumer(i):
    mq = clients[i].LockingQueue(r + "/lq")
    while True:
        v = mq.get(timeout=1)
        if v is None:
            return
        with mu:
            taken.append(v.decode())
        mq.consume()


ts = [threading.Thread(target=consumer, args=(i,)) for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join(30)
left = len(lq)
for c in clients:
    c.stop()
    c.close()
admin.delete(r, recursive=True)
admin.stop()
emit({"n": n, "order": order, "order2": order2, "got": got, "holds": holds, "released": released,
      "got_again": got_again, "consumed": consumed, "taken": sorted(taken), "left": left})
