// --connect-timeout, shared by every command that connects, against a hung node: a loopback
// server that accepts TCP and never says a word (test/loopback-servers.ts). status and
// apply --dry-run give up on it after the timeout with an error naming the node and its
// address, instead of waiting for ssh2's own 20 s; status's header counts the wait.
import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';
import {silentServer} from '../loopback-servers.js';

beforeAll(() => ensureBuilt(), 180_000);

function run(args: string[], cwd: string): Promise<{code: number | null; stdout: string; stderr: string; seconds: number}> {
	const started = Date.now();
	const child = spawn(process.execPath, [cliPath, ...args], {cwd, env: {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1'}});
	let stdout = '';
	let stderr = '';
	child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
	return new Promise((resolve) => child.once('exit', (code) => resolve({code, stdout, stderr, seconds: (Date.now() - started) / 1000})));
}

describe('--connect-timeout against a node that never answers (built CLI)', () => {
	let silent: Awaited<ReturnType<typeof silentServer>>;
	let ws: ReturnType<typeof workspace>;
	let access: string[];
	beforeAll(async () => {
		silent = await silentServer();
		ws = workspace(baseProfile({nodes: [{name: 'master1', ip: '198.51.100.1', ssh: {host: '127.0.0.1', port: silent.port, user: 'root'}}], etcd: {endpoints: ['https://127.0.0.1:2379']}}));
		writeFileSync(join(ws.dir, 'known_hosts'), '');
		writeFileSync(join(ws.dir, 'ssh_config'), '');
		access = ['--state-dir', ws.stateDir, '--known-hosts', join(ws.dir, 'known_hosts'), '--ssh-config', join(ws.dir, 'ssh_config'), '--connect-timeout', '1'];
	});
	afterAll(() => silent.close());

	it('apply --dry-run gives up after it, naming the node and address (exit 1)', async () => {
		const r = await run(['apply', '--profile-file', ws.file, '--dry-run', ...access], ws.dir);
		expect(r.code, r.stderr).toBe(1);
		expect(`${r.stdout}${r.stderr}`).toMatch(new RegExp(`master1[^\\n]*no SSH answer from [^\\n]*127\\.0\\.0\\.1:${silent.port}`));
		// ssh2's handshake timeout would be 20 s; the default --connect-timeout 10 s.
		expect(r.seconds, `took ${r.seconds}s`).toBeLessThan(8);
	}, 60_000);

	it('status gives up after it, names the node and counts the wait in its duration (exit 1: down)', async () => {
		const rendered = await run(['render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', ws.outDir], ws.dir);
		expect(rendered.code, rendered.stderr).toBe(0);
		const r = await run(['status', '--profile-file', ws.file, '--json', ...access], ws.dir);
		expect(r.code, r.stderr).toBe(1);
		const report = JSON.parse(r.stdout) as {durationMs: number; nodes: Array<{name: string; ssh: {state: string; detail: string}}>};
		expect(report.nodes[0]?.ssh.detail).toMatch(new RegExp(`no SSH answer from .*127\\.0\\.0\\.1:${silent.port}`));
		expect(report.durationMs).toBeGreaterThanOrEqual(1000);
		expect(r.seconds, `took ${r.seconds}s`).toBeLessThan(8);
	}, 60_000);
});
