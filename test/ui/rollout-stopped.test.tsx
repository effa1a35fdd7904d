// What a person sees when a rolling change stops at its first failed node: the events of a
// real runner over fake nodes, shown by the plain reporter and by the grid.
import React from 'react';
import {afterEach, describe, expect, test} from 'vitest';
import {cleanup, render} from 'ink-testing-library';
import type {RunEvent} from '../../source/run/events.js';
import {createPlainReporter} from '../../source/ui/plain-reporter.js';
import {Grid} from '../../source/ui/grid.js';
import {reduceGridAll} from '../../source/ui/grid-state.js';
import {initialGridView} from '../../source/ui/grid-keys.js';
import {lab, makePlan, run} from '../unit/runner-fixtures.js';

afterEach(() => cleanup());

/** A serving three-node lab where m1's new apiserver exits at start-up. */
async function stoppedRollout(): Promise<RunEvent[]> {
	const nodes = lab();
	await run(nodes);
	nodes.get('m1')?.broken.set('kube-apiserver', 'E1201 invalid argument "NOT_A_SUITE" for "--tls-cipher-suites"');
	const {events} = await run(nodes, {}, makePlan('--tls-cipher-suites=NOT_A_SUITE'));
	return events;
}

describe('a stopped rollout', () => {
	test('plain output: each untouched step says where the rollout stopped, then one summary line', async () => {
		let out = '';
		const sink = createPlainReporter((s) => (out += s));
		for (const e of await stoppedRollout()) sink(e);
		expect(out).toMatch(/^m1 +apiserver +failed .*kube-apiserver on m1 exited instead of starting/m);
		expect(out).toMatch(/^ +hint: .*rollout stopped at m1: m2, m3 were not touched and still serve the old configuration/m);
		expect(out).toMatch(/^ +\| E1201 invalid argument "NOT_A_SUITE"/m);
		for (const node of ['m2', 'm3']) {
			for (const step of ['binaries', 'apiserver', 'scheduler']) {
				expect(out).toMatch(new RegExp(`^${node} +${step} +skipped +not started: rollout stopped at m1$`, 'm'));
			}
		}
		expect(out).toContain('rollout stopped at m1 (apiserver failed): m2, m3 not started, still serving the old configuration\n');
		expect(out).toMatch(/^m1 +verify +skipped +apiserver failed$/m);
		expect(out).toMatch(/^m2 +verify +skipped +rollout stopped at m1$/m);
		expect(out.trimEnd().split('\n').at(-1)).toMatch(/failed on m1$/);
	});

	test('grid: the footer says where it stopped; an untouched node reads "not started"', async () => {
		const state = reduceGridAll(await stoppedRollout());
		const view = {...initialGridView, row: 1};
		const {lastFrame} = render(<Grid state={state} view={view} columns={80} elapsedMs={0} spinnerFrame={0} profileName="test" />);
		const frame = lastFrame() ?? '';
		// Wrapped, never cut: the whole sentence is on the screen at 80 columns.
		expect(frame.replace(/\s+/g, ' ')).toContain('rollout stopped at m1 (apiserver failed): m2, m3 not started, still serving the old configuration');
		expect(frame).toContain('m2: not started: rollout stopped at m1');
		for (const line of frame.split('\n')) expect([...line].length, line).toBeLessThan(80);
	});
});

/** The same lab, m1's apiserver failing only while its unit holds the bad flag: the rollback brings it back. */
async function rolledBackRollout(failRestore = false): Promise<RunEvent[]> {
	const nodes = lab();
	const m1 = nodes.get('m1')!;
	m1.onRestart = (service) => {
		if (service !== 'kube-apiserver') return;
		if (m1.files.get('/etc/systemd/system/kube-apiserver.service')?.content.toString().includes('NOT_A_SUITE')) m1.broken.set(service, 'E1201 invalid argument "NOT_A_SUITE"');
		else m1.broken.delete(service);
	};
	await run(nodes);
	m1.failRestore = failRestore;
	const {events} = await run(nodes, {}, makePlan('--tls-cipher-suites=NOT_A_SUITE'));
	return events;
}

describe('a rolled-back node', () => {
	test('plain output and grid say it was put back and that the others were not touched', async () => {
		const events = await rolledBackRollout();
		let out = '';
		const sink = createPlainReporter((s) => (out += s));
		for (const e of events) sink(e);
		expect(out).toMatch(/^m1 rolled back to generation g-\S+: its previous files are back and its restarted services are healthy again$/m);
		expect(out).toContain('rollout stopped at m1 (apiserver failed; m1 rolled back to its previous files): m2, m3 not started');
		const {lastFrame} = render(<Grid state={reduceGridAll(events)} view={initialGridView} columns={80} elapsedMs={0} spinnerFrame={0} profileName="test" />);
		expect((lastFrame() ?? '').replace(/\s+/g, ' ')).toContain('its previous files are back and its restarted services are healthy again');
	});

	test('a failed rollback shows the commands to run on the node, whole, at 60 columns', async () => {
		const events = await rolledBackRollout(true);
		const {lastFrame} = render(<Grid state={reduceGridAll(events)} view={initialGridView} columns={60} elapsedMs={0} spinnerFrame={0} profileName="test" />);
		const frame = (lastFrame() ?? '').replace(/\s+/g, ' ');
		expect(frame).toMatch(/rollback of m1 to generation g-\S+ failed: cp: cannot create regular file: Read-only file system/);
		// A long path wraps inside itself at 60 columns: compared without the line breaks.
		expect((lastFrame() ?? '').replace(/\s+/g, '')).toMatch(/putitbackbyhand:onm1\(198\.18\.0\.11\):sudosh\/var\/lib\/k8s-master-setup\/generations\/g-\S+\/restore\.sh&&sudosystemctldaemon-reload&&sudosystemctlrestartkube-apiserver/);
	});
});
