// A master added to a cluster with a stacked etcd: its member joins the running cluster the
// way etcd documents as safe (runtime reconfiguration, "learner"): added as a learner first
// (a learner does not vote, so a member that never starts costs no quorum), started with
// `--initial-cluster-state existing` and the member list right after the add (its unit,
// member-bootstrap.ts), promoted once it caught up with the leader, and only then does its
// master's apiserver start against it. A re-run finds what an earlier run left: the member
// already added (started or not) is completed, never added twice; a replaced machine's old
// member (same name, another address) is removed before the new one joins.
import {etcdMember, type EtcdMember} from '../../etcd/members.js';
import {judgeEtcdCluster, leaderOf, type EtcdClusterView, type ListedMember} from '../../etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../../etcd/https-etcd-probe.js';
import type {NodeRun} from '../node-run.js';
import type {RunnerOptions} from '../run-options.js';
import {sleep} from '../services.js';
import {StepError} from '../step-error.js';

/**
 * Who must serve while `run`'s member changes, and who may be missing: the masters whose
 * member is in the cluster already (founding members, masters installed before) must; a
 * master joining in this run and one leaving after it may be absent, a learner or unstarted.
 */
export function membershipOf(options: Pick<RunnerOptions, 'plan' | 'installed' | 'leavingMasters'>): {expected: string[]; joining: EtcdMember[]} {
	const joins = (n: (typeof options.plan.nodes)[number]) => n.etcdBootstrap === 'existing' && options.installed?.placedIdentity(n.node.name) === undefined;
	const leaving = (options.leavingMasters ?? []).filter((m): m is {name: string; hostname: string | null; ip: string} => typeof m.ip === 'string').map(etcdMember);
	return {
		expected: options.plan.nodes.filter((n) => !joins(n)).map((n) => n.node.name),
		joining: [...options.plan.nodes.filter(joins).map((n) => etcdMember(n.node)), ...leaving],
	};
}

export interface JoinSteps {
	say(line: string): void;
	progress(message: string): void;
	/** Starts the member's unit (placed already): `systemctl restart etcd`. */
	start(): Promise<void>;
	/** Fails at once when the unit exited instead of starting (a bad flag, peers refusing it). */
	checkUnit(): Promise<void>;
	timeoutMs: number;
	pollMs: number;
}

/**
 * The member of `run`'s master into the cluster: added as a learner (unless an earlier run
 * did), started, caught up, promoted. Resolves once it votes; the caller then waits for the
 * whole cluster as for any member change.
 */
export async function joinMember(options: RunnerOptions, run: NodeRun, probe: EtcdClusterProbe, how: JoinSteps): Promise<{added: boolean}> {
	const self = etcdMember(run.plan.node);
	const {expected, joining} = membershipOf(options);
	const others = expected.filter((n) => n !== self.name);
	const view = await probe.view();
	const problem = judgeEtcdCluster(view, others, joining);
	if (problem !== undefined) {
		throw new StepError(
			`the etcd member of ${self.name} was not added: the cluster is not healthy (${problem})`,
			'a member joins only while every member serves: bring the others back (status, journalctl -u etcd on them), then run apply again; nothing was changed in etcd',
		);
	}
	const through = leaderOf(view)?.name ?? others[0]!;
	const members = view.members ?? [];
	const listed = members.find((m) => m.peerUrls.includes(self.peerUrl));
	// A replaced machine: the old member under this name, at another address, goes first (it
	// cannot come back: its machine is gone), then the new one joins in its place.
	const stale = members.find((m) => m.name === self.name && !m.peerUrls.includes(self.peerUrl));
	if (stale) {
		await probe.removeMember(through, stale.id).catch((e: Error) => {
			throw new StepError(`removing the old etcd member ${self.name} (${stale.peerUrls.join(', ')}) failed: ${e.message}`, 'nothing was added; run apply again');
		});
		how.say(`removed the old etcd member ${self.name} (${stale.peerUrls.join(', ')}): the machine at ${self.ip} replaces it`);
	}
	let id = listed?.id;
	if (listed === undefined) {
		id = await probe.addLearner(through, self.peerUrl).catch((e: Error) => {
			throw new StepError(`adding ${self.name} as an etcd learner (${self.peerUrl}) failed: ${e.message}`, 'nothing was started; run apply again');
		});
		how.say(`added ${self.name} to etcd as a learner (${self.peerUrl}) through ${through}`);
	} else if (listed.name !== '' && !listed.isLearner) {
		how.say(`${self.name} is an etcd member already (voting): started again`);
	} else {
		how.say(`${self.name} was added to etcd by an earlier run (${listed.name === '' ? 'never started' : 'a learner'}): completing it`);
	}
	await how.start();
	if (listed?.isLearner === false && listed.name !== '') return {added: false};
	await promoteWhenCaughtUp(probe, self.name, id!, through, how);
	return {added: listed === undefined};
}

/** Waits until the learner serves at the leader's raft index, then promotes it (etcd refuses a learner not in sync). */
async function promoteWhenCaughtUp(probe: EtcdClusterProbe, name: string, id: string, through: string, how: JoinSteps): Promise<void> {
	const started = Date.now();
	let unitCheckedAt = started;
	let last = 'not started yet';
	for (;;) {
		await sleep(how.pollMs);
		const view = await probe.view().catch((): EtcdClusterView => ({statuses: []}));
		const own = memberOf(view, id);
		if (own && !own.isLearner) {
			how.say(`${name} is a voting etcd member`);
			return;
		}
		const leader = leaderOf(view);
		// etcd itself refuses the promotion of a learner that is not in sync with the leader
		// (90 % of its log): once the learner answers, each refusal only means "not yet".
		const answers = view.statuses.some((s) => s.name === name && s.ok);
		const behind = own === undefined ? `${name} is no longer in the member list` : own.name === '' || !answers ? `${name} has not started yet` : leader ? undefined : 'no leader';
		if (behind === undefined) {
			const refused = await probe.promote(leader?.name ?? through, id).then(
				() => undefined,
				(e: Error) => e.message,
			);
			if (refused === undefined) {
				how.say(`promoted ${name} from learner to voting member (${((Date.now() - started) / 1000).toFixed(1)} s after its start)`);
				return;
			}
			last = `promotion refused: ${refused}`;
		} else last = behind;
		if (Date.now() - started >= how.timeoutMs) {
			throw new StepError(
				`the etcd learner ${name} was not promoted within ${Math.round(how.timeoutMs / 1000)} s: ${last}`,
				`it stays a learner (it costs no quorum); read its journal (journalctl -u etcd on ${name}) and run apply again to complete it`,
			);
		}
		if (Date.now() - unitCheckedAt >= 2000) {
			unitCheckedAt = Date.now();
			await how.checkUnit();
		}
		how.progress(`waiting for the etcd learner ${name} to catch up (${Math.round((Date.now() - started) / 1000)}s): ${last}`);
	}
}

function memberOf(view: EtcdClusterView, id: string): ListedMember | undefined {
	return view.members?.find((m) => m.id === id);
}

/**
 * Learners and unstarted members that no master of the profile (or one leaving) stands for:
 * what a run that added a member and then was abandoned left. Neither votes: removing one
 * costs nothing, keeping one blocks the next learner (etcd admits one at a time).
 */
export function strayMembers(view: EtcdClusterView, masters: ReadonlyArray<{name: string; peerUrl: string}>): ListedMember[] {
	return (view.members ?? []).filter((m) => (m.isLearner || m.name === '') && !masters.some((x) => m.peerUrls.includes(x.peerUrl)));
}
