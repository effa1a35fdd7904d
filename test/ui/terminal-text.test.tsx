import {render} from 'ink-testing-library';
import React from 'react';
import {describe, expect, it} from 'vitest';
import {formatError, UserError} from '../../source/errors.js';
import type {RunEvent} from '../../source/run/events.js';
import {StatusApp} from '../../source/ui/status-dashboard.js';
import {buildViewModel} from '../../source/status/view-model.js';
import {terminalText} from '../../source/terminal-text.js';
import {cellOf, initialGridState, reduceGrid} from '../../source/ui/grid-state.js';
import {createPlainReporter} from '../../source/ui/plain-reporter.js';
import {healthySnapshot, waitFor, withNode} from '../unit/status-fixtures.js';

// What a hostile or broken node prints: clear the screen, set the window title, a bell, a
// carriage return that hides the start of a line, a right-to-left override.
const HOSTILE = 'E1120 \u001b[2J\u001b]0;owned\u0007done\rfake ok \u202eevil';
const SHOWN = 'E1120 \\x1b[2J\\x1b]0;owned\\x07done\\x0dfake ok \\u202eevil';
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

/** Every string in a view model. */
const strings = (value: unknown): string[] =>
	typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];

describe('text from nodes on the terminal', () => {
	it('shows control characters, escape sequences and bidi overrides escaped, keeps newlines', () => {
		expect(terminalText(HOSTILE)).toBe(SHOWN);
		expect(terminalText('line 1\nline\t2')).toBe('line 1\nline 2');
		expect(terminalText('plain ü ★ 日本')).toBe('plain ü ★ 日本');
	});

	it('in the grid details and the plain lines of a failed step', () => {
		const failed: RunEvent = {type: 'step-failed', at: 1, node: 'm1', step: 'apiserver', durationMs: 5, cause: `start failed: ${HOSTILE}`, detail: `${HOSTILE}\nnext`};
		const cell = cellOf(reduceGrid(initialGridState(['m1']), failed), 'm1', 'apiserver');
		expect(cell).toMatchObject({status: 'failed', cause: `start failed: ${SHOWN}`, detail: `${SHOWN}\nnext`});
		let out = '';
		createPlainReporter((s) => (out += s))(failed);
		expect(out).toContain(SHOWN);
		expect(out).not.toMatch(RAW);
	});

	it('in the status view (unit states, Lease holders) and in error messages', () => {
		const snapshot = withNode(healthySnapshot(), 'lab-m2', (n) => {
			n.apiserver.version = `v1.37.2${HOSTILE}`;
			n.scheduler.healthz = {state: 'error', httpStatus: 500, detail: HOSTILE, durationMs: 1};
		});
		const view = buildViewModel(snapshot);
		expect(view.rows[1]?.version).toBe(`v1.37.2${SHOWN}`);
		expect(view.rows[1]?.cells.find((c) => c.component === 'scheduler')?.reason).toContain(SHOWN);
		expect(strings(view).filter((t) => RAW.test(t))).toEqual([]);
		expect(formatError(new UserError(`lab-m1: sudo said: ${HOSTILE}`, 'fix it'))).toBe(`error: lab-m1: sudo said: ${SHOWN}\nhint: fix it`);
	});

	it('in the dashboard journal', async () => {
		const {lastFrame, stdin, unmount} = render(
			<StatusApp refresh={async () => healthySnapshot()} journal={async () => `${HOSTILE}\nsecond line\n`} intervalMs={60_000} color={false} />,
		);
		await waitFor(() => lastFrame()?.includes('HEALTHY'), 5000, 'first snapshot');
		stdin.write('l');
		await waitFor(() => lastFrame()?.includes('second line'), 5000, 'journal tail');
		const frame = lastFrame() ?? '';
		expect(frame.split('\n').map((l) => l.trim()).join('')).toContain(SHOWN);
		expect(frame).not.toMatch(RAW);
		unmount();
	});
});
