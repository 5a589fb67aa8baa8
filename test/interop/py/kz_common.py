"""Shared helpers for the kazoo interop scripts: connect, print one JSON result, exit."""
import json
import logging
import sys

from kazoo.client import KazooClient

logging.basicConfig(level=logging.ERROR)


def client(hosts, **kw):
    zk = KazooClient(hosts=hosts, timeout=10.0, **kw)
    zk.start(timeout=15)
    return zk


def emit(result):
    sys.stdout.write(json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()


def root(zk, name):
    """A fresh subtree for the script."""
    path = "/kazoo-" + name
    if zk.exists(path):
        zk.delete(path, recursive=True)
    zk.ensure_path(path)
    return path
