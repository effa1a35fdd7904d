import {spawn} from 'node:child_process';
import {writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {stringify} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';
import {silentServer} from '../loopback-servers.js';

beforeAll(() => ensureBuilt(), 180_000);

// The built CLI against a node that accepts the TCP connection and never says a word: the
// connect step hangs (for the 20 s handshake timeout), as a wedged sshd would.
describe('apply and signals (built CLI)', () => {
	let silent: Awaited<ReturnType<typeof silentServer>>;
	let port = 0;
	beforeAll(async () => {
		silent = await silentServer();
		port = silent.port;
	});
	afterAll(() => silent.close());

	it('stops new work on the first SIGTERM and quits at once, saying so, on the second', async () => {
		const ws = workspace(baseProfile({nodes: [{name: 'master1', ip: '198.51.100.1', ssh: {host: '127.0.0.1', port, user: 'root'}}], etcd: {endpoints: ['https://127.0.0.1:2379']}}));
		const knownHosts = join(ws.dir, 'known_hosts');
		writeFileSync(knownHosts, '');
		writeFileSync(join(ws.dir, 'ssh_config'), '');
		const child = spawn(process.execPath, [cliPath, 'apply', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--dry-run', '--known-hosts', knownHosts, '--ssh-config', join(ws.dir, 'ssh_config')], {
			cwd: ws.dir,
			env: {...process.env, SSH_AUTH_SOCK: ''},
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		const exited = new Promise<{code: number | null; signal: NodeJS.Signals | null}>((resolve) => child.once('exit', (code, signal) => resolve({code, signal})));
		const until = async (what: string, ok: () => boolean) => {
			for (const started = Date.now(); !ok(); await new Promise((r) => setTimeout(r, 50))) {
				if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`waited for ${what}; stdout:\n${stdout}\nstderr:\n${stderr}`);
			}
		};

		await until('the connect step', () => /master1\s+connect\s+started/.test(stdout));
		child.kill('SIGTERM');
		await until('the first signal to be answered', () => stderr.includes('stopping'));
		expect(stderr).toContain('stopping: in-flight steps finish, nothing new starts (SIGTERM again to quit at once)');
		expect(child.exitCode, 'the first SIGTERM must not end the run at once').toBeNull();
		const second = Date.now();
		child.kill('SIGTERM');
		const {code} = await exited;
		const seconds = (Date.now() - second) / 1000;
		expect(code).toBe(143);
		expect(stderr).toContain('second SIGTERM: quitting now');
		// The connect still hangs for up to 20 s: only the second signal can end the run this soon.
		expect(seconds, `exited ${seconds}s after the second SIGTERM`).toBeLessThan(10);
	}, 60_000);
});
