// A stacked etcd's members are the masters: a master added or removed is an etcd member
// added (as a learner, then promoted: join-member.ts) or removed (leadership moved, `member
// remove`: leave-member.ts). etcd admits one learner at a time, and each change must leave a
// quorum: so one master is added or removed per apply, never both (a replaced machine: the
// old master removed first, then the new one added), and not while a member is unhealthy.
// Refused before anything is written (pure; the cluster's view is read by the caller).
import {UserError} from '../../errors.js';
import type {Profile} from '../../profile/schema.js';
import {judgeEtcdCluster, type EtcdClusterView} from '../../etcd/cluster-gate.js';
import {quorumAfterRemoval, quorumHint} from './leave-member.js';
import {strayMembers} from './join-member.js';
import type {EtcdMember} from '../../etcd/members.js';

export interface MembershipChange {
	added: string[];
	removed: string[];
	/** The installed masters (the cluster's members before this run). */
	had: string[];
}

export function membershipChangeOf(profile: Pick<Profile, 'nodes'>, installed: ReadonlyArray<{name: string}>): MembershipChange {
	const wanted = new Set(profile.nodes.map((n) => n.name));
	const had = installed.map((n) => n.name);
	return {added: [...wanted].filter((n) => !had.includes(n)), removed: had.filter((n) => !wanted.has(n)), had};
}

export function stackedMembershipRefusal(profile: Pick<Profile, 'etcd' | 'nodes'>, installed: ReadonlyArray<{name: string}>): UserError | undefined {
	if (profile.etcd.mode !== 'stacked' || installed.length === 0) return undefined;
	const {added, removed, had} = membershipChangeOf(profile, installed);
	if (added.length > 0 && removed.length > 0) {
		return new UserError(
			`the profile adds ${added.join(', ')} and removes ${removed.join(', ')} at once: with etcd.mode: stacked each master is an etcd member, and a member is added or removed one change at a time (each one keeps the quorum)`,
			`first apply without ${added.join(', ')} (it removes ${removed.join(', ')}), then add ${added.join(', ')} and apply again; a replaced machine goes the same way; nothing was changed`,
		);
	}
	if (added.length > 1) {
		return new UserError(
			`the profile adds ${added.join(', ')} at once: with etcd.mode: stacked each joins as an etcd learner, and etcd admits one learner at a time`,
			`add ${added[0]} first (the installed masters are ${had.join(', ')}), apply, then the next; nothing was changed`,
		);
	}
	return undefined;
}

/**
 * With the cluster's view read: an add needs every installed member serving (a learner that
 * is promoted while one is down can cost the quorum); a removal needs the members left to
 * keep a quorum of serving ones. Undefined when the change may go.
 */
export function judgeMemberChange(view: EtcdClusterView, change: MembershipChange, masters: readonly EtcdMember[] = []): UserError | undefined {
	if (change.added.length === 0 && change.removed.length === 0) return undefined;
	if (change.added.length > 0) {
		// What an earlier run left (the added master's member added, not promoted) is completed by
		// this one; a learner no master stands for is removed by it (join-member.ts strayMembers).
		const stray = new Set(strayMembers(view, masters).map((m) => m.id));
		const members = view.members?.filter((m) => !stray.has(m.id));
		const joining = masters.filter((m) => change.added.includes(m.name));
		const problem = judgeEtcdCluster({statuses: view.statuses.filter((s) => change.had.includes(s.name)), ...(members ? {members} : {})}, change.had, joining);
		if (problem) return new UserError(`${change.added.join(', ')} is not added: the etcd cluster is not healthy (${problem})`, 'a member joins only while every member serves: bring them back (status; journalctl -u etcd on them), then apply again; nothing was changed');
		return undefined;
	}
	const gone = change.removed[0]!;
	const listed = view.members?.find((m) => m.name === gone);
	if (view.members === undefined) return new UserError(`${gone} is not removed: no etcd member answered`, 'bring the members back (status), then apply again; nothing was changed');
	const problem = listed ? quorumAfterRemoval(view, listed) : undefined;
	if (problem) return new UserError(`${gone} is not removed: ${problem}`, `${quorumHint(problem, 'apply again')}; nothing was changed`);
	return undefined;
}

/**
 * A cluster keeps the etcd it was installed with: the state directory holds an etcd CA only
 * when it deployed a stacked etcd. Switching an installed cluster's etcd.mode would start
 * empty members under its apiservers (external → stacked) or leave the tool's members running
 * unmanaged (stacked → external): refused before anything is written (pure).
 */
export function etcdModeSwitchRefusal(profile: Pick<Profile, 'etcd'>, installed: ReadonlyArray<{name: string}>, stateHasEtcdCa: boolean): UserError | undefined {
	if (installed.length === 0) return undefined;
	const stacked = profile.etcd.mode === 'stacked';
	if (stacked === stateHasEtcdCa) return undefined;
	return stacked
		? new UserError(
				'etcd.mode is stacked, but this state directory installed the masters against an external etcd (etcd.endpoints): switching an installed cluster to a stacked etcd is not built (its data would have to move into the new members)',
				'keep etcd.mode: external with its endpoints; nothing was changed',
			)
		: new UserError(
				"etcd.mode is external, but this state directory deployed a stacked etcd on the masters (its CA is in the state directory's etcd/): switching it to an external etcd is not built (the tool's members would keep running, unmanaged)",
				'keep etcd.mode: stacked; nothing was changed',
			);
}
