// A rolling change to a serving control plane: one node at a time, each node's files only
// after the node before it came back, a peer gate before each running service goes down,
// and the first failure ends the rollout with every later node untouched. Here with
// --no-rollback (the failed node keeps its new files); runner-rollback.test.ts puts it back.
import {describe, expect, it} from 'vitest';
import type {Plan, ServiceName} from '../../source/plan/types.js';
import type {RunEvent} from '../../source/run/events.js';
import type {HealthProbe} from '../../source/run/services.js';
import type {FakeNode} from './fake-node.js';
import {fakeHealth, file, lab, makePlan, of, run as runWithRollback} from './runner-fixtures.js';

const run: typeof runWithRollback = (nodes, extra = {}, plan) => runWithRollback(nodes, {rollback: false, ...extra}, plan);

/** Three nodes with the control plane installed and serving, their logs cleared. */
async function servingLab(): Promise<Map<string, FakeNode>> {
	const nodes = lab();
	const {result} = await run(nodes);
	expect(result.ok).toBe(true);
	for (const n of nodes.values()) {
		n.restarts = [];
		n.uploads = [];
	}
	return nodes;
}

/** The plan with one file's content replaced on every node (its sha256 follows). */
function withContent(plan: Plan, path: string, text: string): Plan {
	for (const np of plan.nodes) {
		const i = np.files.findIndex((f) => f.path === path);
		const old = np.files[i];
		if (!old) throw new Error(`no ${path} in the plan`);
		np.files[i] = file(old.path, old.step, old.services, text, old.secret);
	}
	return plan;
}

const node = (nodes: Map<string, FakeNode>, name: string) => nodes.get(name) as FakeNode;
const restarted = (nodes: Map<string, FakeNode>) => [...nodes.values()].flatMap((n) => n.restarts.map((r) => `${n.name} ${r.service}`));
const failures = (events: RunEvent[]) => of(events, 'step-failed') as Array<Extract<RunEvent, {type: 'step-failed'}>>;

