import {describe, expect, it} from 'vitest';
import type {ServiceName} from '../../source/plan/types.js';
import {isMinorUpgrade, judgeVersionSkew} from '../../source/run/version-skew.js';
import {lab, makePlan, of, run} from './runner-fixtures.js';

const on = (node: string, apiserver: string | undefined, others = apiserver) => ({
	node,
	versions: new Map<ServiceName, string | undefined>([['kube-apiserver', apiserver], ['kube-controller-manager', others], ['kube-scheduler', others]]),
});

describe('the version skew policy', () => {
	it('allows a patch up or down, one minor up, a first install, and finishing a half-done upgrade', () => {
		expect(judgeVersionSkew('v1.37.2', [on('m1', 'v1.37.1'), on('m2', 'v1.37.5')])).toEqual([]);
		expect(judgeVersionSkew('v1.37.2', [on('m1', 'v1.36.3')])).toEqual([]);
		expect(judgeVersionSkew('v1.37.2', [on('m1', undefined)])).toEqual([]);
		expect(judgeVersionSkew('v1.37.2', [on('m1', 'v1.37.2'), on('m2', 'v1.36.3')])).toEqual([]);
	});

	it('refuses skipping a minor, naming the release to go to first', () => {
		const [p] = judgeVersionSkew('v1.37.2', [on('m1', 'v1.31.13')]);
		expect(p?.message).toBe('m1 runs kube-apiserver v1.31.13: kubernetesVersion v1.37.2 skips 1.32');
		expect(p?.hint).toContain('set kubernetesVersion to "1.32" with 1.32 binaries, apply, then 1.37');
	});

	it('refuses a minor downgrade, also of one component left newer', () => {
		expect(judgeVersionSkew('v1.36.3', [on('m1', 'v1.37.2')])[0]?.message).toBe('m1 runs kube-apiserver v1.37.2: kubernetesVersion v1.36.3 is a minor downgrade');
		expect(judgeVersionSkew('v1.36.3', [on('m1', 'v1.36.3', 'v1.37.2')])[0]?.message).toContain('kube-controller-manager v1.37.2');
	});

	it('tells a minor upgrade from a patch change', () => {
		expect(isMinorUpgrade('v1.37.2', [on('m1', 'v1.36.3')])).toBe(true);
		expect(isMinorUpgrade('v1.37.2', [on('m1', 'v1.37.0')])).toBe(false);
	});
});

describe('apply refuses a release the policy forbids', () => {
	it('stops every node in preflight, writes nothing, and reports a refusal (exit 2)', async () => {
		const nodes = lab();
		nodes.get('m2')?.versions.set('kube-apiserver', 'v1.35.4');
		const {events, result} = await run(nodes);
		expect(result.refused).toBe(true);
		expect(result.failedNodes).toEqual(['m2']);
		for (const n of nodes.values()) expect(n.uploads).toEqual([]);
		expect(of(events, 'step-failed')).toEqual([expect.objectContaining({node: 'm2', step: 'preflight', cause: 'm2 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36'})]);
	});

	it('is not a refusal when a node fails another preflight check (no systemd)', async () => {
		const nodes = lab();
		nodes.get('m2')!.facts.systemd = false;
		const {result} = await run(nodes, {}, makePlan());
		expect(result.ok).toBe(false);
		expect(result.refused).toBeUndefined();
	});
});

