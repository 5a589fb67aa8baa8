"""Dumps a ZooKeeper tree through kazoo as JSON lines: path, data (base64 or null), stat, ACLs.

    /usr/bin/python3 dump_tree.py host:port > tree.jsonl

Authenticates as digest bob:secret so that nodes created with CREATOR_ALL_ACL are readable.
"""
import base64
import json
import sys

from kazoo.client import KazooClient

zk = KazooClient(hosts=sys.argv[1], timeout=30, auth_data=[("digest", "bob:secret")])
zk.start(timeout=30)
level = ["/"]
out = sys.stdout
while level:
    gets = [(p, zk.get_async(p), zk.get_children_async(p), zk.get_acls_async(p)) for p in level]
    nxt = []
    for path, g, c, a in gets:
        data, stat = g.get(timeout=60)
        kids = c.get(timeout=60)
        acls, _ = a.get(timeout=60)
        out.write(json.dumps({
            "path": path,
            "data": None if data is None else base64.b64encode(data).decode(),
            "stat": {k: getattr(stat, k) for k in ("czxid", "mzxid", "ctime", "mtime", "version", "cversion",
                                                    "aversion", "ephemeralOwner", "dataLength", "numChildren", "pzxid")},
            "acl": [[acl.perms, acl.id.scheme, acl.id.id] for acl in acls],
        }) + "\n")
        nxt.extend(("" if path == "/" else path) + "/" + k for k in sorted(kids))
    level = nxt
zk.stop()
