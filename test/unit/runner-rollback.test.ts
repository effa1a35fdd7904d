// A node that fails during a rolling change is put back to its previous generation: its
// old files restored, the services this run restarted restarted again and healthy, and
// the rollout stopped with every later node untouched.
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import type {FakeNode} from './fake-node.js';
import type {Plan} from '../../source/plan/types.js';
import {fakeHealth, file, lab, makePlan, of, run} from './runner-fixtures.js';

const UNIT = '/etc/systemd/system/kube-apiserver.service';
const BAD = '--tls-cipher-suites=NOT_A_SUITE';

/** Three serving nodes whose apiserver fails to start whenever its unit holds the bad flag. */
async function servingLab(): Promise<Map<string, FakeNode>> {
	const nodes = lab();
	for (const n of nodes.values()) {
		n.onRestart = (service) => {
			if (service !== 'kube-apiserver') return;
			if (n.files.get(UNIT)?.content.toString().includes('NOT_A_SUITE')) n.broken.set(service, 'E1201 invalid argument "NOT_A_SUITE" for "--tls-cipher-suites"');
			else n.broken.delete(service);
		};
	}
	expect((await run(nodes)).result.ok).toBe(true);
	for (const n of nodes.values()) {
		n.restarts = [];
		n.uploads = [];
	}
	return nodes;
}

const KCM_UNIT = '/etc/systemd/system/kube-controller-manager.service';

function withKcmUnit(plan: Plan, text: string): Plan {
	for (const np of plan.nodes) {
		const i = np.files.findIndex((f) => f.path === KCM_UNIT);
		const old = np.files[i];
		if (old) np.files[i] = file(old.path, old.step, old.services, text, old.secret);
	}
	return plan;
}

const node = (nodes: Map<string, FakeNode>, name: string) => nodes.get(name) as FakeNode;
const rolledBack = (events: RunEvent[]) => of(events, 'node-rolled-back') as Array<Extract<RunEvent, {type: 'node-rolled-back'}>>;

