#!/usr/bin/env bash
# Removes old snapshots and transaction logs, as Apache ZooKeeper's zkCleanup.sh does:
#   bin/zkCleanup.sh -n <count>      keep the <count> (>= 3) newest snapshots and the logs they need
# The data directories come from $ZOOCFGDIR/$ZOOCFG (default conf/zoo.cfg).
ZOOBIN=$0
while [ -h "$ZOOBIN" ]; do
  link=$(readlink "$ZOOBIN")
  case "$link" in /*) ZOOBIN=$link ;; *) ZOOBIN=$(dirname "$ZOOBIN")/$link ;; esac
done
ZOOKEEPER_PREFIX=$(cd "$(dirname "$ZOOBIN")/.." && pwd)
ZOOCFGDIR=${ZOOCFGDIR:-$ZOOKEEPER_PREFIX/conf}
ZOOCFG=${ZOOCFG:-zoo.cfg}
CFG="$ZOOCFGDIR/$ZOOCFG"
if [ ! -f "$CFG" ]; then
  echo "Error: config file $CFG is missing" >&2
  exit 1
fi
value() { grep -E "^[[:space:]]*$1[[:space:]]*[=:]" "$CFG" | tail -n 1 | sed -e 's/^[^=:]*[=:][[:space:]]*//' -e 's/[[:space:]]*$//'; }
ZOODATADIR=$(value dataDir)
ZOODATALOGDIR=$(value dataLogDir)
ZOODATALOGDIR=${ZOODATALOGDIR:-$ZOODATADIR}
NODE=${NODE:-$(command -v node)}
exec "$NODE" "$ZOOKEEPER_PREFIX/dist/src/persistence/cleanup-cli.js" "$ZOODATALOGDIR" "$ZOODATADIR" "$@"
