"""kazoo Counter: concurrent increments from several sessions; floats; pre/post values."""
import sys
import threading

from kz_common import client, emit, root

hosts = sys.argv[1]
admin = client(hosts)
r = root(admin, "counter")
clients = [client(hosts) for _ in range(4)]


def bump(i):
    c = clients[i].Counter(r + "/c")
    for _ in range(25):
        c += 1


ts = [threading.Thread(target=bump, args=(i,)) for i in range(4)]
for t in ts:
    t.start()
for t in ts:
    t.join(60)
c = admin.Counter(r + "/c")
total = c.value
c -= 10
after_dec = c.value
pre_post = [c.pre_value, c.post_value]
f = admin.Counter(r + "/f", default=0.5)
f += 0.25
fv = f.value
raw = admin.get(r + "/c")[0].decode()
for x in clients:
    x.stop()
    x.close()
admin.delete(r, recursive=True)
admin.stop()
emit({"total": total, "after_dec": after_dec, "pre_post": pre_post, "float": fv, "raw": raw})
