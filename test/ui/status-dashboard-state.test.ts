import {describe, expect, it} from 'vitest';
import {initialDashboardState, reduceDashboard} from '../../source/ui/status-dashboard-state.js';

describe("the status dashboard's state", () => {
	it('keeps an error until a refresh succeeds, and the last view through a failed one', () => {
		const view = {rows: [], columns: []} as never;
		let s = reduceDashboard(initialDashboardState, {type: 'refreshed', view});
		s = reduceDashboard(s, {type: 'refresh-failed', message: 'lab-m1: connection refused'});
		expect(s.view).toBe(view);
		expect(s.error).toBe('lab-m1: connection refused');
		expect(reduceDashboard(s, {type: 'refreshed', view}).error).toBeNull();
	});

	it("applies a journal's answer only to the pane still open, with the node's escape sequences escaped", () => {
		let s = reduceDashboard(initialDashboardState, {type: 'journal-opened', node: 'm1', unit: 'kube-apiserver'});
		expect(s.journal).toEqual({node: 'm1', unit: 'kube-apiserver', state: 'loading', text: ''});
		// The user moved on to another unit before the first answer came.
		s = reduceDashboard(s, {type: 'journal-opened', node: 'm1', unit: 'kube-scheduler'});
		s = reduceDashboard(s, {type: 'journal-answered', node: 'm1', unit: 'kube-apiserver', ok: true, text: 'late'});
		expect(s.journal?.state).toBe('loading');
		s = reduceDashboard(s, {type: 'journal-answered', node: 'm1', unit: 'kube-scheduler', ok: true, text: 'I1201 \u001b[31mred\u001b[0m'});
		expect(s.journal).toMatchObject({unit: 'kube-scheduler', state: 'done'});
		expect(s.journal?.text).not.toContain('\u001b');
		expect(reduceDashboard(s, {type: 'journal-closed'}).journal).toBeNull();
	});
});
