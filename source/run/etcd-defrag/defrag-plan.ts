// `etcd defrag`, the pure part: which member goes next (the followers first, the leader last:
// a defragmenting member serves nothing until it is done, and a leader that stops answering
// costs the cluster an election), when the cluster is healthy enough to go on, and what the
// command prints and exits with. A NOSPACE alarm does not count against the gate: a database
// at its quota is what compaction and defragmenting are for, and the alarm stays raised (and
// named at the end) until someone disarms it; any other alarm (CORRUPT) refuses.
import {judgeEtcdCluster, type EtcdClusterView, type MemberStatus} from '../../etcd/cluster-gate.js';
import {EXIT} from '../../exit-codes.js';
import {formatBytes} from '../../snapshot/progress-line.js';

export const NOSPACE = 'NOSPACE';
const NOSPACE_ERROR = /alarm:\s*NOSPACE\b/;

/** One alarm of etcd's alarm list (`/v3/maintenance/alarm`, action GET): the member it was raised for, by id. */
export interface RaisedAlarm {
	memberId: string;
	alarm: string;
}

export interface PlannedMember {
	name: string;
	role: 'follower' | 'leader';
	dbSizeBytes?: number;
	/** The part of the database in use: about what it shrinks to (dry run only). */
	dbSizeInUseBytes?: number;
}

export interface Defragmented {
	name: string;
	beforeBytes?: number;
	afterBytes?: number;
	/** The defragment request alone, not the wait for the cluster after it. */
	tookMs: number;
}

export type DefragOutcome =
	| {result: 'refused'; problem: string}
	| {result: 'planned'; order: PlannedMember[]; nospace: string[]; disarmNospace: boolean}
	| {result: 'done'; done: Defragmented[]; nospace: string[]; disarmed: boolean}
	/** `member`: the one that failed (none when the alarm list failed); `message` names it. */
	| {result: 'failed'; done: Defragmented[]; member?: string; message: string; hint: string; remaining: string[]}
	/** `nospace`: stopped after the last member, before disarming the alarm raised for them. */
	| {result: 'stopped'; done: Defragmented[]; remaining: string[]; nospace?: string[]};

type Up = Extract<MemberStatus, {ok: true}>;

/** The view without NOSPACE among the members' errors (etcd lists each alarm as "memberID:… alarm:NOSPACE"). */
export function withoutNospace(view: EtcdClusterView): EtcdClusterView {
	return {...view, statuses: view.statuses.map((s) => (s.ok ? {...s, errors: s.errors.filter((e) => !NOSPACE_ERROR.test(e))} : s))};
}

/** Undefined when a member may be defragmented now; else what is wrong (cluster-gate.ts, NOSPACE aside). */
export function defragGate(view: EtcdClusterView, expected: readonly string[]): string | undefined {
	return judgeEtcdCluster(withoutNospace(view), expected);
}

/** The members in the order they are defragmented: the followers in the profile's order, then the leader. */
export function defragOrder(view: EtcdClusterView): PlannedMember[] {
	const up = view.statuses.filter((s): s is Up => s.ok);
	const planned = (s: Up, role: PlannedMember['role']): PlannedMember => ({name: s.name, role, ...(s.dbSizeBytes !== undefined ? {dbSizeBytes: s.dbSizeBytes} : {})});
	const followers = up.filter((s) => s.memberId !== s.leader).map((s) => planned(s, 'follower'));
	const leader = up.filter((s) => s.memberId === s.leader).map((s) => planned(s, 'leader'));
	return [...followers, ...leader];
}

/**
 * The next of `remaining` (in the planned order): the first that does not lead now, so a
 * leadership that moved during the run still leaves the member leading now for last.
 */
export function nextMember(view: EtcdClusterView, remaining: readonly string[]): string | undefined {
	const leading = view.statuses.find((s): s is Up => s.ok && s.memberId === s.leader)?.name;
	return remaining.find((name) => name !== leading) ?? remaining[0];
}

