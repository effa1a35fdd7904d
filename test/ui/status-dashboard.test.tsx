import {render} from 'ink-testing-library';
import React from 'react';
import {afterEach, describe, expect, it, vi} from 'vitest';
import {EventEmitter} from 'node:events';
import {StatusApp, StatusDashboard, colorEnabled, runStatusDashboard} from '../../source/ui/status-dashboard.js';
import {buildViewModel} from '../../source/status/view-model.js';
import {changeLine, changeStatus} from '../../source/status/change.js';
import {etcdStatus} from '../../source/status/etcd.js';
import {changeJournal, healthySnapshot, refused, unit, waitFor, withNode} from '../unit/status-fixtures.js';
import {renderAt, squashed} from './render-at.js';

const failedScheduler = () =>
	withNode(healthySnapshot(), 'lab-m2', (n) => {
		n.units['kube-scheduler'] = unit('kube-scheduler', {activeState: 'failed', subState: 'failed', result: 'exit-code', nRestarts: 3});
		n.scheduler.healthz = refused();
	});

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001B\[[0-9;]*m/g, '');
const flat = (frame: string | undefined) => (frame ?? '').split('\n').map((l) => l.trim()).join(' ');
const ARROW_DOWN = '\u001B[B';
const ARROW_RIGHT = '\u001B[C';

