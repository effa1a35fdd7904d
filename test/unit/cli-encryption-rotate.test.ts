// `encryption rotate` refusals that come before any node is reached (built CLI): exit 2,
// the field or file named, nothing written to the state directory.
import {spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';

beforeAll(() => ensureBuilt(), 180_000);

function rotate(args: string[], cwd: string) {
	const r = spawnSync(process.execPath, [cliPath, 'encryption', 'rotate', ...args], {cwd, env: {...process.env, NO_COLOR: '1'}, encoding: 'utf8'});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

describe('encryption rotate, refused before it connects', () => {
	let ws: ReturnType<typeof workspace>;
	let args: string[];
	beforeAll(() => {
		ws = workspace(baseProfile());
		args = ['--profile-file', ws.file, '--state-dir', ws.stateDir, '--yes'];
	});

	it('a provider the tool does not write', () => {
		const r = rotate([...args, '--provider', 'kms'], ws.dir);
		expect(r.code).toBe(2);
		expect(r.stderr).toMatch(/--provider.*kms.*(secretbox|choices)/s);
	});

	it('without --yes where it cannot ask', () => {
		const r = rotate(['--profile-file', ws.file, '--state-dir', ws.stateDir], ws.dir);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain('encryption rotate needs --yes when it cannot ask');
	});

	it('a state directory that installed nothing', () => {
		const r = rotate(args, ws.dir);
		expect(r.code).toBe(2);
		expect(r.stderr).toContain(`no encryption key in ${ws.stateDir}: nothing was installed from this state directory`);
	});

	it('while apply\'s change is half-done, and while another rotation goes elsewhere; nothing written', () => {
		mkdirSync(ws.stateDir, {recursive: true, mode: 0o700});
		writeFileSync(join(ws.stateDir, 'encryption-key'), `${Buffer.alloc(32, 1).toString('base64')}\n`, {mode: 0o600});
		writeFileSync(join(ws.stateDir, 'encryption.json'), '{"provider":"aescbc","keyName":"key-20261101"}\n', {mode: 0o600});
		writeFileSync(join(ws.stateDir, 'rollout-journal.json'), JSON.stringify({version: 1, startedAt: '2026-12-06T10:00:00.000Z', target: 't', release: 'v1.35.0', order: ['master1'], passes: [['kube-apiserver']], state: 'stopped', nodes: {}}), {mode: 0o600});
		const before = readdirSync(ws.stateDir).sort();
		const half = rotate(args, ws.dir);
		expect(half.code, half.stderr).toBe(2);
		expect(half.stderr).toContain("apply's change started 2026-12-06T10:00:00.000Z is not finished");
		expect(half.stderr).toContain('finish it with `apply` of this profile, then rotate; nothing was changed');

		writeFileSync(
			join(ws.stateDir, 'encryption-rotation.json'),
			JSON.stringify({version: 1, startedAt: '2026-12-06T11:00:00.000Z', from: {provider: 'aescbc', keyName: 'key-20261101'}, to: {provider: 'secretbox', keyName: 'key-20261206'}, phase: 'rewrite', passed: []}),
			{mode: 0o600},
		);
		const other = rotate([...args, '--provider', 'aesgcm'], ws.dir);
		expect(other.code).toBe(2);
		expect(other.stderr).toContain('--provider aesgcm: the rotation started 2026-12-06T11:00:00.000Z goes to secretbox key-20261206 and is in phase rewrite');
		expect(readdirSync(ws.stateDir).sort()).toEqual([...before, 'encryption-rotation.json'].sort());
		expect(existsSync(join(ws.stateDir, 'encryption-keys.json'))).toBe(false);
	});
});
