"""kazoo Party and ShallowParty: members join and leave; sessions that close leave."""
import sys

from kz_common import client, emit, root

hosts = sys.argv[1]
admin = client(hosts)
r = root(admin, "party")
clients = [client(hosts) for _ in range(3)]
parties = [clients[i].Party(r + "/p", "member-%d" % i) for i in range(3)]
for p in parties:
    p.join()
view = admin.Party(r + "/p")
members = sorted(view)
n = len(view)
parties[1].leave()
after_leave = sorted(view)
clients[2].stop()
clients[2].close()
after_close = sorted(view)
sp = [clients[0].ShallowParty(r + "/sp", "s%d" % i) for i in range(2)]
for p in sp:
    p.join()
shallow = sorted(admin.ShallowParty(r + "/sp"))
shallow_n = len(admin.ShallowParty(r + "/sp"))
for c in clients[:2]:
    c.stop()
    c.close()
final = sorted(view)
admin.delete(r, recursive=True)
admin.stop()
emit({"members": members, "n": n, "after_leave": after_leave, "after_close": after_close,
      "shallow": shallow, "shallow_n": shallow_n, "final": final})
