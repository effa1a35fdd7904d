// A stacked etcd (etcd.mode: stacked) as status shows it: what each member answered (read by
// etcd/https-etcd-probe.ts with the tool's etcd client certificate) summed up as
// the snapshot's `etcd`, one line under the table, and the problems with their fixes. Quorum
// is a majority of the profile's masters: without it etcd serves nothing, and neither do the
// apiservers, so that alone is "down"; a member down, an alarm, no leader are "degraded"
// or worse, a database past 80% of its quota a warning (at the quota etcd refuses writes).
// An external etcd is not probed: its `etcd` is null.
import {judgeEtcdCluster, leaderOf, type EtcdClusterView} from '../etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../etcd/https-etcd-probe.js';
import {ETCD_PEER_PORT} from '../etcd/members.js';
import {formatBytes} from '../snapshot/progress-line.js';
import type {EtcdMemberStatus, EtcdStatus, NodeStatus, Problem} from './json-schema.js';

/** A database above this share of etcd.quotaBackendBytes is a warning. */
export const DB_QUOTA_WARNING = 0.8;

/** Pure: the members' answers → the snapshot's `etcd`. `expected`: the profile's masters, in order. */
export function etcdStatus(view: EtcdClusterView, expected: readonly string[], quotaBytes: number): EtcdStatus {
	const leader = leaderOf(view);
	const members = view.statuses.map((s): EtcdMemberStatus => {
		const learner = view.members === undefined ? null : (view.members.find((m) => m.name === s.name)?.isLearner ?? null);
		if (!s.ok) return {name: s.name, healthy: false, detail: s.detail, leader: false, version: null, dbSizeBytes: null, raftIndex: null, raftLag: null, alarms: [], learner};
		return {
			name: s.name,
			healthy: alarmsOf(s.errors).length === 0,
			detail: null,
			leader: s === leader,
			version: s.version ?? null,
			dbSizeBytes: s.dbSizeBytes ?? null,
			raftIndex: s.raftIndex,
			raftLag: leader ? leader.raftIndex - s.raftIndex : null,
			alarms: alarmsOf(s.errors),
			learner,
		};
	});
	return {members, leader: leader?.name ?? null, quotaBytes, problem: judgeEtcdCluster(view, expected) ?? null};
}

/** Each refresh's `etcd`, read through the probe; a probe that throws reads as every member not answering. */
export function etcdReader(probe: Pick<EtcdClusterProbe, 'view'>, expected: readonly string[], quotaBytes: number): () => Promise<EtcdStatus> {
	return () =>
		probe.view().then(
			(view) => etcdStatus(view, expected, quotaBytes),
			(error: unknown) => etcdStatus({statuses: expected.map((name) => ({name, ok: false, detail: error instanceof Error ? error.message : String(error)}))}, expected, quotaBytes),
		);
}

/** How many members must answer for etcd to serve: a majority of the members. */
export function quorumOf(members: number): number {
	return Math.floor(members / 2) + 1;
}

/** The line under the table: members, leader, the largest database against the quota, the largest raft lag, alarms. */
export function etcdLine(etcd: EtcdStatus): string {
	const answering = etcd.members.filter((m) => m.detail === null).length;
	const count = answering === etcd.members.length ? `${etcd.members.length} members` : `${answering} of ${etcd.members.length} members answer`;
	const sizes = etcd.members.flatMap((m) => (m.dbSizeBytes === null ? [] : [m.dbSizeBytes]));
	const db = sizes.length === 0 ? `db size unknown (quota ${formatBytes(etcd.quotaBytes)})` : `db ${formatBytes(Math.max(...sizes))} of ${formatBytes(etcd.quotaBytes)} (largest)`;
	const lags = etcd.members.flatMap((m) => (m.raftLag === null ? [] : [m.raftLag]));
	const lag = lags.length === 0 ? 'raft lag unknown' : `raft lag ≤ ${Math.max(...lags)}`;
	const alarms = alarmsByName(etcd);
	const alarmText = alarms.size === 0 ? 'no alarms' : `alarms: ${[...alarms].map(([alarm, on]) => `${alarm} (${on.join(', ')})`).join(', ')}`;
	return `etcd: ${count}, ${etcd.leader === null ? 'no leader' : `${etcd.leader} leads`}; ${db}; ${lag}; ${alarmText}`;
}

