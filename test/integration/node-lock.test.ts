import {spawn, spawnSync, type ChildProcess} from 'node:child_process';
import {hostname} from 'node:os';
import {writeFile, chmod} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {lockingConnect} from '../../source/cli/shared/cluster-lock.js';
import type {ProfileNode} from '../../source/profile/schema.js';
import {lockCommand, type LockHolder, type LockMode} from '../../source/remote/node-lock.js';
import {sh} from '../../source/remote/shell.js';
import type {Transport} from '../../source/remote/transport.js';
import {connectTo, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

// The lock on the nodes (remote/node-lock.ts, cli/shared/cluster-lock.ts) against a real sshd:
// a second run is refused naming the first, the lock of a SIGKILLed run is free at once (it
// lives only as long as the run's SSH channel), and a dry run takes it on a node where it
// cannot write anything. The sshd runs on this machine, so its `/` is this machine's: the
// lock taken here is the real one.
const node: ProfileNode = {name: 'master1', ip: '198.18.0.11'};

describeWithSshd('the lock on the nodes, against a real sshd', () => {
	let sshd: Sshd;
	/** Every command runs in a mount namespace where all but /proc, /sys and /dev is read-only. */
	let readOnly: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;
	const children: ChildProcess[] = [];
	const open: Transport[] = [];

	beforeAll(async () => {
		work = await tempDir('node-lock');
		const script = join(work.path, 'read-only-node.sh');
		await writeFile(
			script,
			`#!/bin/sh
exec unshare -m --propagation private /bin/sh -c '
  awk "{print \\$2}" /proc/self/mounts | while read -r m; do
    case "$m" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) continue;; esac
    mount -o remount,bind,ro "$m" || exit 1
  done || exit 1
  exec /bin/sh -c "$SSH_ORIGINAL_COMMAND"'
`,
		);
		await chmod(script, 0o755);
		sshd = await startSshd();
		readOnly = await startSshd({extraConfig: [`ForceCommand ${script}`]});
		knownHosts = await knownHostsFor(work.path, sshd, readOnly);
	}, 60_000);
	afterAll(async () => {
		for (const child of children) child.kill('SIGKILL');
		await Promise.all(open.map((t) => t.close().catch(() => undefined)));
		await sshd?.stop();
		await readOnly?.stop();
		await work?.remove();
	});

	const connect = (server: Sshd) => async () => {
		const t = await connectTo(server, 'root', knownHosts);
		open.push(t);
		return t;
	};

	/**
	 * Another run holding the lock, from "another machine": OpenSSH's client running the lock
	 * command with its stdin kept open, as the tool's own connection does, until it is killed.
	 */
	async function holderProcess(mode: LockMode, holder: LockHolder): Promise<ChildProcess> {
		const options = ['-F', '/dev/null', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes'];
		const child = spawn('ssh', [...options, '-i', sshd.clientKey, '-p', String(sshd.port), `root@${sshd.host}`, lockCommand(mode, holder)], {stdio: ['pipe', 'pipe', 'pipe']});
		children.push(child);
		let out = '';
		child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
		child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
		for (const started = Date.now(); !out.includes('held'); await new Promise((r) => setTimeout(r, 50))) {
			if (Date.now() - started > 30_000 || child.exitCode !== null) throw new Error(`the holder did not take the lock:\n${out}`);
		}
		return child;
	}

	it('refuses a second apply and a dry run, naming the holder; the lock of a SIGKILLed run is free at once', async () => {
		const first = await holderProcess('exclusive', {host: 'other-machine', pid: 4242, since: '2026-12-01T10:00:00.000Z', command: 'apply'});
		const second = lockingConnect(connect(sshd), 'exclusive', 'apply');
		const refusal = await second.connect(node).then(
			() => undefined,
			(error: Error & {hint?: string; exitCode?: number}) => error,
		);
		expect(refusal?.name).toBe('UserError');
		expect(refusal?.exitCode).toBe(2);
		expect(refusal?.message).toContain('master1 is in use by `apply` (PID 4242 on other-machine, since 2026-12-01T10:00:00.000Z)');
		expect(refusal?.hint).toMatch(/end it on master1 with `pkill -P \d+; kill \d+`/);
		expect(second.refusedNodes()).toEqual(['master1']);
		const dryRun = lockingConnect(connect(sshd), 'shared', 'apply --dry-run');
		await expect(dryRun.connect(node)).rejects.toThrow('master1 is in use by `apply` (PID 4242 on other-machine');

		first.kill('SIGKILL');
		// The kernel closes the killed run's socket, sshd closes its command's stdin, flock ends.
		let taken: Transport | undefined;
		for (const started = Date.now(); !taken; await new Promise((r) => setTimeout(r, 100))) {
			taken = await second.connect(node).catch((error: Error) => {
				if (Date.now() - started > 20_000) throw error;
				return undefined;
			});
		}
		expect(second.refusedNodes()).toEqual([]);
		await taken.close();
	}, 90_000);

	it('takes over the lock of a run gone from this machine that the node still holds (a connection that died without a word)', async () => {
		const gonePid = spawnSync('true').pid!; // exited: a run killed on this machine
		const ghost = await holderProcess('exclusive', {host: hostname(), pid: gonePid, since: '2026-12-01T09:00:00.000Z', command: 'apply'});
		const ended = new Promise((resolve) => ghost.once('exit', resolve));
		const taken = await lockingConnect(connect(sshd), 'exclusive', 'apply').connect(node);
		await ended; // its remote command was ended on the node, so its ssh returned
		await taken.close();
	}, 60_000);

	it('dry runs hold it side by side on a node where nothing can be written, and an apply is refused naming them', async () => {
		// The namespace works: a write anywhere but /proc, /sys and /dev fails on this node.
		const probe = await connect(readOnly)();
		for (const dir of ['/run', '/tmp', '/var/tmp', '/root']) {
			const r = await probe.exec(sh`mkdir ${`${dir}/k8s-master-setup-lock-probe-${process.pid}`}`);
			expect(r.stderr, dir).toMatch(/Read-only file system/);
		}
		const a = await lockingConnect(connect(readOnly), 'shared', 'apply --dry-run').connect(node);
		const b = await lockingConnect(connect(readOnly), 'shared', 'apply --dry-run').connect(node);
		const refused = await lockingConnect(connect(readOnly), 'exclusive', 'apply').connect(node).catch((error: Error) => error);
		expect(refused).toBeInstanceOf(Error);
		expect((refused as Error).message).toMatch(new RegExp(`^master1 is in use by \`apply --dry-run\` \\(PID ${process.pid} on .*\\) and \`apply --dry-run\` \\(PID ${process.pid}`));
		await a.close();
		await b.close();
		const after = await lockingConnect(connect(readOnly), 'exclusive', 'apply').connect(node);
		await after.close();
	}, 60_000);
});
