// The bench's count of restarts made one after another (each watched through the window):
// a node's restart after the one before it counts, nodes restarting together count once,
// steps that restarted nothing do not count.
import {describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {restartGroups, upgradeBreakdown} from '../../scripts/upgrade-breakdown.js';

const step = (node: string, name: 'apiserver' | 'controller-manager', from: number, to: number, restarted: boolean): RunEvent[] => [
	{type: 'step-started', at: from, node, step: name},
	{type: 'step-done', at: to, node, step: name, durationMs: to - from, changed: restarted ? [`restarted kube-${name}`] : []},
];

describe('restartGroups', () => {
	it('counts one after another, together once, and nothing restarted not at all', () => {
		const events = [
			...step('m1', 'apiserver', 0, 16_000, true),
			...step('m2', 'apiserver', 16_100, 32_000, true),
			...step('m3', 'apiserver', 32_100, 48_000, true),
			...step('m1', 'controller-manager', 48_100, 60_000, true), // the canary
			...step('m2', 'controller-manager', 60_100, 72_000, true), // these two together
			...step('m3', 'controller-manager', 60_200, 71_500, true),
			...step('m1', 'controller-manager', 72_100, 72_200, false),
		];
		expect(restartGroups(events)).toBe(5);
		const run: RunEvent[] = [{type: 'run-started', at: 0, nodes: ['m1', 'm2', 'm3'], steps: [], dryRun: false}, ...events, {type: 'run-finished', at: 73_000, ok: true, durationMs: 73_000, failedNodes: []}];
		expect(upgradeBreakdown(run).at(-1)).toBe('  5 restarts (or groups restarted together) one after another, each watched through the 10s stability window: 50s of the total');
	});
});
