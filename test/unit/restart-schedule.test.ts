import {describe, expect, it} from 'vitest';
import type {ServiceName} from '../../source/plan/types.js';
import {restartSchedule} from '../../source/run/rolling-change/rules.js';

const ALL: ServiceName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function node(name: string, running: string, restarts: ServiceName[] = ALL, serving = true) {
	return {
		plan: {node: {name}},
		versions: new Map(ALL.map((s) => [s, running] as const)),
		remote: {active: new Map(ALL.map((s) => [s, serving] as const))},
		changes: {restarts: new Map(restarts.map((s) => [s, 'changed'] as const))},
	} as unknown as Parameters<typeof restartSchedule>[1][number];
}

const line = (schedule: ReturnType<typeof restartSchedule>) => schedule.map((r) => `${r.node}:${r.service.replace('kube-', '')}`);

describe('restartSchedule', () => {
	it('a minor upgrade: every apiserver, then every controller-manager, then every scheduler', () => {
		const schedule = restartSchedule('v1.37.2', [node('m1', 'v1.36.3'), node('m2', 'v1.36.3'), node('m3', 'v1.36.3')]);
		expect(line(schedule)).toEqual([
			'm1:apiserver', 'm2:apiserver', 'm3:apiserver',
			'm1:controller-manager', 'm2:controller-manager', 'm3:controller-manager',
			'm1:scheduler', 'm2:scheduler', 'm3:scheduler',
		]);
	});

	it('any other change: node by node, only the planned restarts, a node not serving first', () => {
		const schedule = restartSchedule('v1.37.2', [node('m1', 'v1.37.1'), node('m2', 'v1.37.1', ['kube-apiserver']), node('m3', 'v1.37.1', ALL, false)]);
		expect(line(schedule)).toEqual([
			'm3:apiserver', 'm3:controller-manager', 'm3:scheduler',
			'm1:apiserver', 'm1:controller-manager', 'm1:scheduler',
			'm2:apiserver',
		]);
	});
});
