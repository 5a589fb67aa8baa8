/**
 * The API reference (TypeDoc, `npm run docs`) builds from the package root without a warning: every
 * type the public API mentions is exported and documented links resolve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../helpers/servers.js';

test('TypeDoc builds the API reference without warnings', () => {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--emit', 'none', '--treatWarningsAsErrors'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 120000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(r.status, 0, `typedoc failed:\n${r.stdout}\n${r.stderr}`);
});
