import {describe, expect, it, vi} from 'vitest';
import {ProfileSchema} from '../../source/profile/schema.js';
import type {Transport} from '../../source/remote/transport.js';
import {runStatusCommand, type RunStatusCommandOptions} from '../../source/status/command.js';
import {StatusReportSchema} from '../../source/status/json-schema.js';
import {renderPlainTable} from '../../source/status/plain-table.js';
import {buildViewModel} from '../../source/status/view-model.js';
import {withNodeIps} from './loopback-nodes.js';
import {changeJournal, healthySnapshot, makeTestPki, withNode} from './status-fixtures.js';

// Nodes on loopback addresses where nothing listens: every HTTPS probe is refused at once.
const profile = withNodeIps(
	ProfileSchema.parse({
		name: 'cmd-test',
		kubernetesVersion: '1.37',
		binaries: '/opt/none',
		nodes: [
			{name: 'm1', ip: '198.51.100.51'},
			{name: 'm2', ip: '198.51.100.52'},
		],
		etcd: {endpoints: ['https://127.0.0.51:2379']},
	}),
	['127.0.0.51', '127.0.0.52'],
);

function sink() {
	const chunks: string[] = [];
	return {chunks, write: (c: string) => chunks.push(c), text: () => chunks.join('')};
}

function setup(overrides: Partial<RunStatusCommandOptions> = {}) {
	const pki = makeTestPki();
	const closed: string[] = [];
	const transport: Transport = {
		node: 'm1',
		user: 'root',
		exec: async () => ({code: 0, stdout: '### hostname\nm1\n### systemd\n### certificates\n### end\n', stderr: ''}),
		sha256: async () => new Map(),
		readFile: async () => undefined,
		upload: async () => undefined,
		close: async () => void closed.push('m1'),
	};
	const connect = vi.fn(async () => new Map<string, Transport | Error>([
		['m1', transport],
		['m2', new Error('connect EHOSTUNREACH 127.0.0.52:22')],
	]));
	const stdout = sink();
	const stderr = sink();
	const options: RunStatusCommandOptions = {
		profile,
		json: false,
		watch: false,
		intervalMs: 300,
		probeTimeoutMs: 500,
		connect,
		admin: {caPem: pki.caPem, certPem: pki.clientPem, keyPem: pki.clientKeyPem},
		stdout,
		stderr,
		isTTY: false,
		...overrides,
	};
	return {options, stdout, stderr, connect, closed, cleanup: pki.cleanup};
}

