import {spawn, spawnSync} from 'node:child_process';
import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {prepare} from '../../../source/plan/prepare.js';
import {loadProfileFile} from '../../../source/profile/load.js';
import {APISERVER_FLAGS, CONTROLLER_MANAGER_FLAGS, SCHEDULER_FLAGS} from '../../../source/render/flags.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {baseProfile, cliPath, ensureBuilt, tempDir, workspace} from './fixtures.js';
import {closedPort} from '../../loopback-servers.js';

/**
 * Nothing is written on refusal, and nothing local is changed by --dry-run or before an
 * interactive apply is confirmed (issue 15, item 3). The CLI runs with HOME, XDG_STATE_HOME
 * and XDG_CACHE_HOME inside the test's directory.
 */
beforeAll(() => ensureBuilt(), 180_000);

type Workspace = ReturnType<typeof workspace>;

function env(ws: Workspace): NodeJS.ProcessEnv {
	return {...process.env, HOME: join(ws.dir, 'home'), XDG_STATE_HOME: join(ws.dir, 'xdg-state'), XDG_CACHE_HOME: join(ws.dir, 'xdg-cache')};
}

function cli(ws: Workspace, args: string[]) {
	const r = spawnSync(process.execPath, [cliPath, ...args, '--profile-file', ws.file, '--state-dir', ws.stateDir], {cwd: ws.dir, encoding: 'utf8', env: env(ws), timeout: 60_000});
	return {code: r.status, stdout: r.stdout, stderr: r.stderr};
}

/** No state directory, neither the given one nor the default one. */
function expectNoState(ws: Workspace): void {
	expect(existsSync(ws.stateDir)).toBe(false);
	expect(existsSync(join(ws.dir, 'xdg-state'))).toBe(false);
}

/** Nodes with TEST-NET addresses whose SSH goes to a closed loopback port. */
async function unreachableNodes() {
	const port = await closedPort();
	return baseProfile({
		nodes: [1, 2, 3].map((i) => ({name: `master${i}`, ip: `198.51.100.1${i}`, ssh: {host: '127.0.0.1', port}})),
		etcd: {endpoints: [1, 2, 3].map((i) => `https://198.51.100.1${i}:2379`)},
	});
}

describe('a refused run writes no state directory', () => {
	it('a tarball that is not one: exit 2, no state directory', () => {
		const ws = workspace(baseProfile({binaries: './kubernetes-server-linux-amd64.tar.gz'}));
		writeFileSync(join(ws.dir, 'kubernetes-server-linux-amd64.tar.gz'), 'not a tarball');
		const r = cli(ws, ['render', '--out', join(ws.dir, 'out')]);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain('binaries: cannot extract');
		expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
		expectNoState(ws);
		expect(existsSync(join(ws.dir, 'out'))).toBe(false);
	});

	it('a flag the binary does not accept: exit 2, no state directory', () => {
		const ws = workspace(baseProfile({apiserver: {extraArgs: {'no-such-flag': 'x'}}}));
		// Stand-ins that list, in --help, exactly the flags the tool renders for them.
		for (const [name, table] of [['kube-apiserver', APISERVER_FLAGS], ['kube-controller-manager', CONTROLLER_MANAGER_FLAGS], ['kube-scheduler', SCHEDULER_FLAGS]] as const) {
			const help = table.map((f) => `      --${f.name} string   x`).join('\n');
			writeFileSync(join(ws.dir, 'bin', name), `#!/bin/sh\nif [ "$1" = --help ]; then cat <<'EOF'\n${help}\nEOF\nexit 0; fi\necho "Kubernetes v1.35.0"\n`);
		}
		const r = cli(ws, ['render', '--out', join(ws.dir, 'out')]);
		expect(r.code, r.stderr).toBe(2);
		expect(r.stderr).toContain('kube-apiserver v1.35.0 does not accept --no-such-flag');
		expectNoState(ws);
	});
});

