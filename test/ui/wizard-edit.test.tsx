/**
 * Editing a saved profile in the wizard, every answer (the change screen's third choice;
 * the short ways to add or remove a master: wizard-change.test.tsx): a master added or
 * removed on the nodes screen, everything the wizard does not ask about kept as it was; and
 * a new profile never replaces a saved one of the same name without being asked.
 */
import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import type {ProfileInput} from '../../source/profile/schema.js';
import {KEY, press, type, waitFor, waitForFrame} from './helpers.js';

afterEach(() => cleanup());

const saved = {
	name: 'prod',
	kubernetesVersion: '1.37',
	binaries: '/srv/k8s/bin',
	nodes: [
		{name: 'm1', ip: '192.168.31.44'},
		{name: 'm2', ip: '192.168.31.45', ssh: {port: 2222}},
		{name: 'm3', ip: '192.168.31.46'},
	],
	ssh: {user: 'ops', port: 22},
	etcd: {endpoints: ['https://192.168.31.44:2379'], apiserverEndpoints: 'all'},
	pki: {certValidityDays: 200},
	apiserver: {extraSans: ['k8s.example.com'], extraArgs: {'audit-log-maxage': '7'}},
	paths: {binDir: '/opt/kube/bin'},
} satisfies ProfileInput;

function mount(props: Partial<React.ComponentProps<typeof Wizard>> = {}) {
	const onDone = vi.fn<(p: ProfileInput) => void>();
	const ui = render(<Wizard onDone={onDone} onCancel={vi.fn()} columns={100} {...props} />);
	return {...ui, onDone};
}

async function forwardTo(ui: ReturnType<typeof mount>, title: string) {
	if ((ui.lastFrame() ?? '').includes('What to change')) {
		await press(ui.stdin, KEY.up); // add a master → (cycling back) edit every answer
		await waitForFrame(ui.lastFrame, '› (•) edit every answer');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'SSH access');
	}
	for (let i = 0; i < 40 && !(ui.lastFrame() ?? '').includes(title); i++) {
		if ((ui.lastFrame() ?? '').includes('Master nodes')) await press(ui.stdin, ...Array<string>(12).fill(KEY.down));
		await press(ui.stdin, KEY.enter);
	}
	return waitForFrame(ui.lastFrame, title);
}

describe('editing a saved profile', () => {
	test('a master added; what the wizard does not ask about is kept', async () => {
		const ui = mount({initial: saved, base: saved, editing: 'prod'});
		await waitForFrame(ui.lastFrame, 'editing profile prod');
		await waitForFrame(ui.lastFrame, 'What to change');
		await forwardTo(ui, 'Master nodes');
		let frame = ui.lastFrame() ?? '';
		for (const ip of ['192.168.31.44', '192.168.31.45', '192.168.31.46']) expect(frame).toContain(ip);
		await press(ui.stdin, KEY.ctrlN);
		await waitForFrame(ui.lastFrame, 'master4');
		await type(ui.stdin, '192.168.31.47');
		await press(ui.stdin, KEY.ctrlN);
		await waitForFrame(ui.lastFrame, 'master5');
		await type(ui.stdin, '192.168.31.48');
		frame = await forwardTo(ui, 'Summary');
		expect(frame).toContain('prod (edited; saved over the old one)');
		// Every answer's summary says what apply does about the masters too.
		expect(frame).toContain('apply will add master4');
		expect(frame).toContain('apply will add master5');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		const profile = ui.onDone.mock.calls[0]![0];
		expect(profile.nodes).toEqual([
			{name: 'm1', ip: '192.168.31.44'},
			{name: 'm2', ip: '192.168.31.45', ssh: {port: 2222}},
			{name: 'm3', ip: '192.168.31.46'},
			{name: 'master4', ip: '192.168.31.47'},
			{name: 'master5', ip: '192.168.31.48'},
		]);
		expect(profile.paths).toEqual({binDir: '/opt/kube/bin'});
		expect(profile.apiserver).toEqual({extraSans: ['k8s.example.com'], extraArgs: {'audit-log-maxage': '7'}});
		// Kept external, the mode now written out.
		expect(profile.etcd).toEqual({mode: 'external', endpoints: ['https://192.168.31.44:2379'], apiserverEndpoints: 'all'});
		expect(profile.pki).toEqual({certValidityDays: 200});
		expect(profile.ssh).toEqual({user: 'ops', port: 22});
	});

	test('the etcd screen shows the saved mode and does not change it', async () => {
		const ui = mount({initial: saved, base: saved, editing: 'prod'});
		await waitForFrame(ui.lastFrame, 'What to change');
		let frame = await forwardTo(ui, '· etcd');
		expect(frame).toContain('existing etcd?  yes: I run one (kept as saved)');
		expect(frame).not.toContain('no: run it on the masters');
		expect(frame).toContain('https://192.168.31.44:2379');
		await press(ui.stdin, KEY.up, KEY.right);
		frame = await waitForFrame(ui.lastFrame, 'etcd.mode is kept as saved');
		expect(frame).not.toContain('etcd binaries');
		expect(frame.split('\n').every((l) => l.length <= 100)).toBe(true);
		await forwardTo(ui, 'Summary');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		expect(ui.onDone.mock.calls[0]![0].etcd).toMatchObject({mode: 'external'});
	});

	test('a stacked profile stays stacked, its etcd settings kept', async () => {
		const stacked = {...saved, etcd: {binaries: '/srv/etcd', dataDir: '/data/etcd'}} satisfies ProfileInput;
		const ui = mount({initial: stacked, base: stacked, editing: 'prod'});
		await waitForFrame(ui.lastFrame, 'What to change');
		const frame = await forwardTo(ui, '· etcd');
		expect(frame).toContain('no: run it on the masters (kept as saved)');
		expect(frame).toContain('/srv/etcd');
		await forwardTo(ui, 'Summary');
		expect(ui.lastFrame()).toContain('stacked, one member per master (etcd from /srv/etcd)');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		expect(ui.onDone.mock.calls[0]![0].etcd).toEqual({mode: 'stacked', binaries: '/srv/etcd', dataDir: '/data/etcd'});
	});

	test('a master removed', async () => {
		const ui = mount({initial: saved, base: saved, editing: 'prod'});
		await waitForFrame(ui.lastFrame, 'What to change');
		await forwardTo(ui, 'Master nodes');
		await press(ui.stdin, KEY.down, KEY.down); // m2's name
		await press(ui.stdin, KEY.ctrlD);
		await waitFor(() => !(ui.lastFrame() ?? '').includes('192.168.31.45'), 'm2 to go');
		await forwardTo(ui, 'Summary');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		expect(ui.onDone.mock.calls[0]![0].nodes.map((n) => n.name)).toEqual(['m1', 'm3']);
	});
});

describe('a new profile with the name of a saved one', () => {
	test('is refused once with a question; a second continue replaces it', async () => {
		const ui = mount({initial: {...saved, name: 'default'}, loadSavedNames: async () => ['prod', 'lab']});
		await forwardTo(ui, 'Profile name');
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, 'lab');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'a saved profile is named "lab"');
		expect(frame).toContain('Profile name');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'lab (replaces the saved profile of this name)');
	});

	test('another name goes on without a question', async () => {
		const ui = mount({initial: {...saved, name: 'default'}, loadSavedNames: async () => ['prod', 'lab']});
		await forwardTo(ui, 'Profile name');
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, 'staging');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'Summary');
		expect(frame).not.toContain('replaces');
	});
});
