import {spawnSync} from 'node:child_process';
import {beforeAll, describe, expect, it} from 'vitest';
import {cliPath, ensureBuilt, workspace} from './fixtures.js';

beforeAll(() => ensureBuilt(), 180_000);

describe('render into a directory that cannot be written (built CLI)', () => {
	// Node's recursive mkdir spins for ever on a path under /proc; render used to, at 100% CPU.
	it.each(['/proc/k8s-master-setup-test/out', '/proc/self/k8s-master-setup-test'])('fails fast, naming %s and the OS error', (out) => {
		const ws = workspace();
		const started = Date.now();
		const r = spawnSync(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', out], {cwd: ws.dir, encoding: 'utf8', timeout: 30_000});
		const seconds = (Date.now() - started) / 1000;
		expect(r.signal, `render was still running after ${seconds}s`).toBeNull();
		expect(r.status, r.stderr).toBe(2);
		expect(r.stderr).toMatch(new RegExp(`error: cannot create the --out directory ${out}: (ENOENT|EACCES|EPERM)`));
		expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
	});
});
