import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import type {NodeCheckResult} from '../../source/ui/wizard/reducer.js';
import {ProfileSchema, type ProfileInput} from '../../source/profile/schema.js';
import type {SavedDraft} from '../../source/ui/wizard/saved-draft.js';
import {KEY, press, type, waitFor, waitForFrame} from './helpers.js';

afterEach(() => cleanup());

function mount(props: Partial<React.ComponentProps<typeof Wizard>> = {}) {
	const onDone = vi.fn<(p: ProfileInput, extras: {hostKeys: unknown[]}) => void>();
	const onCancel = vi.fn<(d: SavedDraft) => void>();
	const ui = render(<Wizard onDone={onDone} onCancel={onCancel} columns={80} {...props} />);
	return {...ui, onDone, onCancel};
}

const fingerprint = (ip: string) => `SHA256:${Buffer.from(ip).toString('base64')}`;
const checkNode = vi.fn(async (node: {ip: string}): Promise<NodeCheckResult> => ({ok: true, keyType: 'ssh-ed25519', fingerprint: fingerprint(node.ip)}));

/** SSH screen with its defaults, then the nodes screen. */
async function throughSsh(ui: ReturnType<typeof mount>) {
	await waitForFrame(ui.lastFrame, 'SSH access');
	await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
	await waitForFrame(ui.lastFrame, 'Master nodes');
}

/** On the nodes screen, focus on master1's name: enter three nodes. */
async function enterThreeNodes(ui: ReturnType<typeof mount>) {
	await press(ui.stdin, KEY.enter); // name master1 (prefilled) → ip
	await type(ui.stdin, '192.168.31.44');
	await press(ui.stdin, KEY.enter, KEY.enter); // → [+ add node] → adds master2, focus on its ip
	await type(ui.stdin, '192.168.31.45');
	await press(ui.stdin, KEY.enter, KEY.enter);
	await type(ui.stdin, '192.168.31.46');
	await press(ui.stdin, KEY.enter); // → [+ add node]
	await waitForFrame(ui.lastFrame, '192.168.31.46');
}

