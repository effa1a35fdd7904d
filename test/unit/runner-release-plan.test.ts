import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {CHECKS} from '../../source/run/release-plan.js';
import type {FakeNode} from './fake-node.js';
import {lab, makePlan, of, run} from './runner-fixtures.js';

type PlanRelease = Extract<RunEvent, {type: 'plan-release'}>;
const SERVICES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;

/** Three serving nodes whose components report `release`, their logs cleared. */
async function servingAt(release: string): Promise<Map<string, FakeNode>> {
	const nodes = lab();
	expect((await run(nodes)).result.ok).toBe(true);
	for (const n of nodes.values()) {
		n.restarts = [];
		n.uploads = [];
		n.calls = [];
		for (const s of SERVICES) n.versions.set(s, release);
	}
	return nodes;
}

/** Every file of the plan changed, as new binaries would. */
function newRelease() {
	const plan = makePlan('--v=4');
	for (const np of plan.nodes) np.files = np.files.map((f) => ({...f, sha256: f.sha256.replace(/^./, (c) => (c === '0' ? '1' : '0'))}));
	return plan;
}

const changing = (calls: string[]) => calls.filter((c) => !/^(preflight|readState|readFile|close)\b/.test(c));

describe('the runner reports the release plan', () => {
	it('a dry run of a minor upgrade: one plan-release after the file changes, and nothing uploaded or restarted', async () => {
		const nodes = await servingAt('v1.36.3');
		const {events, result} = await run(nodes, {dryRun: true}, newRelease());
		expect(result.ok).toBe(true);
		const plans = of(events, 'plan-release') as PlanRelease[];
		expect(plans).toHaveLength(1);
		const plan = plans[0]!;
		expect(plan).toMatchObject({target: 'v1.37.2', kind: 'minor-upgrade', ok: true});
		expect(plan.nodes.map((n) => n.node)).toEqual(['m1', 'm2', 'm3']);
		expect(plan.nodes[1]?.components).toEqual(SERVICES.map((service) => ({service, current: 'v1.36.3', target: 'v1.37.2', change: 'minor-up'})));
		expect(plan.checks.map((c) => [c.check, c.ok])).toEqual([
			[CHECKS.skip, true],
			[CHECKS.downgrade, true],
			[CHECKS.apiservers, true],
			[CHECKS.order, true],
			[CHECKS.mixed, true],
		]);
		expect(plan.restarts.map((r) => `${r.node} ${r.service}`)).toEqual([
			'm1 kube-apiserver', 'm2 kube-apiserver', 'm3 kube-apiserver',
			'm1 kube-controller-manager', 'm2 kube-controller-manager', 'm3 kube-controller-manager',
			'm1 kube-scheduler', 'm2 kube-scheduler', 'm3 kube-scheduler',
		]);
		// Beside the file diffs, after them.
		const at = (e: RunEvent) => events.indexOf(e);
		expect(Math.max(...of(events, 'plan-change').map(at))).toBeLessThan(at(plan));
		for (const n of nodes.values()) {
			expect(n.uploads).toEqual([]);
			expect(n.restarts).toEqual([]);
			expect(changing(n.calls)).toEqual([]);
		}
	});

	it('every node refused: still read, so the plan says a serving control plane, not a first install', async () => {
		const nodes = await servingAt('v1.35.4');
		const {events, result} = await run(nodes, {dryRun: true}, newRelease());
		expect(result.refused).toBe(true);
		const [plan] = of(events, 'plan-release') as PlanRelease[];
		expect(plan?.kind).toBe('minor-upgrade');
	});

	it.each([true, false])('a release the policy refuses (dry run %s): the plan explains it, restarts nothing, writes nothing', async (dryRun) => {
		const nodes = await servingAt('v1.36.3');
		nodes.get('m2')?.versions.set('kube-apiserver', 'v1.35.4');
		const {events, result} = await run(nodes, {dryRun}, newRelease());
		expect(result.refused).toBe(true);
		const [plan] = of(events, 'plan-release') as PlanRelease[];
		expect(plan?.ok).toBe(false);
		expect(plan?.checks.find((c) => c.check === CHECKS.skip)).toEqual({
			check: CHECKS.skip,
			ok: false,
			detail: 'm2 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36',
		});
		expect(plan?.nodes[1]?.components[0]).toEqual({service: 'kube-apiserver', current: 'v1.35.4', target: 'v1.37.2', change: 'minor-skip'});
		expect(plan?.restarts).toEqual([]);
		for (const n of nodes.values()) {
			expect(n.uploads).toEqual([]);
			expect(changing(n.calls)).toEqual([]);
		}
	});

	it('no plan-release when the gate fails for another reason, or for a real change that goes ahead', async () => {
		const broken = await servingAt('v1.37.2');
		broken.get('m2')!.facts.systemd = false;
		expect(of((await run(broken, {dryRun: true}, newRelease())).events, 'plan-release')).toEqual([]);
		const fine = await servingAt('v1.37.2');
		const {events, result} = await run(fine, {}, newRelease());
		expect(result.ok).toBe(true);
		expect(of(events, 'plan-release')).toEqual([]);
	});
});