/** What is wrong, worst first within etcd; `nodes` give each member's address for the hints. */
export function etcdProblems(etcd: EtcdStatus | null | undefined, nodes: readonly NodeStatus[]): Problem[] {
	if (!etcd) return [];
	const ip = (name: string) => nodes.find((n) => n.name === name)?.ip ?? name;
	const journal = (name: string) => `look at \`journalctl -u etcd -n 50\` on ${ip(name)}`;
	const problem = (severity: Problem['severity'], node: string | null, message: string, hint: string): Problem => ({severity, node, component: 'etcd', message, hint});
	const down = etcd.members.filter((m) => m.detail !== null);
	const needed = quorumOf(etcd.members.length);
	const answering = etcd.members.length - down.length;
	const out: Problem[] = [];
	if (answering < needed) {
		out.push(
			problem(
				'down',
				null,
				`etcd has lost quorum: ${answering} of ${etcd.members.length} members answer (${needed} needed), so it serves neither reads nor writes (${down.map((m) => `${m.name}: ${m.detail}`).join('; ')})`,
				`bring the members back: ${down.map((m) => journal(m.name)).join('; ')}`,
			),
		);
	} else {
		const margin = answering > needed ? '' : ', one more lost stops the cluster';
		for (const m of down) out.push(problem('degraded', m.name, `${m.name}: etcd does not answer (${m.detail}); ${answering} of ${etcd.members.length} members answer${margin}`, journal(m.name)));
	}
	for (const [alarm, on] of alarmsByName(etcd)) out.push(problem('failed', on.length === 1 ? on[0]! : null, `etcd alarm ${alarm} (reported by ${on.join(', ')}): ${ALARM_MEANING[alarm] ?? 'see `etcdctl alarm list`'}`, ALARM_FIX[alarm] ?? 'look at `etcdctl alarm list` and the members\' journals (`journalctl -u etcd -n 50`)'));
	if (etcd.leader === null && answering >= needed) {
		out.push(problem('degraded', null, `etcd has no leader${etcd.problem?.includes('different leaders') ? ` (${etcd.problem})` : ''}: writes wait until one is elected`, `if it lasts, the members do not reach each other on ${ETCD_PEER_PORT}: ${journal(etcd.members[0]?.name ?? '')}`));
	}
	const sized = etcd.members.flatMap((m) => (m.dbSizeBytes === null ? [] : [{name: m.name, bytes: m.dbSizeBytes}]));
	const largest = sized.reduce<(typeof sized)[number] | undefined>((max, m) => (max === undefined || m.bytes > max.bytes ? m : max), undefined);
	if (largest && largest.bytes > DB_QUOTA_WARNING * etcd.quotaBytes) {
		out.push(
			problem(
				'warning',
				largest.name,
				`etcd: the database of ${largest.name} is ${formatBytes(largest.bytes)}, ${Math.round((largest.bytes / etcd.quotaBytes) * 100)}% of the quota (${formatBytes(etcd.quotaBytes)}): at the quota etcd raises NOSPACE and refuses writes`,
				'compact and defragment (`etcdctl compact`, then `etcdctl defrag` one member at a time), or raise etcd.quotaBackendBytes (at most 8 GiB) and apply',
			),
		);
	}
	// The gate's other findings (the member list, learners, members never started), when nothing above said it already.
	if (out.length === 0 && etcd.problem !== null) out.push(problem('degraded', null, `etcd: ${etcd.problem}`, '`k8s-master-setup apply` brings the member list back to the profile\'s masters'));
	return out;
}

const ALARM_MEANING: Record<string, string> = {
	NOSPACE: 'the database reached the quota, etcd refuses writes (the apiservers cannot change anything)',
	CORRUPT: "a member's data differs from the others'",
};

const ALARM_FIX: Record<string, string> = {
	NOSPACE: 'compact and defragment (`etcdctl compact`, `etcdctl defrag`), then `etcdctl alarm disarm`; or raise etcd.quotaBackendBytes (at most 8 GiB) and apply',
	CORRUPT: 'find the member whose hash differs (`etcdctl endpoint hashkv --cluster`), remove it and add it back empty; keep a snapshot first (`k8s-master-setup snapshot`)',
};

/**
 * The alarms in a member's `errors`: etcd lists each as its AlarmMember ("memberID:… alarm:NOSPACE"),
 * after "etcdserver: no leader" when it has none (the leader field says that already).
 */
export function alarmsOf(errors: readonly string[]): string[] {
	return errors.filter((e) => !/no leader/.test(e)).map((e) => /alarm:\s*(\w+)/.exec(e)?.[1] ?? e.trim());
}

/** Each alarm with the members reporting it. */
function alarmsByName(etcd: EtcdStatus): Map<string, string[]> {
	const byName = new Map<string, string[]>();
	for (const m of etcd.members) for (const alarm of m.alarms) byName.set(alarm, [...(byName.get(alarm) ?? []), m.name]);
	return byName;
}
