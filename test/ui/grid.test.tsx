import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Grid} from '../../source/ui/grid.js';
import {LiveGrid} from '../../source/ui/live-grid.js';
import {GridStore} from '../../source/ui/grid-store.js';
import {reduceGridAll} from '../../source/ui/grid-state.js';
import {initialGridView} from '../../source/ui/grid-keys.js';
import {KEY, press, recordedRun, waitFor, waitForFrame} from './helpers.js';
import type {RunEvent} from '../../source/run/events.js';

afterEach(() => cleanup());

function frameOf(events: RunEvent[], nodes?: string[]) {
	const state = reduceGridAll(events);
	const {lastFrame} = render(<Grid state={state} view={initialGridView} columns={80} elapsedMs={0} spinnerFrame={0} profileName="prod" />);
	return {frame: lastFrame() ?? '', state, nodes};
}

function expectFits(frame: string, columns = 80) {
	for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(columns);
}

describe('grid from recorded runs', () => {
	test('success: every cell ✓ with its duration, headers abbreviated, fits 80 columns', () => {
		const {frame} = frameOf(recordedRun());
		expect(frame).toContain('conn   pre    bin    cert   conf   api    cm     sched  verify');
		const rows = frame.split('\n').filter((l) => l.includes('master'));
		expect(rows).toHaveLength(3 + 1); // three rows, plus the footer's "master1: …"
		expect(rows[1]).toMatch(/master2(\s+✓ 1\.2s){9}$/);
		expect(frame).toContain('27/27 steps');
		expect(frame).toContain('all 3 nodes ok');
		expectFits(frame);
	});

	test('one node failing: ✗ in its cell, later cells pending, the footer names it', () => {
		const {frame} = frameOf(recordedRun({failAt: {node: 'master2', step: 'apiserver'}}));
		const row = frame.split('\n').find((l) => l.includes('master2') && l.includes('✗'));
		expect(row).toBeDefined();
		expect(row).toMatch(/✗\s+·\s+·\s+·/);
		expect(frame).toContain('1 failed (master2)');
		expect(frame).toContain('r retry node');
	});

	test('unchanged re-run: = in every cell', () => {
		const {frame} = frameOf(recordedRun({unchanged: true}));
		const row = frame.split('\n').find((l) => l.includes('master3'))!;
		expect(row.match(/=/g)).toHaveLength(9);
	});

	test('long node names and 7 nodes still fit 80 columns', () => {
		const nodes = Array.from({length: 7}, (_, i) => `control-plane-node-${i}.example`);
		const {frame} = frameOf(recordedRun({nodes, failAt: {node: nodes[3]!, step: 'binaries'}}));
		expectFits(frame);
		expect(frame).toContain('control-plane…');
	});
});