describe('rollback of a failed node in a rolling change', () => {
	it('puts the node that failed back on its old files and restarts it healthy; the others are not touched', async () => {
		const nodes = await servingLab();
		const m1 = node(nodes, 'm1');
		const oldUnit = m1.files.get(UNIT)?.content.toString();
		const oldMarker = m1.files.get('/var/lib/k8s-master-setup/applied/kube-apiserver')?.content.toString();
		const {events, result} = await run(nodes, {}, makePlan(BAD));
		expect(result.failedNodes).toEqual(['m1']);
		// Once with the new unit (failed), once with the old one (the rollback).
		expect(m1.restarts.map((r) => r.service)).toEqual(['kube-apiserver', 'kube-apiserver']);
		expect(m1.files.get(UNIT)?.content.toString()).toBe(oldUnit);
		expect(m1.active.get('kube-apiserver')).toBe(true);
		// The marker goes back too: the next run must still see the new inputs as not started.
		expect(m1.files.get('/var/lib/k8s-master-setup/applied/kube-apiserver')?.content.toString()).toBe(oldMarker);
		for (const name of ['m2', 'm3']) {
			expect(node(nodes, name).uploads).toEqual([]);
			expect(node(nodes, name).restarts).toEqual([]);
		}
		expect(rolledBack(events)).toEqual([expect.objectContaining({node: 'm1', ok: true, generation: expect.stringMatching(/^g-\d{8}T\d{6}Z-\d{3}$/)})]);
		expect(of(events, 'rollout-stopped')).toEqual([expect.objectContaining({node: 'm1', rolledBack: true, untouched: ['m2', 'm3']})]);
		const failed = of(events, 'step-failed')[0] as Extract<RunEvent, {type: 'step-failed'}>;
		expect(failed.detail).toContain('NOT_A_SUITE');
		expect(failed.hint).toContain('m1 is put back to its previous files');
	});

	it('leaves nothing to do on a run of the old profile afterwards, and completes once the profile is fixed', async () => {
		const nodes = await servingLab();
		await run(nodes, {}, makePlan(BAD));
		for (const n of nodes.values()) n.restarts = [];
		const again = await run(nodes, {}, makePlan());
		expect(again.result.ok).toBe(true);
		expect([...nodes.values()].flatMap((n) => n.restarts)).toEqual([]);
		const fixed = await run(nodes, {}, makePlan('--v=4'));
		expect(fixed.result.ok).toBe(true);
		expect([...nodes.values()].map((n) => n.restarts.filter((r) => r.service === 'kube-apiserver').length)).toEqual([1, 1, 1]);
	});

	it('puts back the started-inputs marker of a service that did restart: the old profile then restarts nothing', async () => {
		const nodes = await servingLab();
		const m1 = node(nodes, 'm1');
		m1.onRestart = (service) => {
			if (service !== 'kube-controller-manager') return;
			if (m1.files.get(KCM_UNIT)?.content.toString().includes('bad')) m1.broken.set(service, 'E1201 unknown flag: --bad');
			else m1.broken.delete(service);
		};
		// The apiserver's change is good and passes on m1 (its marker is written); the controller-manager's fails.
		const {result} = await run(nodes, {}, withKcmUnit(makePlan('--v=4'), 'ExecStart=kcm --bad\n'));
		expect(result.failedNodes).toEqual(['m1']);
		expect(m1.restarts.map((r) => r.service)).toEqual(['kube-apiserver', 'kube-controller-manager', 'kube-apiserver', 'kube-controller-manager']);
		for (const n of nodes.values()) n.restarts = [];
		// m1 runs exactly what it ran before: the profile as it was has nothing to do there.
		expect((await run(nodes, {}, makePlan())).result.ok).toBe(true);
		expect(m1.restarts).toEqual([]);
	});

	it('keeps the generation before the first new file reaches the node', async () => {
		const nodes = await servingLab();
		const m1 = node(nodes, 'm1');
		m1.calls = [];
		await run(nodes, {}, makePlan('--v=4'));
		const keep = m1.calls.findIndex((c) => c.startsWith('keepGeneration'));
		expect(keep).toBeGreaterThanOrEqual(0);
		expect(m1.calls.indexOf('ensureDirectories')).toBeGreaterThan(keep);
		expect(m1.generations.size).toBe(1);
	});

	it('prints the exact manual recovery when the rollback itself fails, and stops there', async () => {
		const nodes = await servingLab();
		node(nodes, 'm1').failRestore = true;
		const {events, result} = await run(nodes, {}, makePlan(BAD));
		expect(result.failedNodes).toEqual(['m1']);
		const [back] = rolledBack(events);
		expect(back).toMatchObject({node: 'm1', ok: false, cause: expect.stringContaining('Read-only file system')});
		expect(back?.recovery).toMatch(/^on m1 \(198\.18\.0\.11\): sudo sh \/var\/lib\/k8s-master-setup\/generations\/g-[^/]+\/restore\.sh && sudo systemctl daemon-reload && sudo systemctl restart kube-apiserver$/);
		expect(of(events, 'rollout-stopped')).toEqual([expect.objectContaining({rolledBack: false})]);
		for (const name of ['m2', 'm3']) expect(node(nodes, name).uploads).toEqual([]);
	});

	it('with --no-rollback leaves the failed node on its new files', async () => {
		const nodes = await servingLab();
		const {events} = await run(nodes, {rollback: false}, makePlan(BAD));
		expect(node(nodes, 'm1').files.get(UNIT)?.content.toString()).toContain('NOT_A_SUITE');
		expect(rolledBack(events)).toEqual([]);
	});
});

