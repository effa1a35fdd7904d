import {join} from 'node:path';
import {createInterface} from 'node:readline';
import {execa} from 'execa';
import {beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {StatusReportSchema} from '../../source/status/json-schema.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, cli, e2eWork, get, labScript, labWithCluster, NODES, nodeSsh, startApply, waitFor} from './apply-support.js';

/**
 * The on-call screen against the real lab: healthy, a stopped scheduler, a powered-off
 * node, a Lease moving. Reuses the control plane the apply suite installed (or installs it).
 */
const skip = cannotRun('e2e status', canRunLab());

type Report = ReturnType<typeof StatusReportSchema.parse>;

describe.skipIf(skip)('status on the lab', () => {
	let env: Record<string, string>;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	const statusArgs = () => ['status', '--profile-file', profilePath, '--state-dir', stateDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string];

	async function status(extra: string[] = []): Promise<{code: number; report: Report}> {
		const run = await execa('node', [cli, ...statusArgs(), '--json', ...extra], {reject: false});
		const report = StatusReportSchema.parse(JSON.parse(run.stdout));
		return {code: run.exitCode ?? -1, report};
	}

	beforeAll(async () => {
		env = await labWithCluster(profilePath, stateDir);
		// A restart left by an earlier suite (a controller-manager that lost its Lease while a
		// rollout took its apiserver down) counts as degraded for ten minutes; this suite
		// starts from counters at zero (reset-failed zeroes NRestarts, the service runs on).
		await Promise.all(NODES.map((n) => nodeSsh(n, 'systemctl reset-failed kube-apiserver kube-controller-manager kube-scheduler')));
	});

	// Each test starts from a healthy control plane, whatever the one before it left (a node
	// still booting, a Lease between holders), so each also runs alone (-t NAME).
	beforeEach(async () => {
		await waitFor('a healthy control plane before the test', async () => {
			const {code, report} = await status();
			// Thrown, so that a timeout names what was still wrong.
			if (code !== 0) throw new Error(`exit ${code}: ${report.health.problems.map((p) => `${p.node ?? p.component}: ${p.message}`).join('; ')}`);
			return true;
		}, 120_000, 2000);
	});

	it('reports a healthy control plane, valid against the documented schema', async () => {
		const t0 = performance.now();
		const {code, report} = await waitFor('a healthy snapshot', async () => {
			const r = await status();
			return r.code === 0 ? r : undefined;
		}, 60_000, 2000);
		console.log(`status --json: ${Math.round(performance.now() - t0)} ms wall, refresh ${report.durationMs} ms`);
		expect(code).toBe(0);
		expect(report.health.status).toBe('healthy');
		for (const node of report.nodes) {
			expect(node.reachable, node.name).toBe(true);
			expect(node.apiserver.readyz.state, node.name).toBe('ok');
			expect(node.apiserver.version).toMatch(/^v1\.\d+\.\d+/);
			expect(node.certificates.length, node.name).toBeGreaterThan(0);
			// Its encryption config, read on the node, is the one the state renders: secretbox, the state's key name.
			expect(node.encryption, node.name).toEqual({provider: 'secretbox', keyName: report.encryption.keyName, sha256: report.encryption.sha256});
		}
		expect(report.encryption.keyName).toMatch(/^key-\d{8}(-\d+)?$/);
		expect(['lab-m1', 'lab-m2', 'lab-m3']).toContain(report.leases.controllerManager.holderNode);
		expect(['lab-m1', 'lab-m2', 'lab-m3']).toContain(report.leases.scheduler.holderNode);
	});

	it('--encryption counts the Secrets in etcd by key name: every one written under the state\'s secretbox key, none in plaintext', async () => {
		// A Secret of its own: a suite before this one may have left the lab's etcd empty (the
		// stacked suites put it back with no data), and no Secret is written by an apiserver itself.
		const ip = new RegExp('lab-m1=(\\S+)').exec(env.LAB_NODES ?? '')?.[1];
		const body = JSON.stringify({apiVersion: 'v1', kind: 'Secret', metadata: {name: 'e2e-status-count'}, stringData: {v: 'counted'}});
		const written = await get(`https://${ip}:6443/api/v1/namespaces/default/secrets`, adminCreds(join(stateDir, 'admin.kubeconfig')), {method: 'POST', body});
		expect([201, 409], written.body).toContain(written.status);
		const {report} = await status();
		const {code, report: counted} = await status(['--encryption']);
		expect(code).toBe(0);
		const stored = counted.storedSecrets!;
		expect(stored.error).toBeUndefined();
		expect(stored.total, 'at least the one written here').toBeGreaterThan(0);
		expect(stored.byKey).toEqual([{provider: 'secretbox', keyName: report.encryption!.keyName, count: stored.total}]);
		expect(stored.plaintext).toBe(0);
		const plain = await execa('node', [cli, ...statusArgs(), '--encryption'], {reject: false});
		expect(plain.stdout.replace(/\n\s+/g, ' ')).toContain(`stored Secrets (etcd ${stored.endpoint}): ${stored.total}: ${stored.total} secretbox ${report.encryption!.keyName}, 0 plaintext`);
		const watch = await execa('node', [cli, ...statusArgs(), '--encryption', '--watch'], {reject: false});
		expect(watch.exitCode).toBe(2);
	});

	it('shows a stopped kube-scheduler as failed on its node, exit code 3 (degraded)', async () => {
		// Not the leader's: stopping the leader releases its Lease, and a Lease without a
		// holder is "down" (exit 1) until another scheduler takes it.
		// The Lease may be between holders after the apply suite's restarts (a CI run once
		// stopped the leader-to-be here): wait until a lab node holds it.
		const holder = await waitFor('a kube-scheduler Lease holder', async () => (await status()).report.leases.scheduler.holderNode ?? undefined, 30_000);
		const victim = ['lab-m1', 'lab-m2', 'lab-m3'].find((n) => n !== holder) as string;
		await nodeSsh(victim, 'systemctl stop kube-scheduler');
		try {
			// A Lease changing hands at that moment reads as down (exit 1) until it is held again.
			const {code, report} = await waitFor('status without a Lease in flux', async () => {
				const s = await status();
				return s.code === 1 ? undefined : s;
			}, 30_000);
			expect(code).toBe(3);
			const node = report.nodes.find((n) => n.name === victim);
			expect(node?.units?.['kube-scheduler']?.activeState).toBe('inactive');
			expect(node?.scheduler.healthz.state).not.toBe('ok');
			expect(report.health.problems[0]?.node).toBe(victim);
		} finally {
			await nodeSsh(victim, 'systemctl start kube-scheduler');
		}
	});

	it('marks a powered-off node unreachable while the others keep answering', async () => {
		await execa('bash', [labScript, 'stop-node', 'lab-m3']);
		try {
			const {code, report} = await status(['--probe-timeout', '2']);
			const m3 = report.nodes.find((n) => n.name === 'lab-m3');
			expect(m3?.reachable).toBe(false);
			expect(report.nodes.filter((n) => n.name !== 'lab-m3').every((n) => n.apiserver.readyz.state === 'ok')).toBe(true);
			expect(code).toBe(3);
		} finally {
			await execa('bash', [labScript, 'start-node', 'lab-m3']);
		}
	});

	it('shows the new Lease holder after the holder stops', async () => {
		const before = await waitFor('a held Lease', async () => (await status()).report.leases.controllerManager.holderNode ?? undefined, 60_000, 2000);
		await nodeSsh(before, 'systemctl stop kube-controller-manager');
		try {
			// --watch --json: one snapshot per refresh; the new holder must show up in the stream.
			const watch = execa('node', [cli, ...statusArgs(), '--watch', '--json', '--interval', '2'], {reject: false});
			let seen: string | undefined;
			let lines = 0;
			// Whole lines: a snapshot is larger than a pipe chunk, so a chunk may end mid-line.
			createInterface({input: watch.stdout!}).on('line', (line) => {
				if (!line.startsWith('{')) return;
				lines++;
				const holder = StatusReportSchema.parse(JSON.parse(line)).leases.controllerManager.holderNode;
				if (holder && holder !== before) seen ??= holder;
			});
			await waitFor('the new holder in status --watch --json', async () => seen, 60_000, 500);
			watch.kill('SIGINT');
			await watch;
			console.log(`new holder ${seen} after ${lines} refreshes`);
			expect(['lab-m1', 'lab-m2', 'lab-m3']).toContain(seen);
		} finally {
			await nodeSsh(before, 'systemctl start kube-controller-manager');
		}
	});
});
