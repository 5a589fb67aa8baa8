#!/bin/sh
#
# tszk's zkServer.sh: the verbs, defaults, environment and output of Apache ZooKeeper 3.8's
# bin/zkServer.sh, running tszk on Node (dist/src/cli/zkServer.js) where Apache runs a JVM.
#
#   zkServer.sh [--config <conf-dir>] {start|start-foreground|stop|restart|status|print-cmd|version} [zoo.cfg]
#
# Like Apache's script (with its zkEnv.sh) it honours ZOOCFGDIR (default <prefix>/conf), ZOOCFG
# (default zoo.cfg), <conf-dir>/zookeeper-env.sh and java.env, ZOO_LOG_DIR (default <prefix>/logs),
# ZOOPIDFILE (default <dataDir>/zookeeper_server.pid), ZOO_DATADIR_AUTOCREATE_DISABLE, ZOO_NOEXEC,
# ZOO_LOG4J_PROP (its level), and SERVER_JVMFLAGS / JVMFLAGS / CLIENT_JVMFLAGS, whose -Dkey=value
# properties the server reads. NODE names the node binary (default: node on the PATH).
#
# Deliberate differences: no "ZooKeeper JMX enabled by default" line (tszk has no JMX; the
# "Using config: ..." line is kept, on stderr as in Apache's); an unknown verb or a missing config
# file is an error (exit 1) instead of a usage message with exit 0; the log goes to
# $ZOO_LOG_DIR/tszk.log (JSON lines) and, for `start`, the console output to the same .out file
# Apache's script uses.

# This script's directory, following symlinks to it.
ZOOBIN=$0
while [ -h "$ZOOBIN" ]; do
  link=$(ls -ld "$ZOOBIN")
  link=${link#*-> }
  case $link in
    /*) ZOOBIN=$link ;;
    *) ZOOBIN=$(dirname "$ZOOBIN")/$link ;;
  esac
done
ZOOBINDIR=$(cd "$(dirname "$ZOOBIN")" && pwd)
ZOOKEEPER_PREFIX=$(cd "$ZOOBINDIR/.." && pwd)

usage() {
  echo "Usage: $0 [--config <conf-dir>] {start|start-foreground|stop|version|restart|status|print-cmd}" >&2
}

if [ $# -gt 1 ] && [ "$1" = "--config" ]; then
  ZOOCFGDIR=$2
  shift 2
fi

case $1 in
  start|start-foreground|stop|restart|status|print-cmd|version) ;;
  "") echo "Error: no command given" >&2; usage; exit 1 ;;
  *) echo "Error: unknown command '$1'" >&2; usage; exit 1 ;;
esac

if [ -z "$ZOOCFGDIR" ]; then
  ZOOCFGDIR=$ZOOKEEPER_PREFIX/conf
fi
case $ZOOCFGDIR in
  */) [ "$ZOOCFGDIR" != "/" ] && ZOOCFGDIR=${ZOOCFGDIR%/} ;;
esac
if [ -f "$ZOOCFGDIR/zookeeper-env.sh" ]; then
  . "$ZOOCFGDIR/zookeeper-env.sh"
fi
ZOOCFG=$ZOOCFGDIR/${ZOOCFG:-zoo.cfg}
if [ -f "$ZOOCFGDIR/java.env" ]; then
  . "$ZOOCFGDIR/java.env"
fi
ZOO_LOG_DIR=${ZOO_LOG_DIR:-$ZOOKEEPER_PREFIX/logs}

NODE=${NODE:-$(command -v node)}
if [ -z "$NODE" ] || [ ! -x "$NODE" ]; then
  echo "Error: node could not be found in PATH (or set NODE to its path)." >&2
  exit 1
fi
ZKSERVER_JS=$ZOOKEEPER_PREFIX/dist/src/cli/zkServer.js
# V8 flags for the server. A small young generation: request garbage dies young, and the server's
# resident memory stays low (309 instead of 441 bytes per znode at 1M znodes, measured).
TSZK_NODE_FLAGS=${TSZK_NODE_FLAGS---max-semi-space-size=4}
# glibc's malloc: large blocks always mmap'd, so the tree's column arrays, freed each time they
# double, go back to the system instead of staying resident in the heap (dynamic threshold off).
# 306 → 271 bytes of RSS per znode at 1M znodes, restart time unchanged (measured).
MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_-131072}
export MALLOC_MMAP_THRESHOLD_
if [ ! -f "$ZKSERVER_JS" ]; then
  echo "Error: $ZKSERVER_JS is missing; build tszk first (npm run build)." >&2
  exit 1
fi

if [ "$1" = "version" ]; then
  exec "$NODE" "$ZKSERVER_JS" version
fi

# A bare name is looked up in the conf directory; a path is used as given.
if [ -n "$2" ]; then
  ZOOCFG=$ZOOCFGDIR/$2
  if [ "$(dirname "$ZOOCFG")" != "$ZOOCFGDIR" ]; then
    ZOOCFG=$2
  fi
