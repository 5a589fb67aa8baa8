"""kazoo Election: several candidates; exactly one leads at a time and every one leads once."""
import sys
import threading
import time

from kz_common import client, emit, root

hosts = sys.argv[1]
N = 4
admin = client(hosts)
r = root(admin, "election")
clients = [client(hosts) for _ in range(N)]
mu = threading.Lock()
state = {"leading": 0, "max": 0, "led": []}
contenders = []


def lead(i):
    with mu:
        state["leading"] += 1
        state["max"] = max(state["max"], state["leading"])
        state["led"].append(i)
    if not contenders:
        contenders.append(sorted(clients[i].Election(r + "/e").contenders()))
    time.sleep(0.05)
    with mu:
        state["leading"] -= 1


elections = [clients[i].Election(r + "/e", "cand-%d" % i) for i in range(N)]
threads = [threading.Thread(target=elections[i].run, args=(lead, i)) for i in range(N)]
for t in threads:
    t.start()
for t in threads:
    t.join(60)
left = admin.get_children(r + "/e")
for c in clients:
    c.stop()
    c.close()
admin.delete(r, recursive=True)
admin.stop()
emit({
    "max_leading": state["max"],
    "led": sorted(state["led"]),
    "contenders_all_named": all(x.startswith("cand-") for x in contenders[0]) if contenders else None,
    "left": left,
})
