import {describe, expect, it} from 'vitest';
import type {EtcdClusterView, MemberStatus} from '../../source/etcd/cluster-gate.js';
import {alarmsOf, etcdReader, etcdStatus, quorumOf} from '../../source/status/etcd.js';
import {StatusReportSchema, type StatusSnapshot} from '../../source/status/json-schema.js';
import {renderPlainTable} from '../../source/status/plain-table.js';
import {buildReport, buildViewModel} from '../../source/status/view-model.js';
import {healthySnapshot} from './status-fixtures.js';

const NAMES = ['lab-m1', 'lab-m2', 'lab-m3'];
const QUOTA = 8 * 1024 ** 3;
const MiB = 1024 ** 2;

/** lab-m1 (id 101) leads at raft index 900; lab-m3 is 2 behind. */
function up(name: string, overrides: Partial<Extract<MemberStatus, {ok: true}>> = {}): MemberStatus {
	const i = NAMES.indexOf(name) + 1;
	return {name, ok: true, leader: '101', memberId: String(100 + i), raftIndex: name === 'lab-m3' ? 898 : 900, errors: [], version: '3.6.5', dbSizeBytes: (1.5 + i * 0.2) * MiB, ...overrides};
}
const down = (name: string, detail = 'ECONNREFUSED 198.18.0.12:2379'): MemberStatus => ({name, ok: false, detail});

function cluster(statuses: MemberStatus[]): EtcdClusterView {
	return {statuses, ...(statuses.some((s) => s.ok) ? {members: NAMES.map((name, i) => ({id: String(101 + i), name, peerUrls: [`https://198.18.0.${11 + i}:2380`], isLearner: false}))} : {})};
}

function stacked(statuses: MemberStatus[], quotaBytes = QUOTA): StatusSnapshot {
	return {...healthySnapshot(), etcd: etcdStatus(cluster(statuses), NAMES, quotaBytes)};
}

const healthy = () => NAMES.map((n) => up(n));
const plain = (snap: StatusSnapshot) => renderPlainTable(buildViewModel(snap), 200);

