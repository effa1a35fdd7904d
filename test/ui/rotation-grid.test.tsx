// The rotation's grid: a row per master, a column per phase, the rewrite's count, within 80
// columns; fed by the rotation's own events and apply's for the rolling phases.
import React from 'react';
import {afterEach, describe, expect, test} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {initialRotationView, reduceRotation, type RotationEvent, type RotationView} from '../../source/ui/rotation-state.js';
import {RotationGrid} from '../../source/ui/rotation-grid.js';

afterEach(() => cleanup());

const NODES = ['lab-m1', 'lab-m2', 'lab-m3'];
const at = 0;
const run = (events: RotationEvent[], view: RotationView = initialRotationView('encryption rotate lab: aescbc key-1 → secretbox key-2', NODES)) => events.reduce(reduceRotation, view);
const frameOf = (view: RotationView) => render(<RotationGrid view={view} spinnerFrame={0} />).lastFrame() ?? '';
const row = (frame: string, node: string) => frame.split('\n').find((l) => l.startsWith(node)) ?? '';

describe('the rotation grid', () => {
	test('a rolling phase: each master\'s apiserver as apply restarts it, one at a time', () => {
		const view = run([
			{type: 'rotation-phase', phase: 'read-enable', state: 'passed'},
			{type: 'rotation-phase', phase: 'write-switch', state: 'running'},
			{type: 'step-started', at, node: 'lab-m1', step: 'apiserver'},
			{type: 'step-done', at, node: 'lab-m1', step: 'apiserver', durationMs: 5000, changed: ['restarted kube-apiserver']},
			{type: 'step-started', at, node: 'lab-m2', step: 'apiserver'},
			{type: 'step-started', at, node: 'lab-m1', step: 'controller-manager'},
		]);
		const frame = frameOf(view);
		expect(frame).toMatch(/^ {10}read-enable {2}write-switch rewrite {6}verify {7}drop-old/m);
		expect(row(frame, 'lab-m1')).toMatch(/^lab-m1 {4}· {12}✓ {12}· {12}· {12}·/);
		expect(row(frame, 'lab-m2')).toMatch(/^lab-m2 {4}· {12}⠋ restarting/);
		expect(row(frame, 'lab-m3')).toMatch(/^lab-m3 {4}· {12}… waiting/);
		for (const line of frame.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
	});

	test('the rewrite: the cluster\'s count on every row and under the table', () => {
		const view = run([
			{type: 'rotation-phase', phase: 'rewrite', state: 'running'},
			{type: 'rotation-progress', done: 300, total: 748},
			{type: 'rotation-line', line: 'phase 3/5 rewrite: every Secret written again, so it is stored with the new key'},
		]);
		const frame = frameOf(view);
		for (const node of NODES) expect(row(frame, node)).toContain('⠋ 300/748');
		expect(frame).toContain('rewrite: 300 of 748 Secrets written again');
		expect(frame).toContain('phase 3/5 rewrite: every Secret written again');
	});

	test('a master that failed its gate and was put back, and the end lines', () => {
		const view = run([
			{type: 'rotation-phase', phase: 'write-switch', state: 'running'},
			{type: 'step-started', at, node: 'lab-m2', step: 'apiserver'},
			{type: 'step-failed', at, node: 'lab-m2', step: 'apiserver', durationMs: 1, cause: 'kube-apiserver not ready within 90s'},
			{type: 'node-rolled-back', at, node: 'lab-m2', generation: 'g-1', ok: true},
			{type: 'rotation-phase', phase: 'write-switch', state: 'failed'},
			{type: 'rotation-finished', ok: false, lines: ['✗ encryption rotate failed in phase write-switch: …', '  fix the cause above, then run the same command again']},
		]);
		const frame = frameOf(view);
		expect(row(frame, 'lab-m2')).toContain('↺ put back');
		expect(frame).toContain('lab-m2: apiserver failed: kube-apiserver not ready within 90s');
		expect(frame).toContain('lab-m2: put back to the config it had');
		expect(frame).toContain('✗ encryption rotate failed in phase write-switch');
		expect(frame).not.toContain('q / Ctrl-C');
	});

	test('a resumed rotation starts with the phases its journal passed', () => {
		const frame = frameOf(initialRotationView('t', NODES, ['read-enable', 'write-switch']));
		expect(row(frame, 'lab-m3')).toMatch(/^lab-m3 {4}✓ {12}✓ {12}·/);
	});
});
