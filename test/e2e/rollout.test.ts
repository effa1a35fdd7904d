import {readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import YAML from 'yaml';
import {beforeAll, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, e2eWork, get, labWithCluster, NODES, nodeSsh, parseEvents, startApply, type AdminCreds} from './apply-support.js';

/**
 * A rolling change that fails, on the lab: one apiserver setting whose value the
 * apiserver rejects at start-up (the flag exists, so the --help check passes). The
 * rollout must stop at the first node, the other two keep serving throughout, and
 * fixing the profile brings the first node back. Reuses the apply suite's cluster.
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
	async function applyWatched(): Promise<{exitCode: number | undefined; events: RunEvent[]; all: string; minReady: number}> {
		let minReady = NODES.length;
		let watching = true;
		const watcher = (async () => {
			while (watching) {
				minReady = Math.min(minReady, (await readyNodes()).length);
				await new Promise((r) => setTimeout(r, 100));
			}
		})();
		const run = await startApply(args());
		watching = false;
		await watcher;
		return {exitCode: run.exitCode, events: parseEvents(run.stdout), all: run.all ?? '', minReady};
	}

	const invocation = async (node: string, unit: string) => (await nodeSsh(node, `systemctl show -P InvocationID ${unit}`)).stdout.trim();
	const setApiserverArg = (name: string, value: string | undefined) => {
		const profile = YAML.parse(readFileSync(profilePath, 'utf8'));
		const extraArgs = {...profile.apiserver?.extraArgs};
		if (value === undefined) delete extraArgs[name];
		else extraArgs[name] = value;
		profile.apiserver = {...profile.apiserver, extraArgs};
		writeFileSync(profilePath, YAML.stringify(profile));
	};

	let before: Record<string, string> = {};
	it('stops at the first node: one apiserver down, the other two serve throughout, exit 1', async () => {
		expect(await readyNodes()).toEqual(NODES);
		for (const n of NODES) before[n] = await invocation(n, 'kube-apiserver');
		setApiserverArg('tls-cipher-suites', 'NOT_A_SUITE');
		const run = await applyWatched();
		console.log(`failing rollout: exit ${run.exitCode}, fewest ready apiservers ${run.minReady}`);
		expect(run.exitCode, run.all).toBe(1);
		const failed = run.events.filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
		expect(failed.map((f) => `${f.node} ${f.step}`)).toEqual(['lab-m1 apiserver']);
		expect(failed[0]?.detail, 'the journal tail').toContain('NOT_A_SUITE');
		expect(failed[0]?.hint).toContain('lab-m2, lab-m3 were not touched and still serve the old configuration');
		expect(run.events.find((e) => e.type === 'rollout-stopped')).toMatchObject({node: 'lab-m1', untouched: ['lab-m2', 'lab-m3']});
		expect(run.minReady).toBeGreaterThanOrEqual(2);
		expect(await readyNodes()).toEqual(['lab-m2', 'lab-m3']);
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
