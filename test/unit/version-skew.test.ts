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
