"""kazoo Lock, ReadLock/WriteLock and Semaphore with several contenders, each its own session."""
import sys
import threading
import time

from kazoo.exceptions import LockTimeout
from kz_common import client, emit, root


def attempt(fn, **kw):
    try:
        return fn(**kw)
    except LockTimeout:
        return "timeout"

hosts = sys.argv[1]
N, ROUNDS = 4, 5
admin = client(hosts)
r = root(admin, "lock")
clients = [client(hosts) for _ in range(N)]
state = {"inside": 0, "max": 0, "total": 0, "order": []}
mu = threading.Lock()
contenders_seen = []


def work(i):
    lock = clients[i].Lock(r + "/lock", "worker-%d" % i)
    for _ in range(ROUNDS):
        with lock:
            with mu:
                state["inside"] += 1
                state["max"] = max(state["max"], state["inside"])
                state["total"] += 1
            if i == 0 and not contenders_seen:
                contenders_seen.append(lock.contenders())
            time.sleep(0.005)
            with mu:
                state["inside"] -= 1


threads = [threading.Thread(target=work, args=(i,)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)

# try-lock semantics
l1 = clients[0].Lock(r + "/try", "one")
l2 = clients[1].Lock(r + "/try", "two")
got1 = l1.acquire(blocking=False)
got2 = l2.acquire(blocking=False)
got2_timeout = attempt(l2.acquire, timeout=0.3)
l1.release()
got2_after = l2.acquire(timeout=5)
l2.release()

# read/write locks
rl = [clients[i].ReadLock(r + "/rw", "r%d" % i) for i in range(2)]
wl = clients[2].WriteLock(r + "/rw", "w")
rl[0].acquire()
both_readers = rl[1].acquire(timeout=5)
writer_blocked = attempt(wl.acquire, timeout=0.3)
rl[0].release()
rl[1].release()
writer_after = wl.acquire(timeout=5)
wl.release()

# semaphore with 2 leases
sems = [clients[i].Semaphore(r + "/sem", max_leases=2, identifier="s%d" % i) for i in range(3)]
s0 = sems[0].acquire(timeout=5)
s1 = sems[1].acquire(timeout=5)
s2 = attempt(sems[2].acquire, timeout=0.3)
lease_holders = sorted(sems[0].lease_holders())
sems[0].release()
s2_after = sems[2].acquire(timeout=5)
sems[1].release()
sems[2].release()

lock_children = admin.get_children(r + "/lock")
for c in clients:
    c.stop()
    c.close()
admin.delete(r, recursive=True)
admin.stop()
emit({
    "total": state["total"],
    "max_inside": state["max"],
    "contenders_is_list": isinstance(contenders_seen[0], list) if contenders_seen else None,
    "contender_names_ok": all(n.startswith("worker-") for n in contenders_seen[0]) if contenders_seen else None,
    "lock_children_left": lock_children,
    "try": [got1, got2, got2_timeout, got2_after],
    "rw": [both_readers, writer_blocked, writer_after],
    "sem": [s0, s1, s2, lease_holders, s2_after],
})
