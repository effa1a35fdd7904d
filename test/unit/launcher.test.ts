import {execFileSync, spawnSync} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {withLauncher} from '../../scripts/bundle.js';
import {cannotRun} from '../require-or-skip.js';

const root = join(import.meta.dirname, '..', '..');
const bin = join(root, 'dist', 'k8s-master-setup.mjs');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {version: string}).version;

describe('the executable starts Node without NODE_EXTRA_CA_CERTS', () => {
	it('puts a two-line sh launcher in place of the hashbang, the module unchanged after it', () => {
		const out = withLauncher('#!/usr/bin/env node\nimport "./main.js";\n');
		expect(out).toBe(`#!/bin/sh\n':' //; NODE_EXTRA_CA_CERTS= exec node "$0" "$@"\nimport "./main.js";\n`);
		expect(withLauncher('import "./x.js";\n').endsWith('\nimport "./x.js";\n')).toBe(true);
	});

	// Node 20 loads the extra CAs at startup and warns when the file is missing: run as a
	// command, the bundle never gets to that; run by `node` directly, Node 20 still does.
	it.skipIf(cannotRun('launcher.test.ts (the built executable)', existsSync(bin) ? undefined : `${bin} is not built (npm run build)`))('runs as a command: no extra-CA loading, arguments passed through', () => {
		const env = {...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/k8s-master-setup-test-ca.pem'};
		const run = spawnSync(bin, ['--version'], {env, encoding: 'utf8'});
		expect(run.stderr).not.toMatch(/extra certs/i);
		expect(run.stdout.trim()).toBe(version);
		expect(run.status).toBe(0);
		// Arguments with spaces and quotes arrive intact ("$@"): a usage error names the option.
		const odd = spawnSync(bin, ['status', "--profile-file=a b'c"], {env, encoding: 'utf8'});
		expect(odd.stderr).toContain("a b'c");
		// And the same file is still a module Node runs directly.
		expect(execFileSync(process.execPath, [bin, '--version'], {encoding: 'utf8'}).trim()).toBe(version);
	});
});
