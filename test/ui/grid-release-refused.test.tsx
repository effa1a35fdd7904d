// A real run (the grid) that the version skew policy refuses: the footer says which check
// failed, from the runner's plan-release event, wrapped within 80 columns.
import React from 'react';
import {afterEach, describe, expect, test} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Grid} from '../../source/ui/grid.js';
import {reduceGridAll} from '../../source/ui/grid-state.js';
import {initialGridView} from '../../source/ui/grid-keys.js';
import {lab, makePlan, run} from '../unit/runner-fixtures.js';

afterEach(() => cleanup());

describe('a refused release in the grid', () => {
	test('the failed skew check is in the footer, whole, at 80 columns', async () => {
		const nodes = lab();
		await run(nodes);
		for (const n of nodes.values()) for (const s of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) n.versions.set(s, n.name === 'm2' ? 'v1.35.4' : 'v1.36.3');
		const {events, result} = await run(nodes, {}, makePlan('--v=3'));
		expect(result.refused).toBe(true);
		const {lastFrame} = render(<Grid state={reduceGridAll(events)} view={initialGridView} columns={80} elapsedMs={0} spinnerFrame={0} profileName="test" />);
		const frame = lastFrame() ?? '';
		expect(frame.replace(/\s+/g, ' ')).toContain('refused: no minor skipped: m2 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36');
		for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(80);
	});
});
