"""Basic kazoo usage: CRUD, stats, versions, ACLs, sequential and ephemeral nodes, transactions,
DataWatch/ChildrenWatch, exceptions."""
import sys
import threading

from kazoo.exceptions import (BadVersionError, NoNodeError, NodeExistsError, NotEmptyError,
                              NoAuthError, NoChildrenForEphemeralsError)
from kazoo.security import make_digest_acl, OPEN_ACL_UNSAFE, READ_ACL_UNSAFE
from kz_common import client, emit, root

hosts = sys.argv[1]
zk = client(hosts)
r = root(zk, "crud")
out = {}

zk.create(r + "/a", b"one")
data, st = zk.get(r + "/a")
out["get"] = [data.decode(), st.version, st.dataLength, st.numChildren, st.czxid == st.mzxid]
st = zk.set(r + "/a", b"two")
out["set"] = [st.version, st.dataLength, st.czxid < st.mzxid]
try:
    zk.set(r + "/a", b"x", version=7)
except BadVersionError:
    out["badversion"] = True
try:
    zk.create(r + "/a")
except NodeExistsError:
    out["exists"] = True
try:
    zk.get(r + "/nope")
except NoNodeError:
    out["nonode"] = True
zk.create(r + "/a/b", b"")
try:
    zk.delete(r + "/a")
except NotEmptyError:
    out["notempty"] = True
zk.delete(r + "/a", recursive=True)
out["after_delete"] = zk.exists(r + "/a") is None

seq = [zk.create(r + "/s-", b"", sequence=True) for _ in range(3)]
out["seq"] = [p[len(r):] for p in seq]
e = zk.create(r + "/e", b"", ephemeral=True)
try:
    zk.create(e + "/c")
except NoChildrenForEphemeralsError:
    out["no_children_for_ephemerals"] = True
out["eph_owner_is_me"] = zk.exists(e).ephemeralOwner == zk.client_id[0]
zk.create(r + "/deep/er/path", b"x", makepath=True)
out["children"] = sorted(zk.get_children(r))

# ACLs
acl = make_digest_acl("alice", "secret", all=True)
zk.create(r + "/locked", b"s", acl=[acl])
try:
    zk.get(r + "/locked")
except NoAuthError:
    out["noauth"] = True
zk.add_auth("digest", "alice:secret")
out["authed_get"] = zk.get(r + "/locked")[0].decode()
acls, st = zk.get_acls(r + "/locked")
out["acls"] = [[a.perms, a.id.scheme, a.id.id] for a in acls]
zk.set_acls(r + "/locked", READ_ACL_UNSAFE)
out["acls2"] = [[a.perms, a.id.scheme, a.id.id] for a in zk.get_acls(r + "/locked")[0]]

# Transactions
t = zk.transaction()
t.create(r + "/t1", b"1")
t.create(r + "/t2", b"2")
t.check(r + "/t1", 0)
t.set_data(r + "/t1", b"11")
res = t.commit()
out["txn_ok"] = [x if isinstance(x, (str, bool)) else type(x).__name__ for x in res]
out["txn_ok"] = [x[len(r):] if isinstance(x, str) else x for x in out["txn_ok"]]
t = zk.transaction()
t.create(r + "/t3")
t.delete(r + "/nope")
res = t.commit()
out["txn_fail"] = [type(x).__name__ if not isinstance(x, (str, bool)) else x for x in res]
out["t3_absent"] = zk.exists(r + "/t3") is None

# Watches
events = []
cond = threading.Condition()


def note(ev):
    with cond:
        events.append(ev)
        cond.notify_all()


zk.create(r + "/w", b"0")
zk.get(r + "/w", watch=lambda ev: note(["data", ev.type, ev.path[len(r):]]))
zk.get_children(r + "/w", watch=lambda ev: note(["child", ev.type, ev.path[len(r):]]))
zk.exists(r + "/w2", watch=lambda ev: note(["exists", ev.type, ev.path[len(r):]]))
zk.set(r + "/w", b"1")
zk.create(r + "/w/c")
zk.create(r + "/w2")
with cond:
    cond.wait_for(lambda: len(events) >= 3, timeout=10)
out["events"] = sorted(events)



def wait_until(pred, timeout=10):
    with cond:
        return cond.wait_for(pred, timeout=timeout)


seen = []


@zk.DataWatch(r + "/dw")
def dw(data, stat):
    with cond:
        seen.append(None if data is None else data.decode())
        cond.notify_all()


zk.create(r + "/dw", b"a")
wait_until(lambda: seen and seen[-1] == "a")
zk.set(r + "/dw", b"b")
wait_until(lambda: seen and seen[-1] == "b")
zk.delete(r + "/dw")
wait_until(lambda: seen and seen[-1] is None and len(seen) > 1)
out["datawatch"] = seen

kids = []
zk.ensure_path(r + "/cw")


@zk.ChildrenWatch(r + "/cw")
def cw(children):
    with cond:
        kids.append(sorted(children))
        cond.notify_all()


zk.create(r + "/cw/x")
zk.create(r + "/cw/y")
wait_until(lambda: kids and kids[-1] == ["x", "y"])
out["childrenwatch_first"] = kids[0]
out["childrenwatch_last"] = kids[-1]

out["server_version_ok"] = len(zk.server_version()) >= 3
zk.delete(r, recursive=True)
zk.stop()
zk.close()
emit(out)
