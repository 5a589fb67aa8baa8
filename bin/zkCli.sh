#!/usr/bin/env bash
# tszk's zkCli, as Apache ZooKeeper's bin/zkCli.sh:
#   bin/zkCli.sh [-server host:port[,host:port...][/chroot]] [-timeout ms] [-r] [cmd args]
ZOOBIN=$0
while [ -h "$ZOOBIN" ]; do
  link=$(readlink "$ZOOBIN")
  case "$link" in /*) ZOOBIN=$link ;; *) ZOOBIN=$(dirname "$ZOOBIN")/$link ;; esac
done
ZOOKEEPER_PREFIX=$(cd "$(dirname "$ZOOBIN")/.." && pwd)
NODE=${NODE:-$(command -v node)}
if [ -z "$NODE" ]; then
  echo "Error: node could not be found in PATH (or set NODE to its path)." >&2
  exit 1
fi
exec "$NODE" "$ZOOKEEPER_PREFIX/dist/src/cli/zkCli.js" "$@"
