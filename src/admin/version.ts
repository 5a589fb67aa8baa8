/**
 * What tszk says it is. Tools read "Zookeeper version: 3.8.0-..." from srvr/stat/mntr/envi to learn
 * which protocol features a server has, so the Apache version tszk is compatible with comes first;
 * tszk's own version follows in the qualifier, as Apache's builds put their git id there.
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const APACHE_VERSION = '3.8.0';

function readPackageVersion(): string {
  try {
    // dist/src/admin/version.js → the package root is three levels up.
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** "2026-11-25 01:50 UTC", as ZooKeeper prints its build time. */
function buildTime(): string {
  let t: Date;
  try {
    t = statSync(fileURLToPath(import.meta.url)).mtime;
  } catch {
    t = new Date(0);
  }
  return `${t.toISOString().substring(0, 16).replace('T', ' ')} UTC`;
}

export const TSZK_VERSION = readPackageVersion();
export const BUILD_TIME = buildTime();

/** Version.getFullVersion(): "3.8.0-tszk-0.1.0, built on 2026-11-25 01:50 UTC". */
export const FULL_VERSION = `${APACHE_VERSION}-tszk-${TSZK_VERSION}, built on ${BUILD_TIME}`;

/** `zkServer.sh version`, after Apache's "Apache ZooKeeper, version 3.8.0 2024-12-29 17:54 UTC". */
export const VERSION_LINE = `tszk, version ${TSZK_VERSION} ${BUILD_TIME} (Apache ZooKeeper ${APACHE_VERSION} compatible)`;