describe('runStatusCommand', () => {
	it('--json: one report line valid against the schema, exit code from its health, connections closed', async () => {
		const t = setup({json: true});
		try {
			const code = await runStatusCommand(t.options);
			const lines = t.stdout.text().trimEnd().split('\n');
			expect(lines).toHaveLength(1);
			const report = StatusReportSchema.parse(JSON.parse(lines[0]!));
			expect(report.profile).toBe('cmd-test');
			expect(report.nodes.map((n) => [n.name, n.reachable, n.ssh.state])).toEqual([
				['m1', true, 'ok'],
				['m2', false, 'unreachable'],
			]);
			expect(report.health.status).toBe('down');
			expect(code).toBe(1);
			expect(code).toBe(report.health.exitCode);
			expect(t.connect).toHaveBeenCalledTimes(1);
			expect(t.closed).toEqual(['m1']);
		} finally {
			t.cleanup();
		}
	});

	it('--json: the unfinished change from the journal reader (null without one); the exit code stays the health\'s', async () => {
		const without = setup({json: true});
		const withJournal = setup({json: true, readJournal: () => ({file: '/state/rollout-journal.json', journal: changeJournal('running')})});
		try {
			const codeWithout = await runStatusCommand(without.options);
			const codeWith = await runStatusCommand(withJournal.options);
			const plain = StatusReportSchema.parse(JSON.parse(without.stdout.text()));
			const report = StatusReportSchema.parse(JSON.parse(withJournal.stdout.text()));
			expect(plain.change).toBeNull();
			expect(report.change).toMatchObject({state: 'interrupted', release: 'v1.37.2', startedAt: '2026-12-01T10:00:00.000Z'});
			expect(report.change && 'nodes' in report.change && report.change.nodes[0]).toEqual({
				node: 'lab-m1',
				finished: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'],
				done: true,
				rolledBack: false,
			});
			expect([codeWith, report.health.exitCode]).toEqual([codeWithout, plain.health.exitCode]);
		} finally {
			without.cleanup();
			withJournal.cleanup();
		}
	});

	it('--json: readEtcd (a stacked etcd) is read on each refresh into the report; without it etcd is null', async () => {
		const reads: number[] = [];
		const etcd = {members: [], leader: 'm1', quotaBytes: 8 * 1024 ** 3, problem: null};
		const without = setup({json: true});
		const stacked = setup({json: true, readEtcd: async () => (reads.push(reads.length), etcd)});
		try {
			await runStatusCommand(without.options);
			await runStatusCommand(stacked.options);
			expect(StatusReportSchema.parse(JSON.parse(without.stdout.text())).etcd).toBeNull();
			expect(StatusReportSchema.parse(JSON.parse(stacked.stdout.text())).etcd).toEqual(etcd);
			expect(reads).toEqual([0]);
		} finally {
			without.cleanup();
			stacked.cleanup();
		}
	});

	it('--watch --json: NDJSON, one valid line per refresh, until stopped', async () => {
		const stop = new AbortController();
		const t = setup({json: true, watch: true, signal: stop.signal});
		try {
			const run = runStatusCommand(t.options);
			await vi.waitFor(() => expect(t.stdout.chunks.length).toBeGreaterThanOrEqual(2), {timeout: 10_000, interval: 20});
			stop.abort();
			expect(await run).toBe(1);
			const lines = t.stdout.text().trimEnd().split('\n');
			expect(lines.length).toBeGreaterThanOrEqual(2);
			for (const line of lines) expect(StatusReportSchema.safeParse(JSON.parse(line)).success).toBe(true);
			expect(t.closed).toEqual(['m1']);
		} finally {
			t.cleanup();
		}
	});

	it('no TTY, no --json: a plain table, once', async () => {
		const t = setup();
		try {
			expect(await runStatusCommand(t.options)).toBe(1);
			const text = t.stdout.text();
			expect(text).toMatch(/^NODE\s+ADDRESS\s+APISERVER\s+CTRL-MGR\s+SCHEDULER\s+CERTS\s+VERSION\s+RESTARTS$/m);
			expect(text).toContain('[down] no kube-apiserver is ready');
			expect(text.match(/^profile cmd-test/gm)).toHaveLength(1);
			expect(text).not.toContain('change:');
		} finally {
			t.cleanup();
		}
	});

	it('no TTY: a stopped change in one line, wrapped to the output\'s width', async () => {
		const t = setup({readJournal: () => ({file: '/state/rollout-journal.json', journal: changeJournal('stopped', {rolledBack: true})})});
		Object.assign(t.stdout, {columns: 50});
		try {
			await runStatusCommand(t.options);
			const lines = t.stdout.text().split('\n');
			const at = lines.findIndex((l) => l.startsWith('change: '));
			const end = lines.findIndex((l, i) => i > at && !l.startsWith('  '));
			for (const l of lines.slice(at, end)) expect(l.length).toBeLessThanOrEqual(50);
			expect(lines.slice(at, end).map((l) => l.trim()).join(' ')).toBe(
				'change: a rolling change to v1.37.2 started 2026-12-01T10:00:00.000Z stopped at a failed node (rolled back: lab-m2); fix the profile and run apply again',
			);
		} finally {
			t.cleanup();
		}
	});

	it('a TTY: the dashboard, with a journal that goes through the node connection', async () => {
		const dashboard = vi.fn(async (o: Parameters<NonNullable<RunStatusCommandOptions['dashboard']>>[0]) => {
			const snap = await o.refresh();
			expect(snap.nodes).toHaveLength(2);
			await expect(o.journal('m2', 'kube-scheduler')).rejects.toThrow(/m2 is unreachable over SSH: connect EHOSTUNREACH/);
			return 1;
		});
		const t = setup({isTTY: true, dashboard, intervalMs: 5000, certWarningDays: 14});
		try {
			expect(await runStatusCommand(t.options)).toBe(1);
			expect(dashboard).toHaveBeenCalledWith(expect.objectContaining({intervalMs: 5000, certWarningDays: 14}));
			expect(t.closed).toEqual(['m1']);
		} finally {
			t.cleanup();
		}
	});
});

describe('plain table', () => {
	it('aligned columns, leader marks, cert days, every problem with its hint', () => {
		const snap = withNode(healthySnapshot(), 'lab-m3', (n) => {
			n.certificates[0]!.daysLeft = 9;
			n.units['kube-scheduler']!.nRestarts = 4;
		});
		const text = renderPlainTable(buildViewModel(snap));
		const lines = text.split('\n');
		expect(lines[0]).toBe('profile lab  2026-11-20T03:00:00.000Z  DEGRADED (exit 3)  120 ms');
		expect(lines[1]).toBe('NODE    ADDRESS      APISERVER  CTRL-MGR  SCHEDULER  CERTS  VERSION  RESTARTS');
		expect(lines[2]).toBe('lab-m1  198.18.0.11  ok         ok ★      ok         300d   v1.37.2  0');
		expect(lines[3]).toBe('lab-m2  198.18.0.12  ok         ok        ok ★       300d   v1.37.2  0');
		expect(lines[4]).toBe('lab-m3  198.18.0.13  ok         ok        ok         9d!    v1.37.2  4');
		expect(text).toContain('  [warning] lab-m3: /etc/kubernetes/cert/kubernetes.pem expires in 9 days\n      → renew:');
	});
});
