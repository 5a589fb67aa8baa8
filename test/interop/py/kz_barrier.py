"""kazoo Barrier and DoubleBarrier."""
import sys
import threading
import time

from kz_common import client, emit, root

hosts = sys.argv[1]
admin = client(hosts)
r = root(admin, "barrier")
clients = [client(hosts) for _ in range(3)]

b = admin.Barrier(r + "/b")
b.create()
released = []


def waiter(i):
    ok = clients[i].Barrier(r + "/b").wait(timeout=10)
    released.append((i, ok))


ws = [threading.Thread(target=waiter, args=(i,)) for i in range(3)]
for t in ws:
    t.start()
time.sleep(0.3)
before = len(released)
b.remove()
for t in ws:
    t.join(15)
timeout_wait = None
b2 = admin.Barrier(r + "/b2")
b2.create()
timeout_wait = b2.wait(timeout=0.2)
b2.remove()
no_barrier_wait = admin.Barrier(r + "/never").wait(timeout=1)

# DoubleBarrier with 3 participants: nobody enters before all arrive; nobody leaves before all leave
entered = []
left = []
mu = threading.Lock()


def participant(i):
    db = clients[i].DoubleBarrier(r + "/db", 3, identifier="p%d" % i)
    db.enter()
    with mu:
        entered.append(i)
    time.sleep(0.05)
    db.leave()
    with mu:
        left.append(i)


ps = [threading.Thread(target=participant, args=(i,)) for i in range(3)]
for t in ps:
    t.start()
for t in ps:
    t.join(30)
for c in clients:
    c.stop()
    c.close()
admin.delete(r, recursive=True)
admin.stop()
emit({
    "released_before_remove": before,
    "released": sorted(released),
    "wait_times_out": timeout_wait,
    "no_barrier_passes": no_barrier_wait,
    "double_entered": sorted(entered),
    "double_left": sorted(left),
})
