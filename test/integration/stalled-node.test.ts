import {afterAll, beforeAll, expect, it} from 'vitest';
import type {Plan} from '../../source/plan/types.js';
import {ProfileSchema} from '../../source/profile/schema.js';
import {sh} from '../../source/remote/shell.js';
import type {Transport} from '../../source/remote/transport.js';
import type {RunEvent} from '../../source/run/events.js';
import {nodeSession} from '../../source/run/node-session.js';
import {runPlan} from '../../source/run/runner.js';
import {connectTo, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

// A node whose every command stalls: sshd runs `sleep 300` whatever is asked (ForceCommand).
describeWithSshd('a node whose commands stall (real sshd)', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;
	const open: Transport[] = [];

	beforeAll(async () => {
		sshd = await startSshd({extraConfig: ['ForceCommand sleep 300']});
		work = await tempDir('stalled');
		knownHosts = await knownHostsFor(work.path, sshd);
	});
	afterAll(async () => {
		await Promise.all(open.map((t) => t.close()));
		await sshd?.stop();
		await work?.remove();
	});

	it('gives a command without its own deadline the transport default, and names the node', async () => {
		const transport = await connectTo(sshd, 'root', knownHosts, {commandTimeoutMs: 500});
		open.push(transport);
		await expect(transport.exec(sh`true`)).rejects.toMatchObject({kind: 'timeout', message: expect.stringMatching(/^master1: command did not finish within/)});
	}, 15_000);

	it('ends a dry run whose state read stalls with a timeout naming the node (the preflight step deadline)', async () => {
		const profile = ProfileSchema.parse({name: 'stall', kubernetesVersion: '1.37', binaries: '/tmp/bin', nodes: [{name: 'master1', ip: '198.51.100.1'}], etcd: {endpoints: ['https://127.0.0.1:2379']}});
		const plan: Plan = {profile, kubernetesRelease: 'v1.37.2', nodes: [{node: profile.nodes[0]!, directories: [], files: []}], adminKubeconfig: ''};
		const events: RunEvent[] = [];
		const started = Date.now();
		const result = await runPlan({
			plan,
			// A transport deadline far beyond the test's: only the runner's own can end the wait.
			connect: async () => {
				const t = await connectTo(sshd, 'root', knownHosts, {commandTimeoutMs: 10 * 60_000});
				open.push(t);
				return nodeSession(t);
			},
			health: {serviceHealthy: async () => ({ok: true, detail: ''}), leaseHolders: async () => ({})},
			emit: (e) => events.push(e),
			binaries: {arch: 'x86_64', totalBytes: 0},
			dryRun: true,
			stepTimeoutMs: {preflight: 1500},
		});
		const seconds = (Date.now() - started) / 1000;
		expect(result.ok).toBe(false);
		expect(result.failedNodes).toEqual(['master1']);
		const failed = events.find((e) => e.type === 'step-failed');
		expect(failed).toMatchObject({node: 'master1', step: 'preflight', cause: expect.stringMatching(/master1 timed out after 2s/)});
		expect(seconds, `the dry run took ${seconds}s`).toBeLessThan(30);
	}, 40_000);
});