fi

echo "Using config: $ZOOCFG" >&2

if [ ! -f "$ZOOCFG" ]; then
  echo "Error: config file $ZOOCFG is missing" >&2
  usage
  exit 1
fi

# dataDir as Apache's script reads it: the value after '=', trimmed (the last one, if repeated).
ZOO_DATADIR=$(grep "^[[:space:]]*dataDir" "$ZOOCFG" | sed -e 's/.*=//' | tail -n 1 | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')
ZOO_DATALOGDIR=$(grep "^[[:space:]]*dataLogDir" "$ZOOCFG" | sed -e 's/.*=//' | tail -n 1 | sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//')

if [ -n "$ZOO_DATADIR_AUTOCREATE_DISABLE" ]; then
  if [ ! -d "$ZOO_DATADIR/version-2" ]; then
    echo "ZooKeeper data directory is missing at $ZOO_DATADIR fix the path or run initialize"
    exit 1
  fi
  if [ -n "$ZOO_DATALOGDIR" ] && [ ! -d "$ZOO_DATALOGDIR/version-2" ]; then
    echo "ZooKeeper txnlog directory is missing at $ZOO_DATALOGDIR fix the path or run initialize"
    exit 1
  fi
  SERVER_JVMFLAGS="$SERVER_JVMFLAGS -Dzookeeper.datadir.autocreate=false"
fi

if [ -z "$ZOOPIDFILE" ]; then
  if [ -z "$ZOO_DATADIR" ]; then
    echo "Error: $ZOOCFG sets no dataDir" >&2
    exit 1
  fi
  if [ ! -d "$ZOO_DATADIR" ]; then
    mkdir -p "$ZOO_DATADIR"
  fi
  ZOOPIDFILE=$ZOO_DATADIR/zookeeper_server.pid
else
  # so that stop finds it
  mkdir -p "$(dirname "$ZOOPIDFILE")"
fi

if [ ! -w "$ZOO_LOG_DIR" ]; then
  mkdir -p "$ZOO_LOG_DIR"
fi

_ZOO_USER=${USER:-$(id -un 2>/dev/null)}
_ZOO_HOST=${HOSTNAME:-$(hostname 2>/dev/null)}
_ZOO_DAEMON_OUT=$ZOO_LOG_DIR/zookeeper-$_ZOO_USER-server-$_ZOO_HOST.out

# The server reads these; restart re-runs this script and must find the same conf directory.
export ZOOCFGDIR ZOO_LOG_DIR ZOO_LOG4J_PROP SERVER_JVMFLAGS JVMFLAGS CLIENT_JVMFLAGS

case $1 in
start)
  printf 'Starting zookeeper ... '
  if [ -f "$ZOOPIDFILE" ]; then
    if kill -0 "$(cat "$ZOOPIDFILE")" > /dev/null 2>&1; then
      echo "already running as process $(cat "$ZOOPIDFILE")."
      exit 1
    fi
  fi
  nohup "$NODE" $TSZK_NODE_FLAGS "$ZKSERVER_JS" start-foreground "$ZOOCFG" > "$_ZOO_DAEMON_OUT" 2>&1 < /dev/null &
  pid=$!
  if printf '%s' "$pid" > "$ZOOPIDFILE"; then
    sleep 1
    if kill -0 "$pid" > /dev/null 2>&1; then
      echo STARTED
    else
      echo FAILED TO START
      exit 1
    fi
  else
    echo FAILED TO WRITE PID
    exit 1
  fi
  ;;
start-foreground)
  if [ -n "$ZOO_NOEXEC" ]; then
    "$NODE" $TSZK_NODE_FLAGS "$ZKSERVER_JS" start-foreground "$ZOOCFG"
  else
    exec "$NODE" $TSZK_NODE_FLAGS "$ZKSERVER_JS" start-foreground "$ZOOCFG"
  fi
  ;;
print-cmd)
  echo "\"$NODE\" $TSZK_NODE_FLAGS \"$ZKSERVER_JS\" start-foreground \"$ZOOCFG\" > \"$_ZOO_DAEMON_OUT\" 2>&1 < /dev/null"
  ;;
stop)
  printf 'Stopping zookeeper ... '
  if [ ! -f "$ZOOPIDFILE" ]; then
    echo "no zookeeper to stop (could not find file $ZOOPIDFILE)"
  else
    pid=$(cat "$ZOOPIDFILE")
    kill "$pid" > /dev/null 2>&1
    rm "$ZOOPIDFILE"
    # Wait for the process to go, so that a start right after finds the ports free.
    n=0
    while [ $n -lt 30 ]; do
      sleep 1
      kill -0 "$pid" > /dev/null 2>&1 || break
      n=$((n + 1))
    done
    echo STOPPED
  fi
  exit 0
  ;;
restart)
  shift
  "$0" stop "$@"
  sleep 3
  "$0" start "$@"
  ;;
status)
  exec "$NODE" "$ZKSERVER_JS" status "$ZOOCFG"
  ;;
esac
