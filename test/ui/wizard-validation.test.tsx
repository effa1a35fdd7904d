/**
 * The wizard refuses a bad value on the screen where it is typed, with ProfileSchema's own
 * message (the profile's rules, not a copy), refuses local paths that do not exist there
 * too, and when the final check of the whole profile fails at the summary it goes back to
 * the field that failed instead of ending.
 */
import React from 'react';
import {mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, afterEach, describe, expect, test, vi} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import type {ProfileInput} from '../../source/profile/schema.js';
import {localPathProblem} from '../../source/cli/shared/wizard-checks.js';
import {KEY, press, type, waitFor, waitForFrame} from './helpers.js';

afterEach(() => cleanup());
const work = mkdtempSync(join(tmpdir(), 'k8s-wizard-validation-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

/** Answers valid up to the summary, so Enter walks every screen. */
const complete: Partial<ProfileInput> = {
	name: 'lab',
	binaries: '/srv/k8s/bin',
	kubernetesVersion: '1.37',
	nodes: [{name: 'm1', ip: '192.168.31.44'}],
	etcd: {mode: 'stacked', binaries: '/srv/etcd/etcd-v3.6.5-linux-amd64.tar.gz'},
};

function mount(props: Partial<React.ComponentProps<typeof Wizard>> = {}) {
	const onDone = vi.fn<(p: ProfileInput) => void>();
	const onCancel = vi.fn();
	const ui = render(<Wizard onDone={onDone} onCancel={onCancel} columns={100} {...props} />);
	return {...ui, onDone, onCancel};
}

/** Enter until the screen titled `title` shows (each Enter moves one field or one screen on). */
async function forwardTo(ui: ReturnType<typeof mount>, title: string) {
	for (let i = 0; i < 40 && !(ui.lastFrame() ?? '').includes(title); i++) {
		// On the nodes screen Enter on "+ add node" adds one: go down to [continue] first.
		if ((ui.lastFrame() ?? '').includes('Master nodes')) await press(ui.stdin, ...Array<string>(8).fill(KEY.down));
		await press(ui.stdin, KEY.enter);
	}
	return waitForFrame(ui.lastFrame, title);
}

const flat = (frame: string) => frame.replace(/\s+/g, ' ');

describe('the wizard validates each field on its own screen', () => {
	test('a bad extra SAN is refused on the SAN screen with the schema message', async () => {
		const ui = mount({initial: complete});
		await forwardTo(ui, 'Extra API server names');
		await type(ui.stdin, 'k8s.example.com, bad_name!');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'to continue');
		expect(frame).toContain('Extra API server names');
		expect(frame).not.toContain('Profile name');
		// The schema's whole message (values.ts sanProblem), wrapped, not cut.
		expect(flat(frame)).toContain(
			'✗ entry 2: "bad_name!" is not a DNS name: each dot-separated part is 1-63 letters, digits or "-", not starting or ending with "-" (a wildcard only as a first "*." part); give an IP address or a DNS name, e.g. 192.168.31.100 or k8s.example.com',
		);
		// Fixed, it goes on.
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, 'k8s.example.com');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Profile name');
	});

	test('binaries that do not exist on this machine are refused on their screen', async () => {
		const ui = mount({initial: {...complete, binaries: join(work, 'no-such-bin')}, checkLocalPath: (key, path) => localPathProblem(key, path)});
		await forwardTo(ui, 'Kubernetes binaries');
		await press(ui.stdin, KEY.enter, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'to continue');
		expect(frame).toContain('Kubernetes binaries');
		expect(flat(frame)).toContain(`${join(work, 'no-such-bin')} does not exist on this machine`);
		const bin = join(work, 'bin');
		mkdirSync(bin, {recursive: true});
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, bin);
		await press(ui.stdin, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Cluster network');
	});

	test('an identity file that does not exist is refused on the SSH screen', async () => {
		const key = join(work, 'id_ed25519');
		const ui = mount({initial: {...complete, ssh: {identityFile: key}}, checkLocalPath: (k, path) => localPathProblem(k, path)});
		await waitForFrame(ui.lastFrame, 'SSH access');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'to continue');
		expect(frame).toContain('SSH access');
		expect(flat(frame)).toContain(`${key} does not exist on this machine`);
		writeFileSync(key, 'not really a key\n', {mode: 0o600});
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master nodes');
	});

	test('a version that is not the binaries’ own release is refused', async () => {
		const ui = mount({initial: complete, readBinariesVersion: async () => 'v1.36.3'});
		await forwardTo(ui, 'Kubernetes binaries');
		await press(ui.stdin, KEY.enter);
		await waitForFrame(ui.lastFrame, 'found v1.36.3');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'to continue');
		expect(flat(frame)).toContain('the binaries are v1.36.3: set 1.36, or give the binaries of 1.37');
	});

	test('a problem the final check finds at the summary sends the user back to that field', async () => {
		const verify = vi
			.fn<(p: ProfileInput) => Promise<Array<{field: string; message: string}>>>()
			.mockResolvedValueOnce([{field: 'pki.caCert', message: '/srv/pki/ca.pem is not a CA certificate (basicConstraints CA:TRUE is missing)'}])
			.mockResolvedValue([]);
		const ui = mount({initial: {...complete, pki: {caCert: '/srv/pki/ca.pem', caKey: '/srv/pki/ca-key.pem'}}, verify});
		await forwardTo(ui, 'Summary');
		await press(ui.stdin, KEY.enter);
		let frame = await waitForFrame(ui.lastFrame, 'Certificate authority');
		expect(flat(frame)).toContain('is not a CA certificate');
		expect(frame).toMatch(/› CA certificate file/);
		expect(ui.onDone).not.toHaveBeenCalled();
		await press(ui.stdin, KEY.ctrlU);
		await type(ui.stdin, '/srv/pki/real-ca.pem');
		await waitFor(() => !(ui.lastFrame() ?? '').includes('is not a CA certificate'), 'the message to go once the value changed');
		await forwardTo(ui, 'Summary');
		await press(ui.stdin, KEY.enter);
		await waitFor(() => ui.onDone.mock.calls.length === 1, 'onDone after the second check');
		expect(verify).toHaveBeenCalledTimes(2);
		expect(ui.onDone.mock.calls[0]![0].pki).toEqual({caCert: '/srv/pki/real-ca.pem', caKey: '/srv/pki/ca-key.pem'});
	});
});
