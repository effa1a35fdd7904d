/**
 * Editing a saved profile starts with a choice: add a master (a form for the new node, then
 * the summary), remove one (pick it, then the summary), or every answer (wizard-edit.test.tsx).
 * The summary says what the next apply does; the new node passes the nodes screen's rules;
 * the last master is never offered for removal; everything fits 80 columns.
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
		{name: 'lab-m1', ip: '192.168.31.44'},
		{name: 'lab-m2', ip: '192.168.31.45', ssh: {port: 2222}},
		{name: 'lab-m3', ip: '192.168.31.46'},
	],
	ssh: {user: 'ops', port: 22},
	etcd: {endpoints: ['https://192.168.31.44:2379']},
	paths: {binDir: '/opt/kube/bin'},
} satisfies ProfileInput;

function mount(profile: ProfileInput = saved) {
	const onDone = vi.fn<(p: ProfileInput) => void>();
	const ui = render(<Wizard initial={profile} base={profile} editing={profile.name} onDone={onDone} onCancel={vi.fn()} columns={80} />);
	return {...ui, onDone};
}

const squashed = (s: string) => s.replace(/\s+/g, '');

function expectFits(frame: string) {
	for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(80);
}

describe('the change screen', () => {
	test('three choices, "add a master" first; fits 80 columns', async () => {
		const ui = mount();
		const frame = await waitForFrame(ui.lastFrame, 'What to change');
		expect(frame).toContain('Profile prod has 3 masters: lab-m1, lab-m2, lab-m3.');
		expect(frame).toMatch(/› \(•\) add a master\s+its name and address, then the summary/);
		expect(frame).toMatch(/ {2}\( \) remove a master\s+pick one of the 3, then the summary/);
		expect(frame).toMatch(/ {2}\( \) edit every answer\s+every screen, as on a first install/);
		expectFits(frame);
	});
});

describe('add a master', () => {
	test('a form for the new node, named after the others, then a summary that says what apply does', async () => {
		const ui = mount();
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.enter);
		let frame = await waitForFrame(ui.lastFrame, 'step 2/3 · New master');
		expect(frame).toMatch(/› {2}4 ▸lab-m4/);
		await press(ui.stdin, KEY.enter); // name → ip
		await type(ui.stdin, '192.168.31.47');
		await press(ui.stdin, KEY.enter); // → continue
		frame = await waitForFrame(ui.lastFrame, 'Summary');
		expectFits(frame);
		expect(squashed(frame)).toContain(squashed("apply will add lab-m4: preflight, the cluster's release and shared material, its own serving certificate; the other masters are not restarted"));
		expect(frame).toMatch(/lab-m4 {2}192\.168\.31\.47/);
		expect(frame).toMatch(/other answers\s+as saved/);
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		const profile = ui.onDone.mock.calls[0]![0];
		expect(profile.nodes).toEqual([...saved.nodes, {name: 'lab-m4', ip: '192.168.31.47'}]);
		expect(profile.paths).toEqual({binDir: '/opt/kube/bin'});
		expect(profile.ssh).toEqual({user: 'ops', port: 22});
	});

	test('a duplicate address or name is refused on the form, naming the field', async () => {
		const ui = mount();
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'New master');
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.45');
		await press(ui.stdin, KEY.enter);
		let frame = await waitForFrame(ui.lastFrame, 'fix the field marked ✗ to continue');
		expect(squashed(frame)).toContain(squashed('✗ ip duplicates nodes[1].ip 192.168.31.45; every node needs its own address'));
		expect(frame).toContain('New master');
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, '192.168.31.47');
		await press(ui.stdin, KEY.up, KEY.ctrlU); // the name
		await type(ui.stdin, 'lab-m1');
		await press(ui.stdin, KEY.down, KEY.down, KEY.enter); // [continue]
		frame = await waitForFrame(ui.lastFrame, '✗ name duplicates');
		expect(squashed(frame)).toContain(squashed('✗ name duplicates nodes[0].name "lab-m1"; every node needs its own name'));
		expect(ui.onDone).not.toHaveBeenCalled();
	});

	test('with a stacked etcd an even master count is refused on the form as one of the ✗ the notice counts', async () => {
		const one = {...saved, nodes: [saved.nodes[0]!], etcd: {mode: 'stacked', binaries: '/srv/etcd'}} as ProfileInput;
		const ui = mount(one);
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'New master');
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.47');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'marked ✗ to continue');
		const notice = /fix (the field|(\d+) fields) marked ✗/.exec(frame);
		const counted = notice?.[2] ? Number(notice[2]) : 1;
		expect((frame.match(/✗/g) ?? []).length - 1).toBe(counted);
		expect(ui.onDone).not.toHaveBeenCalled();
	});

	test('esc goes back to the choice with the node list as it was', async () => {
		const ui = mount();
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'New master');
		await press(ui.stdin, KEY.escape);
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.down, KEY.enter); // remove a master
		const frame = await waitForFrame(ui.lastFrame, 'Master to remove');
		expect(frame).not.toContain('lab-m4');
	});
});

describe('remove a master', () => {
	test('pick one of the profile’s masters; the summary says what apply does and how to see it first', async () => {
		const ui = mount();
		await waitForFrame(ui.lastFrame, 'What to change');
		await press(ui.stdin, KEY.down);
		await waitForFrame(ui.lastFrame, '› (•) remove a master');
		await press(ui.stdin, KEY.enter);
		let frame = await waitForFrame(ui.lastFrame, 'step 2/3 · Master to remove');
		expect(frame).toMatch(/› \(•\) lab-m1\s+192\.168\.31\.44/);
		await press(ui.stdin, KEY.down);
		await waitForFrame(ui.lastFrame, /› \(•\) lab-m2/);
		await press(ui.stdin, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Summary');
		expectFits(frame);
		expect(squashed(frame)).toContain(
			squashed("apply will remove lab-m2: stop its services, wait until it left the kubernetes EndpointSlice and the Leases, remove the tool's files; run `k8s-master-setup apply --profile prod --dry-run` to see it first"),
		);
		expect(frame).not.toMatch(/lab-m2 {2}192/);
		// Back from the summary: the list as the profile has it, the pick kept.
		await press(ui.stdin, KEY.escape);
		frame = await waitForFrame(ui.lastFrame, 'Master to remove');
		expect(frame).toMatch(/› \(•\) lab-m2/);
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Summary');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		expect(ui.onDone.mock.calls[0]![0].nodes).toEqual([saved.nodes[0], saved.nodes[2]]);
	});

	test('the last master is refused, saying why', async () => {
		const ui = mount({...saved, nodes: [saved.nodes[0]!]});
		await waitForFrame(ui.lastFrame, 'Profile prod has 1 master: lab-m1.');
		await press(ui.stdin, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master to remove');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, "lab-m1 is the profile's only master");
		expect(squashed(frame)).toContain(squashed('the last master is never removed, the cluster would have no apiserver left. Add the master that replaces it first (add a master), apply, then remove lab-m1.'));
		expect(frame).toContain('Master to remove');
		expectFits(frame);
	});
});
