// verify: a control plane whose services answer but whose leaders are not on the profile's
// masters is not done; the run fails in verify and names the Lease.
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import type {HealthProbe} from '../../source/run/services.js';
import {fakeHealth, lab, of, run} from './runner-fixtures.js';

type Holders = Awaited<ReturnType<HealthProbe['leaseHolders']>>;

async function runWithHolders(holders: Holders) {
	const nodes = lab();
	const health: HealthProbe = {...fakeHealth(nodes), leaseHolders: async () => holders};
	return run(nodes, {health, leaseTimeoutMs: 50});
}

describe('runner verify', () => {
	it('fails verify on every node, naming both Leases, when nobody holds them', async () => {
		const {events, result} = await runWithHolders({});
		expect(result.ok).toBe(false);
		expect(result.failedNodes).toEqual(['m1', 'm2', 'm3']);
		const failed = of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;
		expect(failed.map((e) => `${e.node} ${e.step}`)).toEqual(['m1 verify', 'm2 verify', 'm3 verify']);
		for (const e of failed) expect(e.cause).toBe('no master holds the kube-controller-manager and kube-scheduler Lease');
		expect(events.at(-1)).toMatchObject({type: 'run-finished', ok: false});
	});

	it('fails verify when a Lease is held by a machine that is not in the profile', async () => {
		const {events, result} = await runWithHolders({'kube-controller-manager': 'm2_1234-abcd', 'kube-scheduler': 'old-master_5678'});
		expect(result.ok).toBe(false);
		const failed = of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;
		expect(failed).toHaveLength(3);
		for (const e of failed) {
			expect(e.step).toBe('verify');
			expect(e.cause).toBe('no master holds the kube-scheduler Lease');
		}
	});
});

describe('cluster objects after the control plane serves', () => {
	it('are ensured once, by the first node in its verify step, and what changed is reported there', async () => {
		const calls: boolean[] = [];
		const {events, result} = await run(lab(), {ensureClusterObjects: async (dryRun) => (calls.push(dryRun), ['ClusterRoleBinding kube-apiserver:kubelet-apis created'])});
		expect(result.ok).toBe(true);
		expect(calls).toEqual([false]);
		const verified = of(events, 'step-done').filter((e) => (e as {step: string}).step === 'verify') as Array<{node: string; changed: string[]}>;
		expect(verified.find((e) => e.node === 'm1')?.changed).toEqual(['ClusterRoleBinding kube-apiserver:kubelet-apis created']);
		expect(verified.filter((e) => e.node !== 'm1').every((e) => e.changed.length === 0)).toBe(true);
	});

	it('fail the first node\'s verify step with the cause and hint when the apiserver refuses', async () => {
		const refusal = Object.assign(new Error('the ClusterRoleBinding kube-apiserver:kubelet-apis binds system:node, not system:kubelet-api-admin'), {hint: 'delete or rename that binding'});
		const {events, result} = await run(lab(), {ensureClusterObjects: async () => Promise.reject(refusal)});
		expect(result.failedNodes).toEqual(['m1']);
		expect(of(events, 'step-failed')).toEqual([expect.objectContaining({node: 'm1', step: 'verify', cause: refusal.message, hint: 'delete or rename that binding'})]);
	});

	it('are only read by a dry run, and said in its plan', async () => {
		const calls: boolean[] = [];
		const {events} = await run(lab(), {dryRun: true, ensureClusterObjects: async (dryRun) => (calls.push(dryRun), ['ClusterRoleBinding kube-apiserver:kubelet-apis (to be created)'])});
		expect(calls).toEqual([true]);
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContain('would ensure: ClusterRoleBinding kube-apiserver:kubelet-apis (to be created)');
	});
});
