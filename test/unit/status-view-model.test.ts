import {describe, expect, it} from 'vitest';
import {StatusReportSchema} from '../../source/status/json-schema.js';
import {buildReport, buildViewModel} from '../../source/status/view-model.js';
import {healthySnapshot, NOW, refused, unit, withNode} from './status-fixtures.js';

const cell = (view: ReturnType<typeof buildViewModel>, node: string, component: string) =>
	view.rows.find((r) => r.node === node)!.cells.find((c) => c.component === component)!;

describe('status view model', () => {
	it('all healthy: exit 0, no banner, leader marks on the Lease holders', () => {
		const view = buildViewModel(healthySnapshot());
		expect(view.status).toBe('healthy');
		expect(view.exitCode).toBe(0);
		expect(view.banner).toBeNull();
		expect(view.rows.flatMap((r) => r.cells.map((c) => c.state))).toEqual(Array(9).fill('ok'));
		expect(cell(view, 'lab-m1', 'controllerManager').leader).toBe(true);
		expect(cell(view, 'lab-m2', 'scheduler').leader).toBe(true);
		expect(view.rows.flatMap((r) => r.cells.filter((c) => c.leader))).toHaveLength(2);
		expect(view.rows[0]!.certDaysLeft).toBe(300);
		expect(view.rows[0]!.certState).toBe('ok');
	});

	it('one scheduler failed: degraded, exit 1, banner names unit, state and where to look', () => {
		const snap = withNode(healthySnapshot(), 'lab-m2', (n) => {
			n.units['kube-scheduler'] = unit('kube-scheduler', {activeState: 'failed', subState: 'failed', result: 'exit-code', nRestarts: 3});
			n.scheduler.healthz = refused();
		});
		const view = buildViewModel(snap);
		expect(view.status).toBe('degraded');
		expect(view.exitCode).toBe(3);
		expect(cell(view, 'lab-m2', 'scheduler').state).toBe('failed');
		expect(cell(view, 'lab-m1', 'scheduler').state).toBe('ok');
		expect(view.banner?.message).toBe('lab-m2: kube-scheduler failed (ActiveState=failed, Result=exit-code, NRestarts=3)');
		expect(view.banner?.hint).toBe('look at `journalctl -u kube-scheduler -n 50` on 198.18.0.12');
		expect(view.banner?.more).toBe(0);
	});

	it('no apiserver ready: down, exit 2', () => {
		let snap = healthySnapshot();
		for (const name of ['lab-m1', 'lab-m2', 'lab-m3']) {
			snap = withNode(snap, name, (n) => {
				n.apiserver.readyz = {state: 'failed', httpStatus: 500, detail: 'failing: etcd', durationMs: 3};
				n.apiserver.failingChecks = [{name: 'etcd', reason: 'reason withheld'}];
			});
		}
		const view = buildViewModel(snap);
		expect(view.status).toBe('down');
		expect(view.exitCode).toBe(1);
		expect(view.banner?.severity).toBe('down');
		expect(view.banner?.message).toMatch(/no kube-apiserver is ready/);
		expect(view.banner?.hint).toMatch(/etcd/);
		expect(cell(view, 'lab-m3', 'apiserver').state).toBe('degraded');
	});

	it('an expired Lease counts as no holder: down, no leader mark', () => {
		const snap = healthySnapshot();
		snap.leases.scheduler = {...snap.leases.scheduler, state: 'expired', expired: true, renewTime: new Date(NOW - 60_000).toISOString()};
		const view = buildViewModel(snap);
		expect(view.exitCode).toBe(1);
		expect(view.banner?.message).toMatch(/^no kube-scheduler leads: the Lease held by lab-m2_.* expired/);
		expect(cell(view, 'lab-m2', 'scheduler').leader).toBe(false);
		expect(view.leases.scheduler).toBeNull();
	});

	it('a Lease without a holder: down', () => {
		const snap = healthySnapshot();
		snap.leases.controllerManager = {...snap.leases.controllerManager, state: 'absent', holderIdentity: null, holderNode: null};
		const view = buildViewModel(snap);
		expect(view.status).toBe('down');
		expect(view.banner?.message).toMatch(/^no kube-controller-manager Lease holder/);
	});

	it('a Lease that could not be read while an apiserver is ready: degraded, not down', () => {
		const snap = healthySnapshot();
		snap.leases.scheduler = {...snap.leases.scheduler, state: 'unknown', holderIdentity: null, holderNode: null, detail: 'HTTP 403'};
		const view = buildViewModel(snap);
		expect(view.exitCode).toBe(3);
		expect(view.problems[0]!.component).toBe('lease');
	});

	it('an unreachable node: its cells unreachable, the others keep their state, exit 1', () => {
		const snap = withNode(healthySnapshot(), 'lab-m3', (n) => {
			n.reachable = false;
			n.ssh = {state: 'unreachable', detail: 'connect ETIMEDOUT 198.18.0.13:22', durationMs: 0};
			n.units = {'kube-apiserver': null, 'kube-controller-manager': null, 'kube-scheduler': null};
			n.apiserver = {livez: refused(), readyz: {...refused(), state: 'timeout'}, failingChecks: [], version: null};
			n.controllerManager.healthz = refused();
			n.scheduler.healthz = refused();
			n.certificates = [];
		});
		const view = buildViewModel(snap);
		const row = view.rows.find((r) => r.node === 'lab-m3')!;
		expect(row.unreachable).toBe(true);
		expect(row.cells.map((c) => c.state)).toEqual(['unreachable', 'unreachable', 'unreachable']);
		expect(row.certState).toBe('unknown');
		expect(view.rows[0]!.cells.every((c) => c.state === 'ok')).toBe(true);
		expect(view.exitCode).toBe(3);
		expect(view.problems).toHaveLength(1);
		expect(view.banner?.message).toMatch(/^lab-m3: unreachable \(SSH: connect ETIMEDOUT/);
	});

	it('SSH lost but the services answer: cells ok from HTTPS, an SSH problem (degraded)', () => {
		const snap = withNode(healthySnapshot(), 'lab-m2', (n) => {
			n.reachable = false;
			n.ssh = {state: 'timeout', detail: 'no answer over SSH within 3000 ms', durationMs: 3000};
			n.units = {'kube-apiserver': null, 'kube-controller-manager': null, 'kube-scheduler': null};
		});
		const view = buildViewModel(snap);
		expect(view.rows[1]!.cells.map((c) => c.state)).toEqual(['ok', 'ok', 'ok']);
		expect(view.exitCode).toBe(3);
		expect(view.banner?.message).toMatch(/^lab-m2: SSH timeout/);
	});

	it('a certificate expiring in 10 days: warning in the row and exit 1; expired: failed', () => {
		const soon = withNode(healthySnapshot(), 'lab-m1', (n) => {
			n.certificates[0] = {...n.certificates[0]!, daysLeft: 10};
		});
		const view = buildViewModel(soon);
		expect(view.rows[0]!.certDaysLeft).toBe(10);
		expect(view.rows[0]!.certState).toBe('warning');
		expect(view.rows[1]!.certState).toBe('ok');
		expect(view.exitCode).toBe(3);
		expect(view.banner).toMatchObject({severity: 'warning', message: 'lab-m1: /etc/kubernetes/cert/kubernetes.pem expires in 10 days'});
		expect(view.banner?.hint).toMatch(/re-issue .* kept CA/);
		// The threshold is configurable: at 7 days' warning, 10 days left is fine.
		expect(buildViewModel(soon, {certWarningDays: 7}).exitCode).toBe(0);
		const expired = withNode(healthySnapshot(), 'lab-m1', (n) => {
			n.certificates[2] = {...n.certificates[2]!, daysLeft: -2};
		});
		const ev = buildViewModel(expired);
		expect(ev.rows[0]!.certState).toBe('expired');
		expect(ev.banner?.severity).toBe('failed');
		expect(ev.banner?.message).toMatch(/expired 2 days ago/);
	});

	it('readyz failing the etcd check: apiserver degraded, etcd named, etcd hint', () => {
		const snap = withNode(healthySnapshot(), 'lab-m1', (n) => {
			n.apiserver.readyz = {state: 'failed', httpStatus: 500, detail: 'failing: etcd', durationMs: 3};
			n.apiserver.failingChecks = [{name: 'etcd', reason: 'reason withheld'}];
		});
		const view = buildViewModel(snap);
		const c = cell(view, 'lab-m1', 'apiserver');
		expect(c.state).toBe('degraded');
		expect(c.reason).toBe('not ready: failing etcd (reason withheld)');
		// Which members to check: those its --etcd-servers names (its own, on a node that hosts one).
		expect(c.hint).toMatch(/--etcd-servers \(the node's own member, when it hosts one\) answer from 198\.18\.0\.11/);
		expect(view.exitCode).toBe(3);
		expect(view.banner?.hint).toMatch(/etcdctl endpoint health/);
	});

	it('mixed: problems come worst first, each once', () => {
		let snap = withNode(healthySnapshot(), 'lab-m1', (n) => {
			n.certificates[0] = {...n.certificates[0]!, daysLeft: 12};
			n.apiserver.readyz = {state: 'failed', httpStatus: 500, detail: 'failing: etcd', durationMs: 3};
			n.apiserver.failingChecks = [{name: 'etcd', reason: null}];
		});
		snap = withNode(snap, 'lab-m3', (n) => {
			n.units['kube-controller-manager'] = unit('kube-controller-manager', {activeState: 'activating', subState: 'auto-restart', nRestarts: 7});
			n.controllerManager.healthz = refused();
		});
		const view = buildViewModel(snap);
		expect(view.exitCode).toBe(3);
		expect(view.problems.map((p) => [p.severity, p.node, p.component])).toEqual([
			['failed', 'lab-m3', 'controllerManager'],
			['degraded', 'lab-m1', 'apiserver'],
			['warning', 'lab-m1', 'certificates'],
		]);
		expect(view.banner?.message).toBe('lab-m3: kube-controller-manager is crash-looping (SubState=auto-restart, NRestarts=7)');
		expect(view.banner?.more).toBe(2);
	});

	it('stopped unit, missing unit, recent restarts, untrusted serving certificate, HTTP timeout', () => {
		const at = (mutate: Parameters<typeof withNode>[2]) => buildViewModel(withNode(healthySnapshot(), 'lab-m2', mutate));
		expect(cell(at((n) => (n.units['kube-scheduler'] = unit('kube-scheduler', {activeState: 'inactive', subState: 'dead'}))), 'lab-m2', 'scheduler')).toMatchObject({
			state: 'failed',
			reason: 'stopped (ActiveState=inactive, SubState=dead)',
		});
		expect(cell(at((n) => (n.units['kube-apiserver'] = unit('kube-apiserver', {loadState: 'not-found', activeState: 'inactive'}))), 'lab-m2', 'apiserver').state).toBe('failed');
		const recent = cell(
			at((n) => (n.units['kube-scheduler'] = unit('kube-scheduler', {nRestarts: 2, since: new Date(NOW - 60_000).toISOString()}))),
			'lab-m2',
			'scheduler',
		);
		expect(recent.state).toBe('degraded');
		expect(recent.reason).toMatch(/restarted recently \(NRestarts=2/);
		// Restarts long ago are history, not a problem.
		expect(cell(at((n) => (n.units['kube-scheduler'] = unit('kube-scheduler', {nRestarts: 2}))), 'lab-m2', 'scheduler').state).toBe('ok');
		const untrusted = cell(
			at((n) => (n.controllerManager.healthz = {state: 'untrusted', httpStatus: null, detail: 'DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate', durationMs: 2})),
			'lab-m2',
			'controllerManager',
		);
		expect(untrusted.state).toBe('degraded');
		expect(untrusted.reason).toMatch(/:10257 serves a certificate the cluster CA does not verify/);
		expect(cell(at((n) => (n.scheduler.healthz = {state: 'timeout', httpStatus: null, detail: null, durationMs: 3000})), 'lab-m2', 'scheduler')).toMatchObject({
			state: 'failed',
			reason: ':10259/healthz timed out',
		});
	});

	it('a Lease held by a host outside the profile: a warning, no leader mark', () => {
		const snap = healthySnapshot();
		snap.leases.scheduler = {...snap.leases.scheduler, holderIdentity: 'elsewhere_1234', holderNode: null};
		const view = buildViewModel(snap);
		expect(view.exitCode).toBe(3);
		expect(view.banner?.severity).toBe('warning');
		expect(view.rows.some((r) => r.cells.some((c) => c.component === 'scheduler' && c.leader))).toBe(false);
	});

	it('the --json report validates against the schema, and a broken one does not', () => {
		const report = buildReport(withNode(healthySnapshot(), 'lab-m2', (n) => (n.scheduler.healthz = refused())));
		expect(StatusReportSchema.safeParse(report).success).toBe(true);
		expect(report.health).toMatchObject({status: 'degraded', exitCode: 3, certWarningDays: 30});
		expect(JSON.parse(JSON.stringify(report))).toEqual(report);
		const broken = structuredClone(report) as unknown as {health: {exitCode: number}; nodes: Array<{ssh: {state: string}}>};
		broken.health.exitCode = 2;
		expect(StatusReportSchema.safeParse(broken).success).toBe(false);
		const broken2 = structuredClone(report) as unknown as {nodes: Array<{ssh: {state: string}}>};
		broken2.nodes[0]!.ssh.state = 'fine';
		expect(StatusReportSchema.safeParse(broken2).success).toBe(false);
	});
});
