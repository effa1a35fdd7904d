// The built CLI's one signal path (cli/shared/stop-signals.ts), against a node that accepts
// the TCP connection and never says a word (the SSH handshake hangs, as a wedged sshd's
// would): the first SIGINT/SIGTERM stops new work and the command ends on its own with 130,
// the second ends it at once, and Ctrl-C at apply's [y/N] question is an interruption too
// (130, no AbortError stack trace).
import {spawn, type ChildProcessWithoutNullStreams} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';
import {silentServer} from '../loopback-servers.js';

beforeAll(() => ensureBuilt(), 180_000);

interface Run {
	child: ChildProcessWithoutNullStreams;
	out: {stdout: string; stderr: string};
	exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
	until(what: string, ok: () => boolean): Promise<void>;
}

function start(command: string, args: string[], cwd: string): Run {
	const child = spawn(command, args, {cwd, env: {...process.env, SSH_AUTH_SOCK: '', NO_COLOR: '1'}});
	const out = {stdout: '', stderr: ''};
	child.stdout.on('data', (c: Buffer) => (out.stdout += c.toString()));
	child.stderr.on('data', (c: Buffer) => (out.stderr += c.toString()));
	const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));
	const until = async (what: string, ok: () => boolean) => {
		for (const started = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 50))) {
			if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`waited for ${what}; stdout:\n${out.stdout}\nstderr:\n${out.stderr}`);
		}
	};
	return {child, out, exited, until};
}

describe('apply, status and signals (built CLI)', () => {
	let silent: Awaited<ReturnType<typeof silentServer>>;
	let port = 0;
	beforeAll(async () => {
		silent = await silentServer();
		port = silent.port;
	});
	afterAll(() => silent.close());

	/** A profile whose one node is the silent server; the host-key and ssh_config files are empty. */
	function hungNode() {
		const ws = workspace(baseProfile({nodes: [{name: 'master1', ip: '198.51.100.1', ssh: {host: '127.0.0.1', port, user: 'root'}}], etcd: {endpoints: ['https://127.0.0.1:2379']}}));
		const knownHosts = join(ws.dir, 'known_hosts');
		writeFileSync(knownHosts, '');
		writeFileSync(join(ws.dir, 'ssh_config'), '');
		const access = ['--state-dir', ws.stateDir, '--known-hosts', knownHosts, '--ssh-config', join(ws.dir, 'ssh_config')];
		return {ws, access};
	}

	it('apply: the first SIGTERM stops new work and says so; the run ends on its own with 130', async () => {
		const {ws, access} = hungNode();
		const run = start(process.execPath, [cliPath, 'apply', '--profile-file', ws.file, '--dry-run', ...access], ws.dir);
		await run.until('the connect step', () => /master1\s+connect\s+started/.test(run.out.stdout));
		run.child.kill('SIGTERM');
		const {code} = await run.exited;
		expect(code, run.out.stderr).toBe(130);
		expect(run.out.stderr).toContain('stopping: in-flight steps finish, nothing new starts (SIGTERM again to quit at once)');
	}, 60_000);

	it('apply: after the first SIGINT the run ends on its own with 130, without waiting for the hung handshake', async () => {
		const {ws, access} = hungNode();
		const run = start(process.execPath, [cliPath, 'apply', '--profile-file', ws.file, '--dry-run', ...access], ws.dir);
		await run.until('the connect step', () => /master1\s+connect\s+started/.test(run.out.stdout));
		const signalled = Date.now();
		run.child.kill('SIGINT');
		const {code} = await run.exited;
		const seconds = (Date.now() - signalled) / 1000;
		expect(code, run.out.stderr).toBe(130);
		expect(run.out.stderr).not.toContain('second SIGINT');
		expect(run.out.stderr).toContain('stopped; run the same command again to resume');
		// The handshake alone would hold it for 20 s (the SSH ready timeout).
		expect(seconds, `exited ${seconds}s after SIGINT`).toBeLessThan(10);
	}, 60_000);

	it('status: the first SIGINT ends it with 130 while the handshake hangs', async () => {
		const {ws, access} = hungNode();
		// status reads the admin credentials from the state directory: render makes them.
		const render = start(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', ws.outDir], ws.dir);
		expect((await render.exited).code, render.out.stderr).toBe(0);
		const accepted = silent.connections();
		const run = start(process.execPath, [cliPath, 'status', '--profile-file', ws.file, ...access], ws.dir);
		// Nothing is printed before the connections settle: wait for the handshake to begin
		// (status handles signals before it connects), not for a fixed time, which a loaded
		// machine can outlast before Node has even loaded the CLI.
		await run.until('the SSH connection', () => silent.connections() > accepted);
		expect(run.child.exitCode).toBeNull();
		const signalled = Date.now();
		run.child.kill('SIGINT');
		const {code} = await run.exited;
		const seconds = (Date.now() - signalled) / 1000;
		expect(code, run.out.stderr).toBe(130);
		expect(seconds, `exited ${seconds}s after SIGINT`).toBeLessThan(10);
	}, 60_000);

	it('apply: Ctrl-C at the [y/N] question is an interruption (130), not an AbortError', async () => {
		const {ws, access} = hungNode();
		const line = [process.execPath, cliPath, 'apply', '--profile-file', ws.file, ...access].map((a) => `'${a}'`).join(' ');
		// script(1) gives the CLI a terminal: the question is only asked on one.
		const run = start('script', ['-qfec', line, '/dev/null'], ws.dir);
		await run.until('the question', () => run.out.stdout.includes('[y/N]'));
		run.child.stdin.write('\x03');
		const {code} = await run.exited;
		expect(code, run.out.stdout).toBe(130);
		expect(run.out.stdout).toContain('interrupted; nothing was changed');
		expect(run.out.stdout).not.toMatch(/AbortError|at .*\.js:\d+/);
	}, 60_000);
});
