/**
 * Messages wrap, never truncate: a node-check error with its hint, a field's schema
 * message and a failed step's cause, hint and journal line are on the screen whole at
 * 60, 80 and 120 columns, and no line is as wide as the terminal.
 */
import React from 'react';
import {afterEach, describe, expect, test, vi} from 'vitest';
import {Wizard} from '../../source/ui/wizard/wizard.js';
import {Grid} from '../../source/ui/grid.js';
import {initialGridView} from '../../source/ui/grid-keys.js';
import {reduceGridAll} from '../../source/ui/grid-state.js';
import type {RunEvent} from '../../source/run/events.js';
import {KEY, press, type, waitForFrame} from './helpers.js';
import {renderAt, squashed} from './render-at.js';

const unmounts: Array<() => void> = [];
afterEach(() => {
	for (const u of unmounts.splice(0)) u();
});

function fitsIn(frame: string, columns: number) {
	for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(columns);
}

const error = 'master1: cannot connect to 127.0.0.1:40022 (ECONNREFUSED): nothing accepts connections on that port';
const hint = 'check that sshd runs on master1 and listens on the port given in the SSH screen (ssh.port), or that ~/.ssh/config sends the host where it does';

describe.each([60, 80, 120])('at %i columns', (columns) => {
	function mountWizard(props: Partial<React.ComponentProps<typeof Wizard>> = {}) {
		const ui = renderAt(columns, <Wizard onDone={vi.fn()} onCancel={vi.fn()} columns={columns} {...props} />);
		unmounts.push(ui.unmount);
		return ui;
	}

	test('a failed node check shows its whole error and hint', async () => {
		const ui = mountWizard({checkNode: async () => ({ok: false, error, hint})});
		await waitForFrame(ui.lastFrame, 'SSH access');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master nodes');
		await press(ui.stdin, KEY.enter);
		await type(ui.stdin, '198.51.100.7');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'hint:');
		expect(squashed(frame)).toContain(squashed(`✗ ${error}`));
		expect(squashed(frame)).toContain(squashed(`hint: ${hint}`));
		fitsIn(frame, columns);
	});

	test('a field’s schema message is shown whole under it', async () => {
		const ui = mountWizard({initial: {nodes: [{name: 'm1', ip: '192.168.31.44'}]}});
		await waitForFrame(ui.lastFrame, 'SSH access');
		await press(ui.stdin, KEY.enter, KEY.enter, KEY.enter);
		await waitForFrame(ui.lastFrame, 'Master nodes');
		await press(ui.stdin, KEY.enter, KEY.ctrlU);
		await type(ui.stdin, '127.0.0.1');
		await press(ui.stdin, KEY.enter);
		const frame = await waitForFrame(ui.lastFrame, 'loopback');
		expect(squashed(frame)).toContain(squashed('✗ ip 127.0.0.1 is a loopback address: the other masters and the load balancer cannot reach it; give the address the other masters reach this node on'));
		fitsIn(frame, columns);
	});

	test('the grid’s details show the whole cause, hint and journal line', () => {
		const at = 1_000_000;
		const cause = 'kube-apiserver on master1 did not become ready within 60s: /readyz answered 500 with [-]etcd failed: context deadline exceeded';
		const stepHint = 'check that every etcd endpoint in the profile (etcd.endpoints) answers from master1, and that etcd trusts the apiserver client certificate';
		const journal = 'E1201 12:00:00.000000 1234 run.go:72] "command failed" err="failed to connect to etcd https://198.18.0.11:2379: x509: certificate signed by unknown authority"';
		const events: RunEvent[] = [
			{type: 'run-started', at, nodes: ['master1'], steps: ['connect', 'apiserver'], dryRun: false},
			{type: 'step-started', at, node: 'master1', step: 'apiserver'},
			{type: 'step-failed', at: at + 60_000, node: 'master1', step: 'apiserver', durationMs: 60_000, cause, hint: stepHint, detail: journal},
		];
		const state = reduceGridAll(events);
		const ui = renderAt(columns, <Grid state={state} view={{...initialGridView, mode: 'details', row: 0, col: state.steps.indexOf('apiserver')}} columns={columns} elapsedMs={0} spinnerFrame={0} profileName="prod" />);
		unmounts.push(ui.unmount);
		const frame = ui.lastFrame() ?? '';
		expect(frame).toContain('master1 · apiserver');
		expect(squashed(frame)).toContain(squashed(`cause: ${cause}`));
		expect(squashed(frame)).toContain(squashed(`hint: ${stepHint}`));
		expect(squashed(frame)).toContain(squashed(`│ ${journal}`));
		fitsIn(frame, columns);
	});
});