describe('live grid', () => {
	function mountLive(events: RunEvent[], overrides: Partial<React.ComponentProps<typeof LiveGrid>> = {}) {
		const store = new GridStore();
		const onRetry = vi.fn();
		const onQuit = vi.fn();
		const onExit = vi.fn();
		const ui = render(<LiveGrid store={store} profileName="prod" onRetry={onRetry} onQuit={onQuit} onExit={onExit} columns={80} {...overrides} />);
		for (const e of events) store.push(e);
		return {...ui, store, onRetry, onQuit, onExit};
	}

	test('Enter opens the failed cell’s details (cause, hint, journal tail); Esc goes back', async () => {
		const ui = mountLive(recordedRun({failAt: {node: 'master2', step: 'apiserver'}}));
		await waitForFrame(ui.lastFrame, '1 failed');
		await press(ui.stdin, KEY.down, ...Array(5).fill(KEY.right), KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'master2 · apiserver');
		expect(frame).toContain('cause: kube-apiserver did not become ready within 60s');
		expect(frame).toContain('hint: check the etcd endpoints');
		expect(frame).toContain('│ E0101 failed to connect to etcd');
		expect(frame).toContain('r retry master2');
		await press(ui.stdin, KEY.escape);
		await waitForFrame(ui.lastFrame, 'conn   pre');
	});

	test('r on a failed node calls onRetry; on a good node it does not', async () => {
		const ui = mountLive(recordedRun({failAt: {node: 'master3', step: 'verify'}}));
		await waitForFrame(ui.lastFrame, '1 failed');
		await press(ui.stdin, 'r');
		await waitForFrame(ui.lastFrame, 'master1 has no failed step');
		expect(ui.onRetry).not.toHaveBeenCalled();
		await press(ui.stdin, KEY.down, KEY.down, 'r');
		await waitFor(() => ui.onRetry.mock.calls.length === 1, 'onRetry');
		expect(ui.onRetry).toHaveBeenCalledWith('master3');
		// The runner re-runs the node: the cell turns back into a spinner.
		ui.store.push({type: 'step-started', at: Date.now(), node: 'master3', step: 'verify'});
		await waitFor(() => !(ui.lastFrame() ?? '').includes('✗'), 'the ✗ to go');
	});

	test('the "retrying" notice ends when the retried run has finished, without a key', async () => {
		const ui = mountLive(recordedRun({failAt: {node: 'master3', step: 'verify'}}), {exitWhenDone: false});
		await waitForFrame(ui.lastFrame, '1 failed');
		await press(ui.stdin, KEY.down, KEY.down, 'r');
		await waitForFrame(ui.lastFrame, 'retrying master3');
		// The retry's own run, as apply-action passes it on: started for master3 only, then finished.
		ui.store.push({type: 'run-started', at: Date.now(), nodes: ['master3'], steps: ['verify'], dryRun: false});
		ui.store.push({type: 'step-started', at: Date.now(), node: 'master3', step: 'verify'});
		ui.store.push({type: 'step-done', at: Date.now(), node: 'master3', step: 'verify', durationMs: 5, changed: []});
		ui.store.push({type: 'run-finished', at: Date.now(), ok: true, durationMs: 5, failedNodes: []});
		await waitFor(() => !(ui.lastFrame() ?? '').includes('retrying master3'), 'the retry notice to go');
		expect(ui.lastFrame()).toContain('all 3 nodes ok');
	});

	test('q calls onQuit, says how to resume, and exits once the run has stopped', async () => {
		const events = recordedRun();
		const ui = mountLive(events.slice(0, 20));
		await waitForFrame(ui.lastFrame, 'elapsed');
		await press(ui.stdin, 'q');
		await waitFor(() => ui.onQuit.mock.calls.length === 1, 'onQuit');
		const frame = await waitForFrame(ui.lastFrame, 'to resume');
		expect(frame).toContain('run `k8s-master-setup apply --profile prod` again to resume');
		expect(ui.onExit).not.toHaveBeenCalled();
		ui.store.push({type: 'run-finished', at: Date.now(), ok: false, durationMs: 10, failedNodes: []});
		await waitFor(() => ui.onExit.mock.calls.length === 1, 'onExit');
		expect(ui.onExit).toHaveBeenCalledWith({outcome: 'quit'});
	});

	test('renders are batched: 400 events in a burst produce a handful of frames', async () => {
		const nodes = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
		const ui = mountLive([]);
		const before = ui.frames.length;
		const store = ui.store;
		store.push({type: 'run-started', at: Date.now(), nodes, steps: ['connect', 'binaries'], dryRun: false});
		for (let i = 0; i < 400; i++) store.push({type: 'step-progress', at: Date.now(), node: nodes[i % 7]!, step: 'binaries', bytes: i, totalBytes: 400});
		await waitForFrame(ui.lastFrame, '99%');
		expect(ui.frames.length - before).toBeLessThan(10);
	});

	test('a run finishing ok exits with the result', async () => {
		const ui = mountLive(recordedRun());
		await waitFor(() => ui.onExit.mock.calls.length === 1, 'onExit');
		expect(ui.onExit).toHaveBeenCalledWith({outcome: 'finished', ok: true, failedNodes: []});
	});
});