describe('rolling change', () => {
	it('stops at the first node whose apiserver does not come back: no other node is restarted or written', async () => {
		const nodes = await servingLab();
		node(nodes, 'm1').broken.set('kube-apiserver', 'E1201 invalid argument "NOT_A_SUITE" for "--tls-cipher-suites"');
		const {events, result} = await run(nodes, {}, makePlan('--tls-cipher-suites=NOT_A_SUITE'));
		expect(result.ok).toBe(false);
		expect(result.failedNodes).toEqual(['m1']);
		expect(restarted(nodes)).toEqual(['m1 kube-apiserver']);
		expect(node(nodes, 'm2').uploads).toEqual([]);
		expect(node(nodes, 'm3').uploads).toEqual([]);
		const [failed, ...more] = failures(events);
		expect(more).toEqual([]);
		expect(failed).toMatchObject({node: 'm1', step: 'apiserver'});
		expect(failed?.detail).toContain('NOT_A_SUITE');
		expect(failed?.hint).toContain('rollout stopped at m1: m2, m3 were not touched and still serve the old configuration');
		for (const name of ['m2', 'm3']) {
			const skipped = of(events, 'step-skipped').filter((e) => e.node === name) as Array<Extract<RunEvent, {type: 'step-skipped'}>>;
			expect(skipped.map((e) => e.step).sort()).toEqual(['apiserver', 'binaries', 'certificates', 'configs', 'controller-manager', 'scheduler', 'verify']);
			expect(new Set(skipped.filter((e) => e.step !== 'verify').map((e) => e.reason))).toEqual(new Set(['not started: rollout stopped at m1']));
		}
		expect(of(events, 'rollout-stopped')).toEqual([expect.objectContaining({node: 'm1', step: 'apiserver', untouched: ['m2', 'm3']})]);
	});

	it("gives a node its new files only after the node before it passed: a bad certificate stays on one node", async () => {
		const nodes = await servingLab();
		node(nodes, 'm1').broken.set('kube-apiserver', 'E1201 tls: private key does not match public key');
		const plan = withContent(makePlan(), '/etc/kubernetes/cert/kubernetes-key.pem', 'OTHER KEY');
		const {result} = await run(nodes, {}, plan);
		expect(result.failedNodes).toEqual(['m1']);
		expect(node(nodes, 'm1').uploads).toEqual(['/etc/kubernetes/cert/kubernetes-key.pem']);
		expect(node(nodes, 'm2').uploads).toEqual([]);
		expect(node(nodes, 'm3').uploads).toEqual([]);
		expect(node(nodes, 'm2').files.get('/etc/kubernetes/cert/kubernetes-key.pem')?.content.toString()).toBe('KEY');
	});

	it('places every node\'s files and restarts one node at a time when each comes back', async () => {
		const nodes = await servingLab();
		const order: string[] = [];
		for (const n of nodes.values()) {
			n.onRestart = (service) => order.push(`${n.name} ${service} (${[...nodes.values()].filter((o) => o.files.get('/etc/kubernetes/cert/kubernetes-key.pem')?.content.toString() === 'OTHER KEY').map((o) => o.name).join(',')})`);
		}
		const plan = withContent(makePlan(), '/etc/kubernetes/cert/kubernetes-key.pem', 'OTHER KEY');
		const {result} = await run(nodes, {}, plan);
		expect(result.ok).toBe(true);
		// At each restart, only the nodes already rolled (and this one) hold the new key.
		expect(order).toEqual(['m1 kube-apiserver (m1)', 'm2 kube-apiserver (m1,m2)', 'm3 kube-apiserver (m1,m2,m3)']);
	});

	it('does not take a node down while another apiserver is not ready, and names it', async () => {
		const nodes = await servingLab();
		const base = fakeHealth(nodes);
		// m3's unit is active, but its apiserver does not answer /readyz.
		const health: HealthProbe = {
			...base,
			async serviceHealthy(n, service) {
				if (n.name === 'm3' && service === 'kube-apiserver') return {ok: false, detail: 'etcd not ready'};
				return base.serviceHealthy(n, service);
			},
		};
		const {events, result} = await run(nodes, {health, peerWaitMs: 300}, makePlan('--v=4'));
		expect(result.failedNodes).toEqual(['m1']);
		expect(restarted(nodes)).toEqual([]);
		for (const n of nodes.values()) expect(n.uploads).toEqual([]);
		const [failed] = failures(events);
		expect(failed).toMatchObject({node: 'm1', step: 'apiserver'});
		expect(failed?.cause).toContain('not restarting kube-apiserver on m1: kube-apiserver on m3 (etcd not ready) is not ready');
		expect(failed?.hint).toContain('bring kube-apiserver on m3 back');
		expect(of(events, 'step-progress').some((e) => e.node === 'm1' && (e as {message?: string}).message?.includes('waiting for kube-apiserver on m3'))).toBe(true);
		const m1Skipped = of(events, 'step-skipped').filter((e) => e.node === 'm1').map((e) => (e as {step: string}).step);
		expect(m1Skipped).toEqual(expect.arrayContaining(['binaries', 'certificates', 'configs', 'controller-manager', 'scheduler']));
		expect(m1Skipped).not.toContain('apiserver');
	});

	it('waits for a peer that comes back within the bound, then goes on', async () => {
		const nodes = await servingLab();
		const base = fakeHealth(nodes);
		let refusals = 3;
		const healthyAtRestart: boolean[] = [];
		const health: HealthProbe = {
			...base,
			async serviceHealthy(n, service) {
				if (n.name === 'm3' && service === 'kube-apiserver' && refusals > 0) {
					refusals--;
					return {ok: false, detail: 'starting'};
				}
				return base.serviceHealthy(n, service);
			},
		};
		node(nodes, 'm1').onRestart = () => healthyAtRestart.push(refusals === 0);
		const {result} = await run(nodes, {health, peerWaitMs: 10_000}, makePlan('--v=4'));
		expect(result.ok).toBe(true);
		expect(healthyAtRestart).toEqual([true]);
		expect(restarted(nodes)).toEqual(['m1 kube-apiserver', 'm2 kube-apiserver', 'm3 kube-apiserver']);
	});

	it('restarts a node whose apiserver is down first, so the others can pass the gate', async () => {
		const nodes = await servingLab();
		node(nodes, 'm2').active.set('kube-apiserver', false);
		const order: string[] = [];
		for (const n of nodes.values()) n.onRestart = (service) => order.push(`${n.name} ${service}`);
		const {result} = await run(nodes, {peerWaitMs: 300}, makePlan('--v=4'));
		expect(result.ok).toBe(true);
		expect(order).toEqual(['m2 kube-apiserver', 'm1 kube-apiserver', 'm3 kube-apiserver']);
	});

	it.each<[ServiceName, string]>([
		['kube-controller-manager', '/etc/systemd/system/kube-controller-manager.service'],
		['kube-scheduler', '/etc/systemd/system/kube-scheduler.service'],
	])('stops the rollout when %s fails on the first node', async (service, unit) => {
		const nodes = await servingLab();
		node(nodes, 'm1').broken.set(service, 'E1201 unknown flag');
		const {events, result} = await run(nodes, {}, withContent(makePlan(), unit, 'ExecStart=changed\n'));
		expect(result.failedNodes).toEqual(['m1']);
		expect(restarted(nodes)).toEqual([`m1 ${service}`]);
		expect(node(nodes, 'm2').uploads).toEqual([]);
		expect(of(events, 'rollout-stopped')).toHaveLength(1);
	});

	it('stops the rollout at a node whose apiserver becomes ready, then fails inside the stability window', async () => {
		const nodes = await servingLab();
		const base = fakeHealth(nodes);
		let pollsAfterRestart = -1;
		node(nodes, 'm1').onRestart = () => (pollsAfterRestart = 0);
		const health: HealthProbe = {
			...base,
			async serviceHealthy(n, service) {
				if (n.name === 'm1' && service === 'kube-apiserver' && pollsAfterRestart >= 0) {
					// Ready on the first poll (the restart's health wait), gone on the fourth.
					pollsAfterRestart++;
					if (pollsAfterRestart >= 4) return {ok: false, detail: 'connection refused'};
				}
				return base.serviceHealthy(n, service);
			},
		};
		const {events, result} = await run(nodes, {health, stabilityWindowMs: 2000}, makePlan('--v=4'));
		expect(result.failedNodes).toEqual(['m1']);
		expect(restarted(nodes)).toEqual(['m1 kube-apiserver']);
		const [failed] = failures(events);
		expect(failed?.cause).toContain('kube-apiserver on m1 was healthy, then failed /readyz on :6443 within the 2s stability window');
		expect(failed?.hint).toContain('rollout stopped at m1');
	});

	it('stops the rollout at a node whose service systemd restarted inside the stability window', async () => {
		const nodes = await servingLab();
		const m1 = node(nodes, 'm1');
		// Healthy at every poll, but systemd restarted it once while we watched.
		let shows = 0;
		m1.beforeAnswer = async (call) => {
			if (call === 'unitState kube-apiserver' && m1.restarts.length > 0 && ++shows === 2) m1.nRestarts.set('kube-apiserver', 1);
		};
		const {events, result} = await run(nodes, {stabilityWindowMs: 200}, makePlan('--v=4'));
		expect(result.failedNodes).toEqual(['m1']);
		expect(failures(events)[0]?.cause).toContain('kube-apiserver on m1 was restarted by systemd within the 200 ms stability window (NRestarts 0 → 1, now active)');
		expect(node(nodes, 'm2').restarts).toEqual([]);
	});

	it('watches a restarted service for the window, but not a controller-manager or scheduler that was not running on the node (a master being added)', async () => {
		const nodes = await servingLab();
		// m3 as a new master: its controller-manager and scheduler were never started there.
		for (const service of ['kube-controller-manager', 'kube-scheduler'] as const) node(nodes, 'm3').active.set(service, false);
		const {events, result} = await run(nodes, {stabilityWindowMs: 300}, makePlan('--v=4'));
		expect(result.ok).toBe(true);
		// Started on m3 (they were not running), without a window; every apiserver with one.
		expect(restarted(nodes)).toEqual(expect.arrayContaining(['m3 kube-controller-manager', 'm3 kube-scheduler']));
		const watched = (of(events, 'step-progress') as Array<Extract<RunEvent, {type: 'step-progress'}>>).filter((e) => /stability window/.test(e.message ?? ''));
		expect([...new Set(watched.map((e) => `${e.node} ${e.step}`))].sort()).toEqual(['m1 apiserver', 'm2 apiserver', 'm3 apiserver']);
	});

	it('watches an apiserver that did not serve before (an added master) for a short window only, while its join checks run', async () => {
		const nodes = await servingLab();
		// m3 as a machine that never ran the control plane: nothing of it there, nothing running.
		node(nodes, 'm3').files.clear();
		for (const service of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) node(nodes, 'm3').active.set(service, false);
		let joinedDuringWindow = false;
		const health: HealthProbe = {
			...fakeHealth(nodes),
			joined: async (n) => {
				joinedDuringWindow = true;
				return `${n.name} joined`;
			},
		};
		const started = Date.now();
		const {events, result} = await run(nodes, {stabilityWindowMs: 60_000, health});
		expect(result.ok, JSON.stringify(failures(events))).toBe(true);
		expect(restarted(nodes)).toEqual(['m3 kube-apiserver', 'm3 kube-controller-manager', 'm3 kube-scheduler']);
		const watched = (of(events, 'step-progress') as Array<Extract<RunEvent, {type: 'step-progress'}>>).filter((e) => /stability window/.test(e.message ?? ''));
		expect(new Set(watched.map((e) => `${e.node} ${e.step} ${/\((\d+)s stability window\)/.exec(e.message ?? '')?.[1]}`))).toEqual(new Set(['m3 apiserver 5']));
		expect(joinedDuringWindow).toBe(true);
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContain('m3 joined');
		expect(Date.now() - started).toBeLessThan(20_000);
	}, 30_000);
});
