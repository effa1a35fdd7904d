import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {hostname} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from './render/fixtures.js';
import {silentServer} from '../loopback-servers.js';

beforeAll(() => ensureBuilt(), 180_000);

// A first run holds the state directory: an `apply --yes` that has made the CA and then hangs
// connecting to a node that accepts TCP and never answers. A second run on the same state
// directory must be refused, and the CA left as the first made it; once the first is killed
// (SIGKILL: no chance to clean up), its lock is stale and the next run takes it over.
describe('one run per state directory (built CLI)', () => {
	let silent: Awaited<ReturnType<typeof silentServer>>;
	let port = 0;
	beforeAll(async () => {
		silent = await silentServer();
		port = silent.port;
	});
	afterAll(() => silent.close());

	it('refuses a second run naming the holder, and takes over the lock of a killed one', async () => {
		const ws = workspace(baseProfile({nodes: [{name: 'master1', ip: '198.51.100.1', ssh: {host: '127.0.0.1', port, user: 'root'}}], etcd: {endpoints: ['https://127.0.0.1:2379']}}));
		writeFileSync(join(ws.dir, 'ssh_config'), '');
		writeFileSync(join(ws.dir, 'known_hosts'), '');
		const first = spawn(process.execPath, [cliPath, 'apply', '--yes', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--known-hosts', join(ws.dir, 'known_hosts'), '--ssh-config', join(ws.dir, 'ssh_config')], {
			cwd: ws.dir,
			env: {...process.env, SSH_AUTH_SOCK: ''},
		});
		let stdout = '';
		first.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
		const exited = new Promise((resolve) => first.once('exit', resolve));
		try {
			for (const started = Date.now(); !/master1\s+connect\s+started/.test(stdout); await new Promise((r) => setTimeout(r, 50))) {
				if (Date.now() - started > 30_000 || first.exitCode !== null) throw new Error(`the first run did not reach connect:\n${stdout}`);
			}
			// The first run holds the lock, yet has written nothing: its new CA waits for the gate.
			expect(existsSync(join(ws.stateDir, 'ca.pem'))).toBe(false);
			const render = () => spawnSync(process.execPath, [cliPath, 'render', '--profile-file', ws.file, '--state-dir', ws.stateDir, '--out', ws.outDir], {cwd: ws.dir, encoding: 'utf8'});

			const refused = render();
			expect(refused.status, refused.stderr).toBe(2);
			expect(refused.stderr).toContain(`error: the state directory ${ws.stateDir} is in use by \`apply\` (PID ${first.pid} on ${hostname()}, since `);
			expect(refused.stderr).toContain(`remove ${ws.stateDir}.lock`);
			expect(existsSync(ws.outDir)).toBe(false);
			expect(existsSync(join(ws.stateDir, 'ca.pem'))).toBe(false);

			first.kill('SIGKILL');
			await exited;
			expect(existsSync(`${ws.stateDir}.lock`)).toBe(true); // left behind by the killed run
			const after = render();
			expect(after.status, after.stderr).toBe(0);
			expect(after.stderr).toContain(`took over the lock of a run that is gone (\`apply\`, PID ${first.pid} on ${hostname()}`);
			expect(readFileSync(join(ws.stateDir, 'ca.pem'), 'utf8')).toMatch(/BEGIN CERTIFICATE/);
			expect(existsSync(`${ws.stateDir}.lock`)).toBe(false);
		} finally {
			first.kill('SIGKILL');
		}
	}, 90_000);
});
