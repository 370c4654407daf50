// Runs `npm ci` for this project on behalf of the build (Monitoring.Web.csproj, target RestoreNpmPackages).
// Several builds can ask at once (a solution build and a test run side by side); two `npm ci` in one folder
// delete each other's node_modules, so the first takes a lock and the others wait, then find it done.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const project = dirname(fileURLToPath(import.meta.url));
const lock = join(project, 'obj', 'npm-ci.lock');
// A lock older than this belongs to a build that died; npm ci of this project takes seconds.
const staleAfterMs = 10 * 60 * 1000;

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : -1;
}

// The same test the target's Inputs/Outputs make: what npm ci leaves behind is newer than the lock file.
function upToDate() {
  const installed = Math.min(
    mtime(join(project, 'node_modules', '.package-lock.json')),
    mtime(join(project, 'node_modules', 'apexcharts', 'dist', 'apexcharts.min.js')));
  return installed >= mtime(join(project, 'package-lock.json')) && installed >= mtime(join(project, 'package.json'));
}

async function acquire() {
  mkdirSync(dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      return;
    } catch (error) {
      if (error.code !== 'EEXIST') {
        throw error;
      }
    }

    if (Date.now() - mtime(lock) > staleAfterMs) {
      console.warn(`npm-ci: removing stale lock ${lock}`);
      rmSync(lock, { recursive: true, force: true });
      continue;
    }

    await sleep(250);
  }
}

await acquire();
try {
  if (upToDate()) {
    console.log('npm-ci: node_modules already matches package-lock.json (restored by a concurrent build).');
  } else {
    // shell on Windows only: there npm is npm.cmd, which spawn cannot start directly.
    const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: project,
      stdio: 'inherit',
      shell: process.platform === 'win32',
    });
    if (result.error) {
      console.error(`npm-ci: could not start npm (${result.error.message}). Install Node.js 20 or later with npm.`);
      process.exitCode = 1;
    } else if (result.status !== 0) {
      process.exitCode = result.status ?? 1;
    }
  }
} finally {
  rmSync(lock, { recursive: true, force: true });
}