describe('the release gate of a rolling change', () => {
	it('an apiserver that serves another release than the planned one fails its node, which is rolled back; no other node is touched', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) n.calls = [];
		// m1's unit runs a binary that still answers as the old release.
		const served = (name: string) => (name === 'm1' ? 'v1.36.3' : 'v1.37.2');
		const {events, result} = await run(nodes, {health: {...fakeHealth(nodes), servedVersion: async (node) => served(node.name)}}, makePlan('--v=3'));
		expect(result.failedNodes).toEqual(['m1']);
		const failed = events.find((e) => e.type === 'step-failed');
		expect(failed).toMatchObject({node: 'm1', step: 'apiserver', cause: 'kube-apiserver on m1 serves v1.36.3 after its restart, not the planned v1.37.2 (/version on :6443)'});
		expect(events.filter((e) => e.type === 'node-rolled-back')).toEqual([expect.objectContaining({node: 'm1', ok: true})]);
		for (const name of ['m2', 'm3']) expect((nodes.get(name) as FakeNode).calls.filter((c) => c.startsWith('upload') || c.startsWith('restart'))).toEqual([]);
	});
});

describe('the Lease gate of a rolling change', () => {
	it("a controller-manager restart whose Lease nobody renews afterwards fails that node before the next one", async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) n.calls = [];
		// The leader stopped renewing when m1's controller-manager restarted, and nobody took over.
		const frozen = {holder: 'm1_1234', renewTime: '2026-12-01T16:40:11.123456Z'};
		const health = {...fakeHealth(nodes), leaseRenewal: async () => frozen};
		const plan = makePlan();
		for (const np of plan.nodes) {
			const i = np.files.findIndex((f) => f.path === '/etc/systemd/system/kube-controller-manager.service');
			np.files[i] = file(np.files[i]!.path, 'controller-manager', ['kube-controller-manager'], 'ExecStart=kcm --v=3\n');
		}
		const {events, result} = await run(nodes, {health, leaseTimeoutMs: 300}, plan);
		expect(result.failedNodes).toEqual(['m1']);
		const failed = events.find((e) => e.type === 'step-failed');
		expect(failed).toMatchObject({node: 'm1', step: 'controller-manager'});
		expect((failed as {cause: string}).cause).toMatch(/^no kube-controller-manager renewed its Lease within 0s of the restart on m1 \(m1_1234 last renewed it at 2026-12-01T16:40:11.123456Z\)$/);
		for (const name of ['m2', 'm3']) expect((nodes.get(name) as FakeNode).calls.filter((c) => c.startsWith('upload') || c.startsWith('restart'))).toEqual([]);
	});

	it('passes once a holder has renewed the Lease since the restart', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		let tick = 0;
		const health = {...fakeHealth(nodes), leaseRenewal: async () => ({holder: 'm2_1', renewTime: new Date(Date.UTC(2026, 11, 1) + ++tick * 2000).toISOString()})};
		const plan = makePlan();
		for (const np of plan.nodes) {
			const i = np.files.findIndex((f) => f.path === '/etc/systemd/system/kube-scheduler.service');
			np.files[i] = file(np.files[i]!.path, 'scheduler', ['kube-scheduler'], 'ExecStart=ks --v=3\n');
		}
		const {result} = await run(nodes, {health, leaseTimeoutMs: 300}, plan);
		expect(result.ok).toBe(true);
	});
});