export function dbSizeOf(view: EtcdClusterView, name: string): number | undefined {
	const status = view.statuses.find((s) => s.name === name);
	return status?.ok ? status.dbSizeBytes : undefined;
}

/** The members an alarm was raised for, by name (by id when no member has it). */
export function alarmedMembers(alarms: readonly RaisedAlarm[], view: EtcdClusterView, alarm: string): string[] {
	const nameOf = (id: string) => view.statuses.find((s): s is Up => s.ok && s.memberId === id)?.name ?? `member ${id}`;
	return alarms.filter((a) => a.alarm === alarm).map((a) => nameOf(a.memberId));
}

export function formatSize(bytes: number | undefined): string {
	return bytes === undefined ? 'size unknown' : formatBytes(bytes);
}

export function formatSeconds(ms: number): string {
	return `${(ms / 1000).toFixed(1)} s`;
}

/** `lab-m1: defragmented, db 12.3 MiB → 4.1 MiB (1.2 s)` */
export function defragmentedLine(d: Defragmented): string {
	return `${d.name}: defragmented, db ${formatSize(d.beforeBytes)} → ${formatSize(d.afterBytes)} (${formatSeconds(d.tookMs)})`;
}

/** Said once the gate passed, before the first member. */
export function startLine(order: readonly PlannedMember[]): string {
	return `defragmenting one member at a time, the leader last: ${order.map((m) => m.name).join(', ')}`;
}

/** What the command prints at the end, to stdout when it succeeded, and its exit code. */
export function outcomeReport(outcome: DefragOutcome, again: string): {code: number; lines: string[]} {
	switch (outcome.result) {
		case 'refused':
			return {
				code: EXIT.failed,
				lines: [
					`✗ etcd defrag refused: the cluster is not healthy (${outcome.problem})`,
					'  nothing was defragmented: a member is defragmented only while every member serves; check `k8s-master-setup status` and the members\' journals (journalctl -u etcd)',
				],
			};
		case 'planned':
			return {
				code: EXIT.ok,
				lines: [
					'etcd defrag --dry-run: nothing defragmented; the members in the order they would be, one at a time:',
					...outcome.order.map((m, i) => `  ${i + 1}. ${m.name} (${m.role}): db ${formatSize(m.dbSizeBytes)}${m.dbSizeInUseBytes !== undefined ? `, ${formatBytes(m.dbSizeInUseBytes)} in use` : ''}`),
					...nospaceLines(outcome.nospace, outcome.disarmNospace ? 'would be disarmed after the last member' : undefined, again),
				],
			};
		case 'done':
			return {
				code: EXIT.ok,
				lines: [`etcd defrag: all ${outcome.done.length} members defragmented`, ...nospaceLines(outcome.nospace, outcome.disarmed ? 'disarmed (if a database is still above etcd.quotaBackendBytes, etcd raises it again at the next write)' : undefined, again)],
			};
		case 'failed':
			return {code: EXIT.failed, lines: [`✗ ${outcome.message}`, `  ${outcome.hint}`, ...notDone(outcome.remaining, again)]};
		case 'stopped':
			return {code: EXIT.interrupted, lines: [outcome.remaining.length > 0 ? 'stopped before the next member' : 'stopped before disarming the alarm', ...notDone(outcome.remaining, again), ...nospaceLines(outcome.nospace ?? [], undefined, again)]};
	}
}

function nospaceLines(members: readonly string[], disarmed: string | undefined, again: string): string[] {
	if (members.length === 0) return [];
	const raised = `etcd alarm NOSPACE (raised for ${members.join(', ')})`;
	if (disarmed) return [`${raised}: ${disarmed}`];
	return [
		`${raised} is still raised: etcd refuses writes until it is disarmed`,
		`  once every database is below etcd.quotaBackendBytes: \`${again} --disarm-nospace\` (or \`etcdctl alarm disarm\`)`,
	];
}

function notDone(remaining: readonly string[], again: string): string[] {
	return remaining.length === 0 ? [] : [`not defragmented: ${remaining.join(', ')}; run \`${again}\` to go on (a member defragmented already is quick to do again)`];
}
