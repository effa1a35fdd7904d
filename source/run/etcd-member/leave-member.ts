// A stacked member leaving its cluster (its master removed, or a member this run added and
// then rolled back): etcd's runtime reconfiguration in the documented order. Leadership is
// moved off it first (no election while it goes), `member remove` is sent through another
// member, and only then is it stopped and its data dir wiped: a removed member's data must
// never start again (it would try to rejoin a cluster that dropped it). Refused when the
// cluster without it would not keep a quorum of serving members.
import {judgeEtcdCluster, leaderOf, type EtcdClusterView, type ListedMember, type MemberStatus} from '../../etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../../etcd/https-etcd-probe.js';
import type {EtcdMember} from '../../etcd/members.js';
import {sleep} from '../services.js';
import {StepError} from '../step-error.js';

export interface LeaveHow {
	say(line: string): void;
	/** Stops (and disables) the member's unit on its node. */
	stop(): Promise<void>;
	/** Removes its data dir (and certificates) on its node. */
	wipe(): Promise<void>;
	/** The members that stay: the cluster is whole again once they serve without it. */
	remaining: readonly string[];
	timeoutMs?: number;
	pollMs?: number;
}

const LOST_QUORUM = 'the cluster has lost its quorum';

/** What to do about a quorumAfterRemoval problem; `then`: how to go on once it is done. */
export function quorumHint(problem: string, then: string): string {
	return problem.startsWith(LOST_QUORUM)
		? `bring the members that are down back (status; journalctl -u etcd on them), then ${then}; masters lost for good: take them out of the profile, etcd restore --snapshot FILE onto the masters left, then apply --remove-nodes --forget-unreachable forgets each lost one`
		: `bring the other members back first (status; journalctl -u etcd on them), then ${then}`;
}

/**
 * Why removing `listed` would cost the cluster its quorum, or undefined (pure). The removal
 * itself is committed by the cluster as it is (a quorum of today's voters, `listed` counted
 * when it serves), and the cluster after it must keep a quorum of its own.
 */
export function quorumAfterRemoval(view: EtcdClusterView, listed: ListedMember): string | undefined {
	if (listed.isLearner || listed.name === '') return undefined;
	const serves = (m: ListedMember) => view.statuses.some((s) => s.name === m.name && s.ok);
	const today = (view.members ?? []).filter((m) => !m.isLearner && m.name !== '');
	const servingToday = today.filter(serves);
	const quorumToday = Math.floor(today.length / 2) + 1;
	if (servingToday.length < quorumToday) {
		const down = today.filter((m) => !serves(m)).map((m) => m.name);
		return `${LOST_QUORUM}: ${servingToday.length} of its ${today.length} voting members serve (${down.join(', ')} down), and a member change needs ${quorumToday}`;
	}
	const voters = today.filter((m) => m.id !== listed.id);
	const serving = voters.filter(serves);
	const quorum = Math.floor(voters.length / 2) + 1;
	if (voters.length === 0) return `${listed.name} is the cluster's only voting member`;
	if (serving.length < quorum) {
		const down = voters.filter((m) => !serving.includes(m)).map((m) => m.name);
		return `without ${listed.name} the cluster has ${voters.length} voting members and needs ${quorum} serving, but only ${serving.length} serve (${down.join(', ')} down)`;
	}
	return undefined;
}

export async function leaveCluster(probe: EtcdClusterProbe, member: EtcdMember, how: LeaveHow): Promise<void> {
	const view = await probe.view();
	const listed = (view.members ?? []).find((m) => m.name === member.name || m.peerUrls.includes(member.peerUrl));
	if (listed) {
		const problem = quorumAfterRemoval(view, listed);
		if (problem) throw new StepError(`the etcd member ${member.name} was not removed: ${problem}`, `${quorumHint(problem, 'run again')}; nothing was changed`);
		const leader = leaderOf(view);
		if (leader?.name === member.name) await moveLeadership(probe, view, member.name, how);
		const through = view.statuses.find((s): s is Extract<MemberStatus, {ok: true}> => s.ok && s.name !== member.name && how.remaining.includes(s.name));
		if (!through) throw new StepError(`the etcd member ${member.name} was not removed: no other member answers`, 'bring the other members back first, then run again');
		await probe.removeMember(through.name, listed.id).catch((e: Error) => {
			throw new StepError(`removing the etcd member ${member.name} through ${through.name} failed: ${e.message}`, 'run again: the removal is looked up in the member list first, never sent twice');
		});
		how.say(`removed ${member.name} from etcd's member list through ${through.name}`);
	} else {
		how.say(`${member.name} is not in etcd's member list (removed already)`);
	}
	await how.stop();
	await how.wipe();
	await waitWhole(probe, how);
}

async function moveLeadership(probe: EtcdClusterProbe, view: EtcdClusterView, name: string, how: LeaveHow): Promise<void> {
	const target = view.statuses.find((s): s is Extract<MemberStatus, {ok: true}> => s.ok && s.name !== name && how.remaining.includes(s.name));
	if (!target) return;
	await probe.moveLeader(name, target.memberId).catch((e: Error) => {
		throw new StepError(`moving etcd leadership off ${name} to ${target.name} failed: ${e.message}`, 'nothing was removed; run again');
	});
	const started = Date.now();
	for (;;) {
		const now = leaderOf(await probe.view().catch((): EtcdClusterView => ({statuses: []})));
		if (now && now.name !== name) {
			how.say(`moved etcd leadership from ${name} to ${now.name} before its removal`);
			return;
		}
		if (Date.now() - started > 15_000) throw new StepError(`etcd leadership did not leave ${name} within 15 s of the move to ${target.name}`, 'nothing was removed; run again');
		await sleep(how.pollMs ?? 250);
	}
}

async function waitWhole(probe: EtcdClusterProbe, how: LeaveHow): Promise<void> {
	const started = Date.now();
	const timeoutMs = how.timeoutMs ?? 60_000;
	let last = 'not read yet';
	for (;;) {
		const view = await probe.view().catch((): EtcdClusterView => ({statuses: []}));
		const problem = judgeEtcdCluster({...view, statuses: view.statuses.filter((s) => how.remaining.includes(s.name))}, how.remaining);
		if (problem === undefined) {
			how.say(`etcd: ${how.remaining.length} members healthy without it (${((Date.now() - started) / 1000).toFixed(1)} s)`);
			return;
		}
		last = problem;
		if (Date.now() - started >= timeoutMs) throw new StepError(`the etcd cluster is not whole without the removed member after ${Math.round(timeoutMs / 1000)} s: ${last}`, 'check the remaining members (status; journalctl -u etcd)');
		await sleep(how.pollMs ?? 250);
	}
}
