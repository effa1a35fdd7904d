import {describe, expect, it} from 'vitest';
import type {ServiceName} from '../../source/plan/types.js';
import {CHECKS, planRelease, type ReleasePlan} from '../../source/run/release-plan.js';

const ALL: ServiceName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

/** A node whose components report `running` (a map for a per-component mix), restarting `restarts`. */
function node(name: string, running: string | undefined | Partial<Record<ServiceName, string>>, options: {restarts?: ServiceName[]; serving?: boolean} = {}) {
	const versions = new Map(ALL.map((s) => [s, typeof running === 'object' ? running[s] : running] as const));
	return {
		plan: {node: {name}},
		versions,
		remote: {active: new Map(ALL.map((s) => [s, options.serving ?? versions.get(s) !== undefined] as const))},
		changes: {restarts: new Map((options.restarts ?? ALL).map((s) => [s, 'inputs changed'] as const))},
	} as unknown as Parameters<typeof planRelease>[1][number];
}

const verdicts = (plan: ReleasePlan) => Object.fromEntries(plan.checks.map((c) => [c.check, c.ok]));
const order = (plan: ReleasePlan) => plan.restarts.map((r) => `${r.node}:${r.service.replace('kube-', '')}`);
const changes = (plan: ReleasePlan) => plan.nodes.map((n) => `${n.node}:${n.components.map((c) => c.change).join(',')}`);
const allPass = {[CHECKS.skip]: true, [CHECKS.downgrade]: true, [CHECKS.apiservers]: true, [CHECKS.order]: true, [CHECKS.mixed]: true};