describe('wizard', () => {
	test('happy path: every screen to the summary, then onDone with a valid profile', async () => {
		const readBinariesVersion = vi.fn(async () => 'v1.37.2');
		const ui = mount({checkNode, readBinariesVersion});
		await throughSsh(ui);
		await enterThreeNodes(ui);
		// Each node is checked as soon as it is entered; the row shows the host key.
		await waitForFrame(ui.lastFrame, `✓ ssh-ed25519 ${fingerprint('192.168.31.45')}`.slice(0, 20));
		await press(ui.stdin, KEY.down, KEY.enter); // [continue]
		let frame = await waitForFrame(ui.lastFrame, 'Host keys');
		await waitFor(() => (ui.lastFrame() ?? '').split('✓').length === 4, 'three checked nodes');
		frame = ui.lastFrame() ?? '';
		expect(frame).toContain(fingerprint('192.168.31.44'));
		expect(checkNode).toHaveBeenCalledWith({name: 'master2', ip: '192.168.31.45', ssh: {user: 'root', port: 22}});
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await type(ui.stdin, '/srv/kubernetes/v1.37.2/bin');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'found v1.37.2');
		expect(readBinariesVersion).toHaveBeenCalledWith('/srv/kubernetes/v1.37.2/bin');
		await press(ui.stdin, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Cluster network');
		// Defaults from the guide are prefilled.
		for (const d of ['10.254.0.0/16', '172.30.0.0/16', '30000-32767', 'cluster.local']) expect(frame).toContain(d);
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		// A new profile: "do you run an etcd cluster already?" no (the default), so the etcd binaries.
		frame = await waitForFrame(ui.lastFrame, 'step 6/11 · etcd');
		expect(frame).toContain('Do you run an etcd cluster already?');
		expect(frame).toContain('(•) no: run it on the masters');
		expect(frame).not.toContain('endpoints');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, /› etcd binaries/);
		await type(ui.stdin, '/srv/etcd/etcd-v3.6.5-linux-amd64.tar.gz');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Certificate authority');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Secrets encryption key');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Extra API server names');
		await type(ui.stdin, 'k8s.example.com, 10.0.0.100');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Profile name');
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, 'prod');
		await press(ui.stdin, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Summary');
		for (const [i, ip] of ['192.168.31.44', '192.168.31.45', '192.168.31.46'].entries()) expect(frame).toContain(`master${i + 1}  ${ip}`);
		expect(frame.split('\n').every((l) => l.length < 80)).toBe(true);
		expect(frame).toContain('generate a new key');
		expect(frame).toContain('3 accepted');
		expect(frame).toContain('stacked, one member per master (etcd 3.6.5 from');
		expect(ui.onDone).not.toHaveBeenCalled();
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		const [profile, extras] = ui.onDone.mock.calls[0]!;
		const parsed = ProfileSchema.parse(profile);
		expect(parsed.name).toBe('prod');
		expect(parsed.kubernetesVersion).toBe('1.37');
		expect(parsed.nodes.map((n) => n.ip)).toEqual(['192.168.31.44', '192.168.31.45', '192.168.31.46']);
		expect(parsed.apiserver.extraSans).toEqual(['k8s.example.com', '10.0.0.100']);
		expect(parsed.encryption.key).toBeUndefined();
		expect(parsed.etcd).toMatchObject({mode: 'stacked', binaries: '/srv/etcd/etcd-v3.6.5-linux-amd64.tar.gz', dataDir: '/var/lib/etcd'});
		expect(extras.hostKeys).toHaveLength(3);
	});

	test('"do you run an etcd cluster already?" yes: the endpoints, prefilled from the nodes; the profile is external', async () => {
		const ui = mount({initial: {binaries: '/b', kubernetesVersion: '1.37', nodes: [{name: 'm1', ip: '192.168.31.44'}, {name: 'm2', ip: '192.168.31.45'}]}});
		await throughSsh(ui);
		await press(ui.stdin, ...Array<string>(6).fill(KEY.down), KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await press(ui.stdin, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Cluster network');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		let frame = await waitForFrame(ui.lastFrame, 'step 5/10 · etcd');
		expect(frame).toContain('etcd binaries');
		await press(ui.stdin, KEY.right);
		frame = await waitForFrame(ui.lastFrame, '(•) yes: I run one');
		expect(frame).toContain('https://192.168.31.44:2379, https://192.168.31.45:2379');
		expect(frame).not.toContain('etcd binaries');
		await press(ui.stdin, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Certificate authority');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Summary');
		expect(frame).toMatch(/etcd {12}external, 2 endpoints\n {18}https:\/\/192\.168\.31\.44:2379\n {18}https:\/\/192\.168\.31\.45:2379/);
		expect(frame.split('\n').every((l) => l.length <= 80)).toBe(true);
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		const parsed = ProfileSchema.parse(ui.onDone.mock.calls[0]![0]);
		expect(parsed.etcd).toEqual({mode: 'external', endpoints: ['https://192.168.31.44:2379', 'https://192.168.31.45:2379'], apiserverEndpoints: 'local'});
	});

	test('a bad IP shows the schema message under the field, and fixing it clears it', async () => {
		const ui = mount();
		await throughSsh(ui);
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.300');
		await press(ui.stdin, KEY.enter); // leave the field: its message shows
		let frame = await waitForFrame(ui.lastFrame, 'must be an IPv4 address');
		expect(frame).toContain('✗ ip must be an IPv4 address, e.g. 192.168.31.44');
		// Continue is refused while a field is wrong.
		await press(ui.stdin, KEY.down, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'to continue');
		expect(frame).toContain('Master nodes');
		// The refused continue put the focus back on the bad field: fix it.
		await press(ui.stdin, KEY.backspace, KEY.backspace, KEY.backspace);
		await type(ui.stdin, '44');
		await waitFor(() => !(ui.lastFrame() ?? '').includes('must be an IPv4'), 'the message to go away');
		await press(ui.stdin, KEY.enter, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
	});

	test('a cross-field rule from the schema: node IP inside the service CIDR', async () => {
		const ui = mount();
		await throughSsh(ui);
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '10.254.0.7');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'lies inside network.serviceCidr');
	});

	test('going back keeps what was typed', async () => {
		const ui = mount();
		await throughSsh(ui);
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.44');
		await press(ui.stdin, KEY.enter, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await type(ui.stdin, '/srv/k8s/bin');
		await press(ui.stdin, KEY.tab);
		await type(ui.stdin, '1.36');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Cluster network');
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, '10.96.0.0/12');
		await press(ui.stdin, KEY.escape);
		let frame = await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		expect(frame).toContain('/srv/k8s/bin');
		expect(frame).toContain('1.36');
		await press(ui.stdin, KEY.escape);
		frame = await waitForFrame(ui.lastFrame, 'Master nodes');
		expect(frame).toContain('192.168.31.44');
		await press(ui.stdin, KEY.escape);
		await waitForFrame(ui.lastFrame, 'SSH access');
		// Forward again: everything is still there.
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master nodes');
		await press(ui.stdin, KEY.down, KEY.down, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await press(ui.stdin, KEY.enter, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Cluster network');
		expect(frame).toContain('10.96.0.0/12');
	});

	test('adding and removing nodes; an even count is warned about', async () => {
		const ui = mount();
		await throughSsh(ui);
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.44');
		await press(ui.stdin, KEY.ctrlN);
		let frame = await waitForFrame(ui.lastFrame, 'master2');
		expect(frame).toContain('2 masters: an even count');
		await type(ui.stdin, '192.168.31.45');
		await press(ui.stdin, KEY.ctrlN);
		frame = await waitForFrame(ui.lastFrame, 'master3');
		expect(frame).not.toContain('even count');
		// Remove master2: move up to its row, Ctrl-D.
		await press(ui.stdin, KEY.up, KEY.up);
		await press(ui.stdin, KEY.ctrlD);
		frame = await waitForFrame(ui.lastFrame, 'even count');
		expect(frame).not.toContain('192.168.31.45');
		expect(frame).toContain('master3');
		expect(frame).toContain('192.168.31.44');
	});

	test('Ctrl-C before the confirm calls onCancel with the draft, without a pasted key', async () => {
		const ui = mount({initial: {encryption: {key: Buffer.alloc(32, 7).toString('base64')}}});
		await throughSsh(ui);
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '192.168.31.44');
		await press(ui.stdin, KEY.ctrlC);
		await waitFor(() => ui.onCancel.mock.calls.length === 1, 'onCancel');
		const draft = ui.onCancel.mock.calls[0]![0];
		expect(draft.step).toBe('nodes');
		expect(draft.answers.nodes).toEqual([{name: 'master1', ip: '192.168.31.44'}]);
		expect(draft.answers.values['encryption.mode']).toBe('paste');
		expect(JSON.stringify(draft)).not.toContain(Buffer.alloc(32, 7).toString('base64'));
		expect(ui.onDone).not.toHaveBeenCalled();
	});

	test('a pasted encryption key is masked on its screen and on the summary', async () => {
		const key = Buffer.alloc(32, 9).toString('base64');
		const ui = mount({initial: {binaries: '/b', kubernetesVersion: '1.37', nodes: [{name: 'm1', ip: '192.168.31.44'}], etcd: {binaries: '/e'}}});
		await throughSsh(ui);
		await press(ui.stdin, KEY.down, KEY.down, KEY.down, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Kubernetes binaries');
		await press(ui.stdin, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Cluster network');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Secrets encryption key');
		await press(ui.stdin, KEY.right, KEY.tab);
		await type(ui.stdin, key);
		let frame = await waitForFrame(ui.lastFrame, '••••');
		expect(frame).not.toContain(key);
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Extra API server names');
		await press(ui.stdin, KEY.enter, KEY.enter);
		frame = await waitForFrame(ui.lastFrame, 'Summary');
		expect(frame).toContain('(pasted, not shown)');
		expect(ui.frames.join('\n')).not.toContain(key);
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone');
		expect(ui.onDone.mock.calls[0]![0].encryption?.key).toBe(key);
	});
});