describe('status: a stacked etcd', () => {
	it('healthy: the members, who leads, raft lag against the leader; one line; exit 0', () => {
		const snap = stacked(healthy());
		expect(snap.etcd).toMatchObject({leader: 'lab-m1', quotaBytes: QUOTA, problem: null});
		expect(snap.etcd!.members.map((m) => [m.name, m.healthy, m.leader, m.raftLag, m.learner])).toEqual([
			['lab-m1', true, true, 0, false],
			['lab-m2', true, false, 0, false],
			['lab-m3', true, false, 2, false],
		]);
		const view = buildViewModel(snap);
		expect(view.exitCode).toBe(0);
		expect(view.problems).toEqual([]);
		expect(view.etcd).toEqual([{text: 'etcd: 3 members, lab-m1 leads; db 2.1 MiB of 8.00 GiB (largest); raft lag ≤ 2; no alarms', severity: null}]);
		expect(plain(snap)).toContain('\netcd: 3 members, lab-m1 leads; db 2.1 MiB of 8.00 GiB (largest); raft lag ≤ 2; no alarms\n');
	});

	it('one member down, quorum kept: degraded (exit 3), the member named with why and where to look', () => {
		const view = buildViewModel(stacked([up('lab-m1'), down('lab-m2'), up('lab-m3')]));
		expect(view.status).toBe('degraded');
		expect(view.exitCode).toBe(3);
		expect(view.problems).toEqual([
			{
				severity: 'degraded',
				node: 'lab-m2',
				component: 'etcd',
				message: 'lab-m2: etcd does not answer (ECONNREFUSED 198.18.0.12:2379); 2 of 3 members answer, one more lost stops the cluster',
				hint: 'look at `journalctl -u etcd -n 50` on 198.18.0.12',
			},
		]);
		expect(view.etcd?.map((l) => l.text)).toEqual([
			'etcd: 2 of 3 members answer, lab-m1 leads; db 2.1 MiB of 8.00 GiB (largest); raft lag ≤ 2; no alarms',
			'lab-m2: etcd does not answer (ECONNREFUSED 198.18.0.12:2379); 2 of 3 members answer, one more lost stops the cluster',
		]);
		// The plain table: the summary under the nodes, the problem with its fix in the list.
		const text = plain(stacked([up('lab-m1'), down('lab-m2'), up('lab-m3')]));
		expect(text).toContain('etcd: 2 of 3 members answer');
		expect(text).toContain('  [degraded] lab-m2: etcd does not answer');
		expect(text).toContain('      → look at `journalctl -u etcd -n 50` on 198.18.0.12');
	});

	it('quorum lost (1 of 3 answers): down, exit 1, no separate "no leader"', () => {
		const view = buildViewModel(stacked([up('lab-m1', {leader: '0'}), down('lab-m2'), down('lab-m3', 'timed out')]));
		expect(view.status).toBe('down');
		expect(view.exitCode).toBe(1);
		const etcd = view.problems.filter((p) => p.component === 'etcd');
		expect(etcd).toHaveLength(1);
		expect(etcd[0]).toMatchObject({severity: 'down', node: null});
		expect(etcd[0]!.message).toBe('etcd has lost quorum: 1 of 3 members answer (2 needed), so it serves neither reads nor writes (lab-m2: ECONNREFUSED 198.18.0.12:2379; lab-m3: timed out)');
		expect(etcd[0]!.hint).toBe('bring the members back: look at `journalctl -u etcd -n 50` on 198.18.0.12; look at `journalctl -u etcd -n 50` on 198.18.0.13');
		expect(view.etcd![0]!.text).toMatch(/^etcd: 1 of 3 members answer, no leader;/);
		expect(view.banner?.severity).toBe('down');
	});

	it('a NOSPACE alarm (as etcd lists it, "memberID:… alarm:NOSPACE"): failed, exit 3, the fix named', () => {
		const alarm = ['memberID:101 alarm:NOSPACE '];
		const view = buildViewModel(stacked(NAMES.map((n) => up(n, {errors: alarm}))));
		expect(view.exitCode).toBe(3);
		expect(view.problems).toEqual([
			{
				severity: 'failed',
				node: null,
				component: 'etcd',
				message: 'etcd alarm NOSPACE (reported by lab-m1, lab-m2, lab-m3): the database reached the quota, etcd refuses writes (the apiservers cannot change anything)',
				hint: 'compact and defragment (`etcdctl compact`, `etcdctl defrag`), then `etcdctl alarm disarm`; or raise etcd.quotaBackendBytes (at most 8 GiB) and apply',
			},
		]);
		expect(view.etcd![0]!.text).toMatch(/; alarms: NOSPACE \(lab-m1, lab-m2, lab-m3\)$/);
		expect(buildReport(stacked(NAMES.map((n) => up(n, {errors: alarm})))).etcd?.members[0]).toMatchObject({healthy: false, alarms: ['NOSPACE']});
	});

	it('a database above 80% of the quota: a warning (exit 3) saying to compact and defragment or raise the quota; 80% itself is not', () => {
		const quota = 100 * MiB;
		const view = buildViewModel(stacked([up('lab-m1'), up('lab-m2', {dbSizeBytes: 86 * MiB}), up('lab-m3')], quota));
		expect(view.exitCode).toBe(3);
		expect(view.problems).toEqual([
			{
				severity: 'warning',
				node: 'lab-m2',
				component: 'etcd',
				message: 'etcd: the database of lab-m2 is 86.0 MiB, 86% of the quota (100.0 MiB): at the quota etcd raises NOSPACE and refuses writes',
				hint: 'compact and defragment (`etcdctl compact`, then `etcdctl defrag` one member at a time), or raise etcd.quotaBackendBytes (at most 8 GiB) and apply',
			},
		]);
		expect(view.etcd![0]!.text).toContain('db 86.0 MiB of 100.0 MiB (largest)');
		expect(buildViewModel(stacked([up('lab-m1', {dbSizeBytes: 80 * MiB}), up('lab-m2'), up('lab-m3')], quota)).exitCode).toBe(0);
	});

	it('no leader with quorum, a learner: degraded with the gate\'s words', () => {
		const noLeader = buildViewModel(stacked(NAMES.map((n) => up(n, {leader: '0', errors: ['etcdserver: no leader']}))));
		expect(noLeader.exitCode).toBe(3);
		expect(noLeader.problems.map((p) => p.message)).toEqual(['etcd has no leader: writes wait until one is elected']);
		const split = buildViewModel(stacked([up('lab-m1'), up('lab-m2', {leader: '102'}), up('lab-m3')]));
		expect(split.problems[0]!.message).toMatch(/^etcd has no leader \(the members name different leaders \(101, 102\)/);
		const view = cluster(healthy());
		view.members![2]!.isLearner = true;
		const learner = buildViewModel({...healthySnapshot(), etcd: etcdStatus(view, NAMES, QUOTA)});
		expect(learner.problems.map((p) => p.message)).toEqual(['etcd: lab-m3 still a learner']);
	});

	it('external etcd: no etcd line, and null in the report (which the schema accepts); a stacked report validates', () => {
		const external = buildReport(healthySnapshot());
		expect(external.etcd).toBeNull();
		expect(buildViewModel(healthySnapshot()).etcd).toBeNull();
		expect(plain(healthySnapshot())).not.toContain('etcd:');
		expect(StatusReportSchema.safeParse(external).success).toBe(true);
		const report = buildReport(stacked([up('lab-m1'), down('lab-m2'), up('lab-m3', {errors: ['memberID:103 alarm:CORRUPT']})]));
		expect(StatusReportSchema.parse(JSON.parse(JSON.stringify(report))).etcd?.members[1]).toEqual({
			name: 'lab-m2', healthy: false, detail: 'ECONNREFUSED 198.18.0.12:2379', leader: false, version: null, dbSizeBytes: null, raftIndex: null, raftLag: null, alarms: [], learner: false,
		});
	});

	it('the reader: a probe that throws reads as no member answering; quorum is a majority; alarms are read from etcd\'s error strings', async () => {
		const read = etcdReader({view: () => Promise.reject(new Error('socket hang up'))}, NAMES, QUOTA);
		const etcd = await read();
		expect(etcd.members.map((m) => m.detail)).toEqual(['socket hang up', 'socket hang up', 'socket hang up']);
		expect(etcd.leader).toBeNull();
		expect(await etcdReader({view: async () => cluster(healthy())}, NAMES, QUOTA)()).toMatchObject({leader: 'lab-m1', problem: null});
		expect([1, 2, 3, 4, 5].map(quorumOf)).toEqual([1, 2, 2, 3, 3]);
		expect(alarmsOf(['etcdserver: no leader', 'memberID:1 alarm:NOSPACE ', 'CORRUPT'])).toEqual(['NOSPACE', 'CORRUPT']);
	});
});