describe('<StatusDashboard>', () => {
	afterEach(() => vi.unstubAllEnvs());

	it('renders rows, leader marks, cert days and the banner with what to look at, within 80 columns', () => {
		const {lastFrame, unmount} = render(<StatusDashboard view={buildViewModel(failedScheduler())} color={false} intervalMs={2000} />);
		const frame = strip(lastFrame() ?? '');
		const lines = frame.split('\n');
		const row = (node: string) => lines.find((l) => l.includes(node) && l.includes('198.18'))!;
		expect(lines[0]).toMatch(/status · lab · 03:00:00 UTC · 120 ms · every 2s\s+DEGRADED$/);
		expect(row('lab-m1')).toMatch(/ok ★/); // controller-manager Lease holder
		expect(row('lab-m2')).toMatch(/failed ★|ok ★/);
		expect(row('lab-m2')).toContain('failed');
		expect(row('lab-m3')).not.toContain('★');
		expect(row('lab-m1')).toContain('300d');
		expect(row('lab-m1')).toContain('v1.37.2');
		// The banner wraps at 80 columns; read it as one text.
		const flat = lines.map((l) => l.trim()).join(' ');
		expect(flat).toContain('✖ lab-m2: kube-scheduler failed (ActiveState=failed, Result=exit-code, NRestarts=3) → look at `journalctl -u kube-scheduler -n 50` on 198.18.0.12');
		for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
		unmount();
	});

	it('healthy: a green line instead of a banner; a warning mark on a certificate below the threshold', () => {
		const view = buildViewModel(withNode(healthySnapshot(), 'lab-m3', (n) => (n.certificates[0]!.daysLeft = 10)));
		const {lastFrame, unmount} = render(<StatusDashboard view={view} color={false} interactive={false} />);
		const frame = lastFrame() ?? '';
		expect(frame).toContain('10d!');
		expect(frame).toContain('lab-m3: /etc/kubernetes/cert/kubernetes.pem expires in 10 days');
		expect(frame).not.toContain('q quit');
		unmount();
		const healthy = render(<StatusDashboard view={buildViewModel(healthySnapshot())} color={false} />);
		expect(healthy.lastFrame()).toContain('✔ all components healthy, both Leases held');
		healthy.unmount();
	});

	it('an unfinished change: its line, wrapped within 80 columns, below the banner (on a terminal of 80)', () => {
		const file = '/state/rollout-journal.json';
		for (const change of [changeStatus({file, journal: changeJournal('running')})!, changeStatus({file, journal: changeJournal('stopped', {rolledBack: true})})!]) {
			const ui = renderAt(80, <StatusDashboard view={buildViewModel({...failedScheduler(), change})} color={false} intervalMs={2000} />);
			const lines = strip(ui.lastFrame() ?? '').split('\n');
			for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
			const at = lines.findIndex((l) => l.startsWith('change: '));
			expect(at).toBeGreaterThan(lines.findIndex((l) => l.includes('kube-scheduler failed')));
			expect(squashed(lines.slice(at).join(''))).toContain(squashed(changeLine(change)));
			ui.unmount();
		}
		const none = renderAt(80, <StatusDashboard view={buildViewModel(healthySnapshot())} color={false} />);
		expect(none.lastFrame()).not.toContain('change:');
		none.unmount();
	});

	it('a stacked etcd: its line; with a member down, the summary and the problem, within 80 columns', () => {
		const names = ['lab-m1', 'lab-m2', 'lab-m3'];
		const member = (name: string, i: number) => ({name, ok: true as const, leader: '1', memberId: String(i + 1), raftIndex: 50, errors: [], version: '3.6.5', dbSizeBytes: 2.1 * 1024 ** 2});
		const members = names.map((name, i) => ({id: String(i + 1), name, peerUrls: [], isLearner: false}));
		const healthy = etcdStatus({statuses: names.map(member), members}, names, 8 * 1024 ** 3);
		const ok = renderAt(80, <StatusDashboard view={buildViewModel({...healthySnapshot(), etcd: healthy})} color={false} />);
		expect(flat(strip(ok.lastFrame() ?? ''))).toContain('etcd: 3 members, lab-m1 leads; db 2.1 MiB of 8.00 GiB (largest); raft lag ≤ 0; no alarms');
		ok.unmount();
		const statuses = [member('lab-m1', 0), {name: 'lab-m2', ok: false as const, detail: 'ECONNREFUSED'}, member('lab-m3', 2)];
		const ui = renderAt(80, <StatusDashboard view={buildViewModel({...failedScheduler(), etcd: etcdStatus({statuses, members}, names, 8 * 1024 ** 3)})} color={false} />);
		const lines = strip(ui.lastFrame() ?? '').split('\n');
		for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
		const text = flat(lines.join('\n'));
		expect(text).toContain('etcd: 2 of 3 members answer, lab-m1 leads;');
		expect(text).toContain('! lab-m2: etcd does not answer (ECONNREFUSED); 2 of 3 members answer, one more lost stops the cluster');
		ui.unmount();
		const external = render(<StatusDashboard view={buildViewModel(healthySnapshot())} color={false} />);
		expect(external.lastFrame()).not.toContain('etcd:');
		external.unmount();
	});

	it('NO_COLOR: present and not empty turns colour off', () => {
		expect(colorEnabled({})).toBe(true);
		expect(colorEnabled({NO_COLOR: ''})).toBe(true);
		expect(colorEnabled({NO_COLOR: '1'})).toBe(false);
	});

	it('without colour nothing but text reaches the terminal', () => {
		const {lastFrame, unmount} = render(<StatusDashboard view={buildViewModel(failedScheduler())} color={false} />);
		// eslint-disable-next-line no-control-regex
		expect(lastFrame()).not.toMatch(/\u001B\[3\dm/);
		unmount();
	});
});

describe('<StatusApp>', () => {
	it('refreshes, `l` shows the journal tail of the selected component from the prop, arrows move, Enter opens another, `r` refreshes, `q` quits', async () => {
		let refreshes = 0;
		const refresh = vi.fn(async () => {
			refreshes++;
			return failedScheduler();
		});
		const journal = vi.fn(async (node: string, unit: string) => `2026-11-20T02:59:58+0000 ${node} ${unit}[811]: E1120 leaderelection lost\n2026-11-20T02:59:59+0000 ${node} systemd[1]: ${unit}.service: Failed with result 'exit-code'.\n`);
		const {lastFrame, stdin, unmount} = render(<StatusApp refresh={refresh} journal={journal} intervalMs={60_000} color={false} />);
		await waitFor(() => lastFrame()?.includes('DEGRADED'), 5000, 'first snapshot');
		expect(refreshes).toBe(1);

		stdin.write('l');
		await waitFor(() => flat(lastFrame()).includes('kube-apiserver[811]: E1120 leaderelection lost'), 5000, 'journal tail');
		expect(journal).toHaveBeenLastCalledWith('lab-m1', 'kube-apiserver');
		expect(lastFrame()).toContain('journal · lab-m1 · kube-apiserver');

		stdin.write(ARROW_DOWN);
		await waitFor(() => lastFrame()?.split('\n').find((l) => l.includes('lab-m2') && l.includes('198.18'))?.startsWith('›'), 5000, 'selection on lab-m2');
		stdin.write(ARROW_RIGHT);
		stdin.write(ARROW_RIGHT);
		await waitFor(() => lastFrame()?.includes('[failed ★]'), 5000, 'scheduler cell selected');
		stdin.write('\r');
		await waitFor(() => lastFrame()?.includes('journal · lab-m2 · kube-scheduler'), 5000, 'scheduler journal');
		await waitFor(() => flat(lastFrame()).includes("kube-scheduler.service: Failed with result 'exit-code'."), 5000, 'scheduler journal text');
		expect(journal).toHaveBeenLastCalledWith('lab-m2', 'kube-scheduler');

		stdin.write('\u001B'); // Esc closes it
		await waitFor(() => !lastFrame()?.includes('journal · lab-m2'), 5000, 'journal closed');

		stdin.write('r');
		await waitFor(() => refreshes >= 2, 5000, 'refresh on r');

		stdin.write('q');
		unmount();
	});

	it('a failing refresh keeps the last snapshot and says so; a journal error is shown', async () => {
		let n = 0;
		const refresh = async () => {
			n++;
			if (n === 1) return healthySnapshot();
			throw new Error('probe crashed');
		};
		const journal = async () => {
			throw new Error('lab-m1 is unreachable over SSH: timeout');
		};
		const {lastFrame, stdin, unmount} = render(<StatusApp refresh={refresh} journal={journal} intervalMs={60_000} color={false} />);
		await waitFor(() => lastFrame()?.includes('HEALTHY'), 5000, 'first snapshot');
		stdin.write('r');
		await waitFor(() => lastFrame()?.includes('refresh failed: probe crashed'), 5000, 'refresh error');
		expect(lastFrame()).toContain('HEALTHY');
		stdin.write('l');
		await waitFor(() => lastFrame()?.includes('could not read the journal: lab-m1 is unreachable over SSH: timeout'), 5000, 'journal error');
		unmount();
	});

	it('refreshes on the interval without overlapping', async () => {
		let active = 0;
		let maxActive = 0;
		let calls = 0;
		const refresh = async () => {
			active++;
			calls++;
			maxActive = Math.max(maxActive, active);
			await new Promise((r) => setTimeout(r, 30));
			active--;
			return healthySnapshot();
		};
		const {stdin, unmount} = render(<StatusApp refresh={refresh} journal={async () => ''} intervalMs={20} color={false} />);
		stdin.write('r');
		await waitFor(() => calls >= 4, 5000, 'four refreshes');
		unmount();
		expect(maxActive).toBe(1);
	});
});

/** Minimal TTY-like streams, as ink-testing-library makes them, for runStatusDashboard. */
class FakeStdout extends EventEmitter {
	columns = 100;
	rows = 40;
	isTTY = true;
	frames: string[] = [];
	write = (frame: string) => {
		this.frames.push(frame);
		return true;
	};
}
class FakeStdin extends EventEmitter {
	isTTY = true;
	rawMode: boolean[] = [];
	private data: string | null = null;
	write(data: string) {
		this.data = data;
		this.emit('readable');
		this.emit('data', data);
	}
	read = () => {
		const d = this.data;
		this.data = null;
		return d;
	};
	setEncoding() {}
	setRawMode(on: boolean) {
		this.rawMode.push(on);
	}
	resume() {}
	pause() {}
	ref() {}
	unref() {}
}

describe('runStatusDashboard', () => {
	it('`q` ends it with the exit code of the last snapshot and leaves raw mode', async () => {
		const stdout = new FakeStdout();
		const stdin = new FakeStdin();
		const done = runStatusDashboard({
			refresh: async () => failedScheduler(),
			journal: async () => '',
			intervalMs: 60_000,
			stdout: stdout as unknown as NodeJS.WriteStream,
			stdin: stdin as unknown as NodeJS.ReadStream,
			patchConsole: false,
		});
		await waitFor(() => stdout.frames.some((f) => f.includes('DEGRADED')), 5000, 'first frame');
		stdin.write('q');
		await expect(done).resolves.toBe(3);
		expect(stdin.rawMode[0]).toBe(true);
		expect(stdin.rawMode.at(-1)).toBe(false);
	});
});