describe('a minor upgrade rolls component by component', () => {
	/** Three serving nodes reporting `release` for every component. */
	async function servingAt(release: string) {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) {
			n.restarts = [];
			for (const s of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) n.versions.set(s, release);
		}
		return nodes;
	}
	const order = (nodes: Map<string, import('./fake-node.js').FakeNode>) =>
		[...nodes.values()].flatMap((n) => n.restarts.map((r) => ({what: `${n.name} ${r.service}`, at: r.at}))).sort((a, b) => a.at - b.at).map((r) => r.what);
	/** Every file of the plan changed, as new binaries and flags would. */
	const changedEverywhere = () => {
		const plan = makePlan('--v=4');
		for (const np of plan.nodes) np.files = np.files.map((f) => ({...f, sha256: f.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'))}));
		return plan;
	};

	it('restarts every apiserver one by one, then every controller-manager, then every scheduler: a canary that does not lead first, then the rest together', async () => {
		const nodes = await servingAt('v1.36.3');
		// The fake Leases: m2 leads the controller-managers, m1 the schedulers.
		const {result} = await run(nodes, {stabilityWindowMs: 1000}, changedEverywhere());
		expect(result.ok).toBe(true);
		const restarts = [...nodes.values()].flatMap((n) => n.restarts.map((r) => ({what: `${n.name} ${r.service}`, at: r.at}))).sort((a, b) => a.at - b.at);
		const what = restarts.map((r) => r.what);
		expect(what.slice(0, 4)).toEqual(['m1 kube-apiserver', 'm2 kube-apiserver', 'm3 kube-apiserver', 'm1 kube-controller-manager']);
		expect(new Set(what.slice(4, 6))).toEqual(new Set(['m2 kube-controller-manager', 'm3 kube-controller-manager']));
		expect(what[6]).toBe('m2 kube-scheduler');
		expect(new Set(what.slice(7))).toEqual(new Set(['m1 kube-scheduler', 'm3 kube-scheduler']));
		const at = (w: string) => restarts.find((r) => r.what === w)?.at ?? NaN;
		// The rest go only once the canary passed its window, and then together (within one window).
		expect(at('m2 kube-controller-manager') - at('m1 kube-controller-manager')).toBeGreaterThanOrEqual(1000);
		expect(Math.abs(at('m2 kube-controller-manager') - at('m3 kube-controller-manager'))).toBeLessThan(1000);
		expect(Math.abs(at('m1 kube-scheduler') - at('m3 kube-scheduler'))).toBeLessThan(1000);
		// The apiservers: one at a time, each after the one before passed its window.
		expect(at('m2 kube-apiserver') - at('m1 kube-apiserver')).toBeGreaterThanOrEqual(1000);
		expect(at('m3 kube-apiserver') - at('m2 kube-apiserver')).toBeGreaterThanOrEqual(1000);
	});

	it('a patch change still goes node by node', async () => {
		const nodes = await servingAt('v1.37.0');
		await run(nodes, {}, changedEverywhere());
		expect(order(nodes).slice(0, 3)).toEqual(['m1 kube-apiserver', 'm1 kube-controller-manager', 'm1 kube-scheduler']);
	});

	it('a controller-manager failing in its pass stops there: later ones are not restarted, every step reported', async () => {
		const nodes = await servingAt('v1.36.3');
		nodes.get('m2')!.broken.set('kube-controller-manager', 'E1201 boom');
		const {events, result} = await run(nodes, {rollback: false}, changedEverywhere());
		expect(result.failedNodes).toEqual(['m2']);
		// m1, the canary, passed; m2 and m3 went together and m2 failed: no scheduler was restarted.
		expect(order(nodes).slice(0, 4)).toEqual(['m1 kube-apiserver', 'm2 kube-apiserver', 'm3 kube-apiserver', 'm1 kube-controller-manager']);
		expect(new Set(order(nodes).slice(4))).toEqual(new Set(['m2 kube-controller-manager', 'm3 kube-controller-manager']));
		// Every cell of the grid ends: each node's nine steps each got a final event.
		const final = new Set(['step-done', 'step-unchanged', 'step-skipped', 'step-failed']);
		for (const n of ['m1', 'm2', 'm3']) {
			const steps = new Set(events.filter((e) => final.has(e.type) && 'node' in e && e.node === n).map((e) => (e as {step: string}).step));
			expect(steps.size, n).toBe(9);
		}
	});

	it('takes the etcd snapshot before the first node is touched, and only for a minor upgrade', async () => {
		const nodes = await servingAt('v1.36.3');
		const uploadsAtSnapshot: number[] = [];
		const beforeMinorUpgrade = async () => (uploadsAtSnapshot.push([...nodes.values()].flatMap((n) => n.uploads).length), 'etcd snapshot /state/snapshots/etcd-x.db (revision 7)');
		for (const n of nodes.values()) n.uploads = [];
		const {events, result} = await run(nodes, {beforeMinorUpgrade}, changedEverywhere());
		expect(result.ok).toBe(true);
		expect(uploadsAtSnapshot).toEqual([0]);
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContain('before the minor upgrade: etcd snapshot /state/snapshots/etcd-x.db (revision 7)');
		const patch = await servingAt('v1.37.0');
		const calls: string[] = [];
		await run(patch, {beforeMinorUpgrade: async () => (calls.push('snapshot'), '')}, changedEverywhere());
		expect(calls).toEqual([]);
		// A stacked etcd's minor upgrade takes it too, on a Kubernetes patch change.
		await run(await servingAt('v1.37.0'), {beforeMinorUpgrade: async () => (calls.push('snapshot'), 'etcd snapshot y'), etcdMinorUpgrade: true}, changedEverywhere());
		expect(calls).toEqual(['snapshot']);
	});

	it('stops before any change when the snapshot fails, and says how to go without one', async () => {
		const nodes = await servingAt('v1.36.3');
		for (const n of nodes.values()) n.uploads = [];
		const {events, result} = await run(nodes, {beforeMinorUpgrade: async () => Promise.reject(new Error('https://198.18.0.11:2379: connection refused'))}, changedEverywhere());
		expect(result.ok).toBe(false);
		for (const n of nodes.values()) expect(n.uploads).toEqual([]);
		expect(of(events, 'step-failed')).toEqual([expect.objectContaining({node: 'm1', step: 'binaries', cause: 'no etcd snapshot before the minor upgrade: https://198.18.0.11:2379: connection refused', hint: expect.stringContaining('--no-etcd-snapshot')})]);
	});
});
