/**
 * Quorum interaction scripts (test/sim/testdata/*.txt, etcd raft's datadriven style): each
 * command's transcript must match the golden output under it. After an intended change:
 *   TSZK_UPDATE_GOLDEN=1 node --test dist/test/sim/scenarios.test.js   (then review the diff)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScript } from './interaction.js';

const DIR = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..'), 'test/sim/testdata');

describe('quorum interaction scripts', () => {
  for (const file of readdirSync(DIR).filter((f) => f.endsWith('.txt')).sort()) {
    it(file, () => {
      const path = join(DIR, file);
      const { rewritten, mismatches } = runScript(readFileSync(path, 'utf8'));
      if (process.env.TSZK_UPDATE_GOLDEN === '1') {
        writeFileSync(path, rewritten.endsWith('\n') ? rewritten : rewritten + '\n');
        return;
      }
      for (const m of mismatches) assert.equal(m.actual, m.expected, `${file}: "${m.command}"`);
    });
  }
});