describe('the Lease hand-over of a rolling change', () => {
	it('hands over the Lease the restarted instance held, so a standby leads at once instead of after its expiry', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		for (const n of nodes.values()) n.restarts = [];
		// m2's controller-manager leads; once it is restarted, its Lease stops being renewed.
		let tick = 0;
		const renewed = (holder: string) => ({holder, renewTime: new Date(Date.UTC(2026, 11, 1) + ++tick * 1000).toISOString()});
		let lease = renewed('m2_old');
		const leaderGone = () => node(nodes, 'm2').restarts.some((r) => r.service === 'kube-controller-manager');
		const handOvers: string[] = [];
		const health = {
			...fakeHealth(nodes),
			leaseRenewal: async () => (lease.holder === 'm2_old' && leaderGone() ? lease : (lease = renewed(lease.holder))),
			handOverLease: async (service: string, gone: string) => {
				handOvers.push(`${service} ${gone}, m2 restarted it: ${leaderGone()}`);
				if (lease.holder !== gone) return false;
				lease = renewed('m1_standby'); // the standby takes it on its next retry
				return true;
			},
		};
		const {events, result} = await run(nodes, {health, leaseTimeoutMs: 300}, withKcmUnit(makePlan(), 'ExecStart=kcm --v=3\n'));
		expect(result.ok).toBe(true);
		expect(handOvers).toEqual(['kube-controller-manager m2_old, m2 restarted it: true']);
		expect(events).toContainEqual(expect.objectContaining({type: 'log', node: 'm2', step: 'controller-manager', line: 'handed the kube-controller-manager Lease over: its holder m2_old was the instance just stopped'}));
		for (const name of ['m1', 'm2', 'm3']) expect(node(nodes, name).restarts.map((r) => r.service)).toEqual(['kube-controller-manager']);
	});
});

describe('the Lease hand-over of a rollback', () => {
	it('a leader restarted by the rollback hands its Lease over too', async () => {
		const nodes = lab();
		expect((await run(nodes)).result.ok).toBe(true);
		const SCHED_UNIT = '/etc/systemd/system/kube-scheduler.service';
		let tick = 0;
		const renewed = (holder: string) => ({holder, renewTime: new Date(Date.UTC(2026, 11, 1) + ++tick * 1000).toISOString(), frozen: false});
		let lease = renewed('m1_old');
		for (const n of nodes.values()) {
			n.restarts = [];
			n.onRestart = (service) => {
				// The instance that led is gone: its Lease is no longer renewed.
				if (service === 'kube-controller-manager' && lease.holder.startsWith(`${n.name}_`)) lease.frozen = true;
				// m1's new scheduler fails at start-up; its old one (put back) starts.
				if (service === 'kube-scheduler' && n.name === 'm1') {
					if (n.files.get(SCHED_UNIT)?.content.toString().includes('--v=3')) n.broken.set(service, 'E1201 bad flag');
					else n.broken.delete(service);
				}
			};
		}
		const handOvers: string[] = [];
		// m1's own new instance takes the Lease the first time, m2's the second.
		const takers = ['m1_new', 'm2_standby'];
		const health = {
			...fakeHealth(nodes),
			// The scheduler's Lease is m3's throughout: nothing on m1 hands it over.
			leaseRenewal: async (service: string) => (service === 'kube-scheduler' ? renewed('m3_sched') : lease.frozen ? lease : (lease = renewed(lease.holder))),
			handOverLease: async (service: string, gone: string) => {
				handOvers.push(`${service} ${gone}`);
				if (service !== 'kube-controller-manager' || lease.holder !== gone) return false;
				lease = renewed(takers.shift() ?? 'nobody');
				return true;
			},
		};
		const plan = withKcmUnit(makePlan(), 'ExecStart=kcm --v=3\n');
		for (const np of plan.nodes) {
			const i = np.files.findIndex((f) => f.path === SCHED_UNIT);
			np.files[i] = file(SCHED_UNIT, 'scheduler', ['kube-scheduler'], 'ExecStart=ks --v=3\n');
		}
		const {events, result} = await run(nodes, {health, leaseTimeoutMs: 300}, plan);
		expect(result.failedNodes).toEqual(['m1']);
		expect(events.filter((e) => e.type === 'node-rolled-back')).toEqual([expect.objectContaining({node: 'm1', ok: true})]);
		expect(handOvers).toEqual(['kube-controller-manager m1_old', 'kube-controller-manager m1_new']);
		expect(lease.holder).toBe('m2_standby');
	});
});