describe('--dry-run and an unconfirmed apply change nothing local', () => {
	it('apply --dry-run on a new profile creates no CA, keys or state directory', async () => {
		const ws = workspace(await unreachableNodes());
		const r = cli(ws, ['apply', '--dry-run', '--known-hosts', join(ws.dir, 'known_hosts')]);
		// The nodes refuse the connection (exit 1), after the plan was made with its keys in memory.
		expect(r.code, r.stderr).toBe(1);
		expect(r.stderr).toContain('CA: would be created (dry run: kept in memory only)');
		expect(r.stderr).toContain('encryption key: would be created');
		expectNoState(ws);
		expect(existsSync(join(ws.dir, 'known_hosts'))).toBe(false);
	});

	it.runIf(existsSync('/usr/bin/script'))('interactive apply asks before it creates anything; "n" leaves no state directory, nor does "y" while no node passed the gate', async () => {
		const ws = workspace(await unreachableNodes());
		// script(1) gives the CLI a terminal; the answer arrives on its stdin.
		const command = `'${process.execPath}' '${cliPath}' apply --profile-file '${ws.file}' --state-dir '${ws.stateDir}' --known-hosts '${join(ws.dir, 'known_hosts')}'`;
		// A person at a terminal: ink draws only its last frame when it believes it runs in CI.
		const options = {cwd: ws.dir, env: {...env(ws), TERM: 'dumb', CI: 'false', CONTINUOUS_INTEGRATION: 'false'}};
		const no = spawnSync('script', ['-qec', command, '/dev/null'], {...options, encoding: 'utf8', input: 'n\n', timeout: 60_000});
		expect(no.stdout).toContain('CA: to be created');
		expect(no.stdout).toMatch(/Apply Kubernetes v1\.35\.0 control plane to master1 \(198\.51\.100\.11\), .*\? \[y\/N\]/);
		expect(no.stdout).toContain('nothing was changed');
		expect(no.status, no.stdout).toBe(0);
		expectNoState(ws);
		// "y": the grid shows the nodes failing to connect and waits for a key; the new CA and
		// keys are committed only once every node passed the gate (another cluster's keys on a
		// node refuse the run there), so none is written. The test ends it (its own process group).
		// script(1)'s terminal has no size until it is given one, and the grid draws nothing in zero columns.
		const yes = spawn('script', ['-qec', `stty cols 100 rows 30; ${command}`, '/dev/null'], {...options, detached: true, stdio: ['pipe', 'pipe', 'ignore']});
		let screen = '';
		yes.stdout!.on('data', (c: Buffer) => (screen += c.toString()));
		yes.stdin!.write('y\n');
		try {
			const started = Date.now();
			while (!/connection refused/i.test(screen) && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 100));
			expect(screen.slice(-3000)).toMatch(/connection refused/i);
			expectNoState(ws);
		} finally {
			process.kill(-yes.pid!, 'SIGKILL');
		}
	}, 60_000);
});

describe('prepare with a deferred state directory', () => {
	it('plans with the keys in memory, writes nothing until commit, then exactly what it planned with', async () => {
		const ws = workspace();
		const profile = await loadProfileFile(ws.file);
		const prepared = await prepare({profile, stateDir: ws.stateDir, defer: true});
		expect(existsSync(ws.stateDir)).toBe(false);
		expect(prepared.pki.ca.cert).toMatch(/BEGIN CERTIFICATE/);
		prepared.commit();
		expect(readFileSync(join(ws.stateDir, 'ca.pem'), 'utf8')).toBe(prepared.pki.ca.cert);
		expect(readFileSync(join(ws.stateDir, 'ca-key.pem'), 'utf8')).toBe(prepared.pki.ca.key);
		expect(readFileSync(join(ws.stateDir, 'encryption-key'), 'utf8').trim()).toBe(prepared.pki.encryptionKey);
		expect(existsSync(join(ws.stateDir, 'binaries', 'index.json'))).toBe(true);
		expect(statSync(ws.stateDir).mode & 0o777).toBe(0o700);
		// A second preparation finds it all and creates nothing.
		expect((await prepare({profile, stateDir: ws.stateDir, defer: true})).pkiChanges).toEqual([]);
	});

	it('a deferred StateDir reads through to the disk, holds writes in order, and commits them 0600 in a 0700 directory', () => {
		const path = join(tempDir(), 'state');
		StateDir.open(path).write('kept', 'on disk\n');
		const state = StateDir.deferred(path);
		expect(state.read('kept')).toBe('on disk\n');
		state.write('b-key.pem', 'key');
		state.write('a.pem', 'cert');
		state.write('kept', 'replaced\n');
		expect(state.read('kept')).toBe('replaced\n');
		expect(readFileSync(join(path, 'kept'), 'utf8')).toBe('on disk\n');
		expect(existsSync(join(path, 'a.pem'))).toBe(false);
		expect(state.uncommitted).toEqual(['b-key.pem', 'a.pem', 'kept']);
		state.commit();
		expect(state.uncommitted).toEqual([]);
		expect(readdirSync(path).sort()).toEqual(['a.pem', 'b-key.pem', 'kept']);
		for (const f of ['a.pem', 'b-key.pem', 'kept']) expect(statSync(join(path, f)).mode & 0o777, f).toBe(0o600);
		expect(readFileSync(join(path, 'kept'), 'utf8')).toBe('replaced\n');
		// Committed: later writes go straight to disk.
		state.write('later', 'x');
		expect(readFileSync(join(path, 'later'), 'utf8')).toBe('x');
	});
});
