import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, e2eWork, get, labWithCluster, NODES, nodeSsh, parseEvents, startApply, type AdminCreds, setApiserverArg as setArg} from './apply-support.js';

/**
 * A rolling change that fails, on the lab: one apiserver setting whose value the
 * apiserver rejects at start-up (the flag exists, so the --help check passes). The
 * rollout must stop at the first node, which is put back on its previous files and
 * serves again (or, with --no-rollback, is left down); the other two get no file and keep
 * serving throughout; fixing the profile completes the change. Reuses the apply suite's
 * cluster.
 */
const skip = cannotRun('e2e rollout', canRunLab());

describe.skipIf(skip)('a failing rolling change on the lab', () => {
	let env: Record<string, string>;
	let admin: AdminCreds;
	let ips: Record<string, string>;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	const args = () => applyArgs(env, profilePath, stateDir);

	beforeAll(async () => {
		env = await labWithCluster(profilePath, stateDir);
		ips = Object.fromEntries((env.LAB_NODES ?? '').trim().split(/\s+/).map((p) => p.split('=') as [string, string]));
		admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
	});

	/** Which apiservers answer /readyz now. */
	const readyNodes = async () => {
		const ready = await Promise.all(NODES.map((n) => get(`https://${ips[n]}:6443/readyz`, admin).then((r) => r.status === 200, () => false)));
		return NODES.filter((_, i) => ready[i]);
	};

	/** Runs apply while polling every apiserver's /readyz every 100 ms; the fewest ready seen. */
	async function applyWatched(extra: string[] = []): Promise<{exitCode: number | undefined; events: RunEvent[]; all: string; minReady: number}> {
		let minReady = NODES.length;
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				minReady = Math.min(minReady, (await readyNodes()).length);
				await new Promise((r) => setTimeout(r, 100));
			}
		})();
		const run = await startApply([...args(), ...extra]);
		watching = false;
		await watcher;
		return {exitCode: run.exitCode, events: parseEvents(run.stdout), all: run.all ?? '', minReady};
	}

	const invocation = async (node: string, unit: string) => (await nodeSsh(node, `systemctl show -P InvocationID ${unit}`)).stdout.trim();
	const setApiserverArg = (name: string, value: string | undefined) => setArg(profilePath, name, value);

	/** sha256 of every file the tool manages on a node (binaries, certificates, configs, units). */
	const managedHashes = async (node: string) =>
		(await nodeSsh(node, 'find /opt/k8s/bin /etc/kubernetes /etc/systemd/system -maxdepth 2 -type f 2>/dev/null | sort | xargs sha256sum')).stdout;

	let before: Record<string, string> = {};
	it('rolls the first node back when its new apiserver fails: it serves again, the other two got no file, exit 1', async () => {
		expect(await readyNodes()).toEqual(NODES);
		for (const n of NODES) before[n] = await invocation(n, 'kube-apiserver');
		const hashes = Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await managedHashes(n)] as const)));
		setApiserverArg('tls-cipher-suites', 'NOT_A_SUITE');
		const run = await applyWatched();
		console.log(`failing rollout, rolled back: exit ${run.exitCode}, fewest ready apiservers ${run.minReady}`);
		expect(run.exitCode, run.all).toBe(1);
		const failed = run.events.filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
		expect(failed.map((f) => `${f.node} ${f.step}`)).toEqual(['lab-m1 apiserver']);
		expect(failed[0]?.detail, 'the journal tail').toContain('NOT_A_SUITE');
		expect(failed[0]?.hint).toContain('lab-m2, lab-m3 were not touched and still serve the old configuration');
		expect(run.events.find((e) => e.type === 'node-rolled-back')).toMatchObject({node: 'lab-m1', ok: true});
		expect(run.events.find((e) => e.type === 'rollout-stopped')).toMatchObject({node: 'lab-m1', untouched: ['lab-m2', 'lab-m3'], rolledBack: true});
		expect(run.minReady).toBeGreaterThanOrEqual(2);
		expect(await readyNodes()).toEqual(NODES);
		// lab-m1 holds exactly the files it had; the others were never written.
		for (const n of NODES) expect(await managedHashes(n), `${n}'s files`).toBe(hashes[n]);
		for (const n of ['lab-m2', 'lab-m3']) expect(await invocation(n, 'kube-apiserver'), `${n} was restarted`).toBe(before[n]);
		const kept = await nodeSsh('lab-m1', 'ls -1 /var/lib/k8s-master-setup/generations && stat -c %a /var/lib/k8s-master-setup/generations/g-*');
		// One or two kept (earlier runs on a reused lab may have made one), root-only
		// (execa drops the output's last newline).
		expect(kept.stdout).toMatch(/^(g-\S+\n){1,2}700(\n700)?$/);
	});

	it('with --no-rollback stops at the first node and leaves it down on its new files', async () => {
		const run = await applyWatched(['--no-rollback']);
		expect(run.exitCode, run.all).toBe(1);
		expect(run.events.some((e) => e.type === 'node-rolled-back')).toBe(false);
		expect(run.minReady).toBeGreaterThanOrEqual(2);
		expect(await readyNodes()).toEqual(['lab-m2', 'lab-m3']);
		expect((await nodeSsh('lab-m1', 'cat /etc/systemd/system/kube-apiserver.service')).stdout).toContain('NOT_A_SUITE');
		for (const n of ['lab-m2', 'lab-m3']) {
			expect(await invocation(n, 'kube-apiserver'), `${n} was restarted`).toBe(before[n]);
			const unit = await nodeSsh(n, 'cat /etc/systemd/system/kube-apiserver.service');
			expect(unit.stdout, `${n} received the new unit`).not.toContain('tls-cipher-suites');
		}
	});

	it('fixing the profile and re-running brings the first node back, restarting nothing else', async () => {
		setApiserverArg('tls-cipher-suites', undefined);
		const run = await applyWatched();
		expect(run.exitCode, run.all).toBe(0);
		expect(run.minReady).toBeGreaterThanOrEqual(2);
		expect(await readyNodes()).toEqual(NODES);
		for (const n of ['lab-m2', 'lab-m3']) expect(await invocation(n, 'kube-apiserver'), `${n} was restarted`).toBe(before[n]);
		const restarted = run.events.filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done' && e.changed.some((c) => c.startsWith('restarted kube-apiserver')));
		expect(restarted.map((e) => e.node)).toEqual(['lab-m1']);
	});
});
