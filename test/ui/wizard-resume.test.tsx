/**
 * The wizard keeps its answers after every screen and offers them on the next start:
 * resume lands on the screen the user was on with every answer as typed; start fresh
 * begins at the first screen with the defaults.
 */
import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import {initialDraft, setValue} from '../../source/ui/wizard/draft.js';
import {parseSavedDraft, savedDraftOf, type SavedDraft} from '../../source/ui/wizard/saved-draft.js';
import {KEY, press, type, waitFor, waitForFrame} from './helpers.js';

afterEach(() => cleanup());

function mount(props: Partial<React.ComponentProps<typeof Wizard>> = {}) {
	const onDone = vi.fn();
	const onCancel = vi.fn<(d: SavedDraft) => void>();
	const onDraft = vi.fn<(d: SavedDraft) => void>();
	const ui = render(<Wizard onDone={onDone} onCancel={onCancel} onDraft={onDraft} columns={100} {...props} />);
	return {...ui, onDone, onCancel, onDraft};
}

const key = Buffer.alloc(32, 5).toString('base64');

function keptAtNetwork(): SavedDraft {
	let d = initialDraft({binaries: '/srv/k8s/bin', kubernetesVersion: '1.36', nodes: [{name: 'm1', ip: '192.168.31.44'}], encryption: {key}});
	d = setValue(d, 'network.serviceCidr', '10.96.0.');
	return savedDraftOf(d, 'network');
}

describe('the wizard draft', () => {
	test('is handed over after every screen, and never holds a pasted key', async () => {
		const ui = mount({initial: {encryption: {key}}});
		await waitForFrame(ui.lastFrame, 'SSH access');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master nodes');
		await waitFor(() => ui.onDraft.mock.calls.length === 1, 'a draft after the first screen');
		expect(ui.onDraft.mock.calls[0]![0].step).toBe('nodes');
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.44');
		await press(ui.stdin, KEY.down, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await waitFor(() => ui.onDraft.mock.calls.length === 2, 'a draft after the second screen');
		const kept = ui.onDraft.mock.calls[1]![0];
		expect(kept.step).toBe('binaries');
		expect(kept.answers.nodes).toEqual([{name: 'master1', ip: '192.168.31.44'}]);
		expect(JSON.stringify(ui.onDraft.mock.calls)).not.toContain(key);
		// What was handed over reads back as the same draft.
		expect(parseSavedDraft(JSON.stringify(kept))).toEqual(kept);
	});

	test('resume: the screen the user was on, with every answer as typed', async () => {
		const ui = mount({resume: keptAtNetwork()});
		let frame = await waitForFrame(ui.lastFrame, 'An earlier run kept its answers');
		expect(frame.replace(/\s+/g, ' ')).toContain('at step 4/10, Cluster network');
		await press(ui.stdin, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'step 4/10 · Cluster network');
		expect(frame).toContain('10.96.0.');
		expect(frame.replace(/\s+/g, ' ')).toContain('paste it again on the encryption screen');
		await press(ui.stdin, KEY.escape);
		frame = await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		expect(frame).toContain('/srv/k8s/bin');
	});

	test('start fresh: the first screen with the defaults', async () => {
		const ui = mount({resume: keptAtNetwork()});
		await waitForFrame(ui.lastFrame, 'An earlier run kept its answers');
		await press(ui.stdin, KEY.right, KEY.enter);
		await waitForFrame(ui.lastFrame, 'step 1/10 · SSH access');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'Master nodes');
		expect(frame).not.toContain('192.168.31.44');
	});

	test('a file that is not a draft of this version is ignored', () => {
		expect(parseSavedDraft('{"name": "lab"}')).toBeUndefined();
		expect(parseSavedDraft('not json')).toBeUndefined();
		const kept = keptAtNetwork();
		expect(parseSavedDraft(JSON.stringify({...kept, step: 'nowhere'}))).toBeUndefined();
		expect(parseSavedDraft(JSON.stringify(kept))?.answers.values['network.serviceCidr']).toBe('10.96.0.');
	});
});

describe('a signal while the wizard runs', () => {
	test('cancels as Ctrl-C does: the answers so far are kept as the draft', async () => {
		const stop = new AbortController();
		const ui = mount({resume: keptAtNetwork(), stopSignal: stop.signal});
		await waitForFrame(ui.lastFrame, 'resume');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Cluster network');
		stop.abort();
		await waitFor(() => ui.onCancel.mock.calls.length === 1, 'onCancel on the signal');
		expect(ui.onCancel.mock.calls[0]![0].step).toBe('network');
	});
});
