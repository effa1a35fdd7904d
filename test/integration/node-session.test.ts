import {statSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {nodeSession, type NodeSession} from '../../source/run/node-session.js';
import {connectTo, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

// The runner's typed node operations over a real sshd and shell (the runner's unit tests
// use an in-memory node; the systemd operations run on the lab's nodes in the e2e suite:
// this machine is not booted with systemd).
describeWithSshd('the node operations over SSH (real sshd)', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let session: NodeSession;

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('node-session');
		session = nodeSession(await connectTo(sshd, 'root', await knownHostsFor(work.path, sshd)));
	});
	afterAll(async () => {
		await session?.close();
		await sshd?.stop();
		await work?.remove();
	});

	it('makes nested directories with their modes, also for a path with a quote and a space', async () => {
		const odd = join(work.path, "it's a", 'cert');
		await session.ensureDirectories([{path: odd, mode: 0o700}, {path: join(work.path, 'bin'), mode: 0o755}]);
		expect(statSync(odd).mode & 0o777).toBe(0o700);
		expect(statSync(join(work.path, 'bin')).mode & 0o777).toBe(0o755);
	});

	it('fails with the node named when a directory cannot be made', async () => {
		await expect(session.ensureDirectories([{path: '/proc/k8s-master-setup-test', mode: 0o700}])).rejects.toThrow(/could not create directories on master1/);
	});
}, 60_000);
