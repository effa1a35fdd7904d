/**
 * A master that left the profile, removed after the install converged: its own row in the
 * same grid, labelled as a removal, with one cell per removal step (✓/✗), the footer saying
 * what it does or why it failed, and the grid up until the run-finished that counts it.
 */
import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Grid} from '../../source/ui/grid.js';
import {LiveGrid} from '../../source/ui/live-grid.js';
import {GridStore} from '../../source/ui/grid-store.js';
import {reduceGridAll} from '../../source/ui/grid-state.js';
import {initialGridView} from '../../source/ui/grid-keys.js';
import {REMOVAL_STEP_NAMES, type RemovalStepName} from '../../source/run/remove-master/removal-plan.js';
import type {RunEvent} from '../../source/run/events.js';
import {EXTERNAL_ETCD_STEPS} from '../../source/run/operation.js';
import {recordedRun, waitFor, waitForFrame} from './helpers.js';

afterEach(() => cleanup());

const NODES = ['lab-m2', 'lab-m3', 'lab-m4'];

/** The install's events without its run-finished (held back while the removal runs, as apply does). */
function install(): {events: RunEvent[]; end: number} {
	const events = recordedRun({nodes: NODES});
	const last = events.at(-1)!;
	return {events: events.slice(0, -1), end: last.at};
}

/** lab-m1's removal: every step started and done, or `failAt` failing (later steps never start). */
function removal(start: number, failAt?: RemovalStepName): RunEvent[] {
	const events: RunEvent[] = [];
	let at = start;
	for (const step of REMOVAL_STEP_NAMES) {
		events.push({type: 'removal-step', at: (at += 10), node: 'lab-m1', step, status: 'started'});
		events.push({type: 'removal-step', at: (at += 10), node: 'lab-m1', step, status: 'progress', message: `${step} on lab-m1`});
		if (step === failAt) {
			events.push({type: 'removal-step', at: (at += 2000), node: 'lab-m1', step, status: 'failed', durationMs: 2000, cause: 'lab-m1 is stopped but still in the cluster\'s view after 90 s: 198.18.0.11 is still in the kubernetes EndpointSlice', hint: 'check the other masters (status)'});
			return events;
		}
		events.push({type: 'removal-step', at: (at += 1500), node: 'lab-m1', step, status: 'done', durationMs: 1500});
	}
	return events;
}

function frameOf(events: RunEvent[], columns = 80) {
	const state = reduceGridAll(events);
	const {lastFrame} = render(<Grid state={state} view={initialGridView} columns={columns} elapsedMs={0} spinnerFrame={0} profileName="lab" />);
	return lastFrame() ?? '';
}

const rowOf = (frame: string, text: string) => frame.split('\n').find((l) => l.includes(text));

describe('the removal row', () => {
	test('its own header and row under the nodes, a ✓ per step, the footer counting it; fits 80 columns', () => {
		const {events, end} = install();
		const frame = frameOf([...events, ...removal(end), {type: 'run-finished', at: end + 9000, ok: true, durationMs: 30_000, failedNodes: []}]);
		expect(rowOf(frame, 'removal')).toMatch(/^ {2}removal\s+stop {3}gone {3}lease {2}files {2}forget$/);
		expect(rowOf(frame, 'lab-m1 (removing)')).toMatch(/^ {2}lab-m1 \(removing\)(\s+✓ 1\.5s){5}$/);
		// The nodes' rows are the install's, as before; lab-m1 has none of its own there.
		expect(frame.split('\n').filter((l) => /^[ ›] lab-m\d /.test(l))).toHaveLength(3);
		const steps = NODES.length * EXTERNAL_ETCD_STEPS.length + REMOVAL_STEP_NAMES.length;
		expect(frame).toContain(`${steps}/${steps} steps`);
		expect(frame).toContain('all 3 nodes ok, lab-m1 removed');
		for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(80);
	});

	test('while it runs: the running cell, the later ones pending, its last line in the footer', () => {
		const {events, end} = install();
		const running = removal(end).slice(0, 5); // stop-services done, wait-gone started and said a line
		const frame = frameOf([...events, ...running]);
		expect(rowOf(frame, 'lab-m1 (removing)')).toMatch(/lab-m1 \(removing\)\s+✓ 1\.5s\s+⠋\s+·\s+·\s+·$/);
		expect(frame).toContain('lab-m1 (removing): wait-gone on lab-m1');
		expect(frame).toContain('elapsed');
	});

	test('a failed step: ✗ in its cell, the rest pending, the cause and hint in the footer, the node named failed', () => {
		const {events, end} = install();
		const frame = frameOf([...events, ...removal(end, 'wait-gone'), {type: 'run-finished', at: end + 9000, ok: false, durationMs: 30_000, failedNodes: ['lab-m1']}]);
		expect(rowOf(frame, 'lab-m1 (removing)')).toMatch(/lab-m1 \(removing\)\s+✓ 1\.5s\s+✗\s+·\s+·\s+·$/);
		expect(frame).toContain('✗ removing lab-m1: wait-gone failed: lab-m1 is stopped but still in the');
		expect(frame).toContain('→ check the other masters (status)');
		expect(frame).toContain('1 failed (lab-m1)');
		// `r` runs a node's install again: nothing for a removal.
		expect(frame).not.toContain('r retry node');
	});
});

describe('the live grid with a removal', () => {
	test('stays up through the removal and leaves once the run-finished that counts it arrives', async () => {
		const store = new GridStore();
		const onExit = vi.fn();
		const ui = render(<LiveGrid store={store} profileName="lab" onRetry={vi.fn()} onQuit={vi.fn()} onExit={onExit} columns={80} />);
		const {events, end} = install();
		for (const e of events) store.push(e);
		const steps = removal(end);
		for (const e of steps.slice(0, 4)) store.push(e);
		await waitForFrame(ui.lastFrame, 'lab-m1 (removing)');
		expect(onExit).not.toHaveBeenCalled();
		for (const e of steps.slice(4)) store.push(e);
		await waitForFrame(ui.lastFrame, /lab-m1 \(removing\)(\s+✓ 1\.5s){5}/);
		expect(onExit).not.toHaveBeenCalled();
		store.push({type: 'run-finished', at: end + 9000, ok: true, durationMs: 30_000, failedNodes: []});
		await waitFor(() => onExit.mock.calls.length === 1, 'onExit');
		expect(onExit).toHaveBeenCalledWith({outcome: 'finished', ok: true, failedNodes: []});
	});
});