describe('planRelease', () => {
	it('a minor upgrade: minor up everywhere, every check passes, component by component', () => {
		const plan = planRelease('v1.37.2', [node('m1', 'v1.36.3'), node('m2', 'v1.36.3')]);
		expect(plan.kind).toBe('minor-upgrade');
		expect(plan.nodes[0]?.components[0]).toEqual({service: 'kube-apiserver', current: 'v1.36.3', target: 'v1.37.2', change: 'minor-up'});
		expect(changes(plan)).toEqual(['m1:minor-up,minor-up,minor-up', 'm2:minor-up,minor-up,minor-up']);
		expect(verdicts(plan)).toEqual(allPass);
		expect(plan.ok).toBe(true);
		expect(plan.checks.find((c) => c.check === CHECKS.apiservers)?.detail).toBe('1.36 and 1.37 side by side during the change');
		expect(order(plan)).toEqual(['m1:apiserver', 'm2:apiserver', 'm1:controller-manager', 'm2:controller-manager', 'm1:scheduler', 'm2:scheduler']);
	});

	it('a patch change up and down rolls node by node', () => {
		const plan = planRelease('v1.37.2', [node('m1', 'v1.37.1'), node('m2', 'v1.37.5', {restarts: ['kube-apiserver']}), node('m3', 'v1.37.2', {restarts: []})]);
		expect(plan.kind).toBe('rolling');
		expect(changes(plan)).toEqual(['m1:patch-up,patch-up,patch-up', 'm2:patch-down,patch-down,patch-down', 'm3:none,none,none']);
		expect(verdicts(plan)).toEqual(allPass);
		expect(order(plan)).toEqual(['m1:apiserver', 'm1:controller-manager', 'm1:scheduler', 'm2:apiserver']);
	});

	it('skipping a minor is refused, names the release to go to first, and restarts nothing', () => {
		const plan = planRelease('v1.37.2', [node('m1', 'v1.35.4'), node('m2', 'v1.35.4')]);
		expect(changes(plan)[0]).toBe('m1:minor-skip,minor-skip,minor-skip');
		expect(verdicts(plan)).toEqual({...allPass, [CHECKS.skip]: false, [CHECKS.apiservers]: false});
		expect(plan.checks[0]?.detail).toBe('m1 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36; m2 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36');
		expect(plan.ok).toBe(false);
		expect(plan.restarts).toEqual([]);
	});

	it('a minor downgrade is refused, also of one component left newer', () => {
		const plan = planRelease('v1.36.3', [node('m1', {'kube-apiserver': 'v1.36.3', 'kube-controller-manager': 'v1.37.2', 'kube-scheduler': 'v1.36.3'})]);
		expect(changes(plan)).toEqual(['m1:none,minor-down,none']);
		expect(verdicts(plan)[CHECKS.downgrade]).toBe(false);
		expect(plan.checks.find((c) => c.check === CHECKS.downgrade)?.detail).toContain('kube-controller-manager v1.37.2: kubernetesVersion v1.36.3 is a minor downgrade');
		// It runs newer than the apiserver already, before anything restarts.
		expect(plan.checks.find((c) => c.check === CHECKS.order)).toMatchObject({ok: false, detail: expect.stringMatching(/^before any restart, m1's kube-controller-manager v1\.37\.2 is newer than m1's kube-apiserver v1\.36\.3$/)});
		expect(plan.ok).toBe(false);
	});

	it('finishing a half-done minor upgrade is allowed when it is recorded: the apiservers left, then the others', () => {
		const upgraded = {'kube-apiserver': 'v1.37.2', 'kube-controller-manager': 'v1.36.3', 'kube-scheduler': 'v1.36.3'};
		const nodes = [node('m1', upgraded, {restarts: ['kube-controller-manager', 'kube-scheduler']}), node('m2', 'v1.36.3'), node('m3', 'v1.36.3')];
		const unrecorded = planRelease('v1.37.2', nodes);
		expect(verdicts(unrecorded)).toEqual({...allPass, [CHECKS.mixed]: false});
		expect(unrecorded.checks.find((c) => c.check === CHECKS.mixed)?.detail).toBe('m1 runs kube-apiserver v1.37.2 while m1 runs kube-controller-manager v1.36.3, and no change recorded in this state directory explains it');
		const plan = planRelease('v1.37.2', nodes, true);
		expect(plan.kind).toBe('minor-upgrade');
		expect(changes(plan)[0]).toBe('m1:none,minor-up,minor-up');
		expect(verdicts(plan)).toEqual(allPass);
		expect(order(plan).slice(0, 3)).toEqual(['m2:apiserver', 'm3:apiserver', 'm1:controller-manager']);
	});

	it('a schedule that restarts a controller-manager before every apiserver is newer fails the order check', () => {
		// m2's apiserver is not planned to restart: m1's controller-manager would outrun it.
		const plan = planRelease('v1.37.2', [node('m1', 'v1.36.3'), node('m2', 'v1.36.3', {restarts: ['kube-controller-manager']})]);
		expect(plan.checks.find((c) => c.check === CHECKS.order)).toEqual({
			check: CHECKS.order,
			ok: false,
			detail: "after m1's kube-controller-manager restarts, m1's kube-controller-manager v1.37.2 is newer than m2's kube-apiserver v1.36.3",
		});
	});

	it('a first install: nothing installed, every node side by side', () => {
		const plan = planRelease('v1.37.2', [node('m1', undefined), node('m2', undefined)]);
		expect(plan.kind).toBe('first-install');
		expect(plan.nodes[1]?.components[2]).toEqual({service: 'kube-scheduler', target: 'v1.37.2', change: 'install'});
		expect(verdicts(plan)).toEqual(allPass);
		expect(order(plan)).toEqual(['m1:apiserver', 'm1:controller-manager', 'm1:scheduler', 'm2:apiserver', 'm2:controller-manager', 'm2:scheduler']);
	});

	it('a node preflight did not read shows unknown and says so in every check', () => {
		const unread = {...node('m2', undefined), versions: undefined};
		const plan = planRelease('v1.37.2', [node('m1', 'v1.37.1'), unread]);
		expect(changes(plan)[1]).toBe('m2:unknown,unknown,unknown');
		for (const c of plan.checks) expect(c.detail).toContain('not read on m2');
	});
});
