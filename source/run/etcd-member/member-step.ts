// The `etcd` step of a stacked etcd's master (etcd.mode: stacked): the member's unit, then a
// (re)start when its inputs changed, it is not running, or its last start did not finish
// with these inputs (the marker, as for the services: a run killed between placing and
// starting still restarts it). It ends once the whole cluster is as the profile says
// (cluster-gate.ts): on a first install every member waits for its peers (a member of a new
// cluster serves only with a quorum), so the apiservers start against a cluster that serves.
// In a rolling change a running member goes down only while every member is healthy, one
// node at a time: the cluster never loses more than one member to the change.
import type {NodePlan} from '../../plan/types.js';
import {inputDigest, restartReason} from '../changes.js';
import {need, type NodeRun, type Outcome} from '../node-run.js';
import {ensureDirectories, uploadFiles} from '../place-files.js';
import type {RunnerOptions} from '../run-options.js';
import {sleep} from '../services.js';
import {StepError} from '../step-error.js';
import {describeEtcdCluster, judgeCaughtUp, judgeEtcdCluster, leaderOf, type EtcdClusterView, type MemberStatus} from '../../etcd/cluster-gate.js';
import type {EtcdClusterProbe} from '../../etcd/https-etcd-probe.js';
import {etcdMember, type EtcdMember} from '../../etcd/members.js';
import {joinMember, membershipOf, strayMembers} from './join-member.js';

/** The digest of the member's inputs (every file marked `member`), recorded once it started with them. */
export function memberInputDigest(plan: NodePlan): string {
	return inputDigest(plan.files.filter((f) => f.member));
}

/** Why the member must (re)start, or undefined (pure, from the state read before any change): the services' rule (changes.ts). */
export function memberRestartReason(run: Pick<NodeRun, 'plan' | 'remote'>): string | undefined {
	const remote = run.remote;
	if (!remote) return 'state not read';
	return restartReason(run.plan.files.filter((f) => f.member), remote.hashes, {active: remote.etcd?.active === true, applied: remote.etcd?.applied});
}

export interface MemberHow {
	/** First start: resolves once the member's binary and certificates are on the node. */
	inputsPlaced?: () => Promise<void>;
	probe: EtcdClusterProbe;
}

export async function startMember(options: RunnerOptions, run: NodeRun, how: MemberHow): Promise<Outcome> {
	const node = run.plan.node;
	const written = await uploadFiles(options, run, 'etcd', need(run.changes).files.get('etcd') ?? []);
	await how.inputsPlaced?.();
	const reason = memberRestartReason(run);
	const session = need(run.session);
	if (reason === undefined) {
		if (!run.remote?.etcd?.enabled) await session.enable('etcd');
		return {changed: written};
	}
	const {expected, joining} = membershipOf(options);
	const say = (line: string) => options.emit({type: 'log', at: Date.now(), node: node.name, step: 'etcd', line});
	const progress = (message: string) => options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'etcd', message});
	// Strays come from adds to a running cluster; a founding member's first start has none to
	// drop, and asking would cost seconds: a peer already started but without a quorum holds
	// the member-list request until it times out (seen on the lab: 6 s before the start).
	const founding = run.plan.etcdBootstrap === 'new' && !run.remote?.etcd?.active;
	if (!founding) await dropStrays(options, how.probe, say);
	// A master added to a running cluster: its member joins as a learner first (join-member.ts).
	if (run.plan.etcdBootstrap === 'existing' && !run.remote?.etcd?.active && joining.some((j) => j.name === node.name)) {
		await ensureDirectories(run);
		run.memberJoined = true;
		const joined = await joinMember(options, run, how.probe, {
			say,
			progress,
			start: () => session.restart('etcd'),
			checkUnit: () => failIfExited(run),
			timeoutMs: options.healthTimeoutMs ?? 180_000,
			pollMs: Math.max(options.healthPollMs ?? 250, 250),
		});
		const others = joining.filter((j) => j.name !== node.name);
		say(describeEtcdCluster(await waitForCluster(options, run, how.probe, [...expected, node.name], others, progress)));
		await session.markApplied('etcd', memberInputDigest(run.plan));
		return {changed: [...written, joined.added ? 'added the etcd member' : 'restarted etcd']};
	}
	// A running member goes down only while the others can keep the quorum without it, and
	// not as the leader: leadership is moved off it first (no election while it is down).
	if (run.remote?.etcd?.active) {
		const view = await how.probe.view();
		const problem = judgeEtcdCluster(view, expected, joining);
		if (problem !== undefined) {
			throw new StepError(`etcd on ${node.name} was not restarted: the cluster is not healthy (${problem})`, 'a member goes down only while every member serves; check `k8s-master-setup status` and the members\' journals (journalctl -u etcd)');
		}
		if (leaderOf(view)?.name === node.name) await moveLeadershipOff(options, run, how.probe, view, say);
	}
	await ensureDirectories(run);
	say(`starting etcd: ${reason}`);
	run.memberRestarted = true;
	await session.restart('etcd');
	say(describeEtcdCluster(await waitForCluster(options, run, how.probe, expected, joining, progress)));
	await session.markApplied('etcd', memberInputDigest(run.plan));
	return {changed: [...written, 'restarted etcd']};
}

/** Learners and unstarted members no master stands for (an abandoned add): removed, they cost nothing (join-member.ts). */
async function dropStrays(options: RunnerOptions, probe: EtcdClusterProbe, say: (line: string) => void): Promise<void> {
	const view = await probe.view().catch((): EtcdClusterView => ({statuses: []}));
	const masters = [...options.plan.nodes.map((n) => etcdMember(n.node)), ...membershipOf(options).joining];
	const through = leaderOf(view)?.name;
	if (!through) return;
	for (const stray of strayMembers(view, masters)) {
		await probe.removeMember(through, stray.id).then(
			() => say(`removed a stray etcd ${stray.name === '' ? 'member that never started' : `learner ${stray.name}`} (${stray.peerUrls.join(', ')}): no master of the profile is at that address`),
			(e: Error) => say(`a stray etcd member (${stray.peerUrls.join(', ')}) could not be removed: ${e.message}`),
		);
	}
}

/** A rollback's restart of the member on the files it had before: then the same wait as a change. */
export async function restartMemberAndWait(options: RunnerOptions, run: NodeRun, probe: EtcdClusterProbe, say: (line: string) => void): Promise<void> {
	await need(run.session).restart('etcd');
	const {expected, joining} = membershipOf(options);
	await waitForCluster(options, run, probe, expected, joining, (m) => say(`rollback: ${m}`));
}

/** Resolves to the view in which the cluster was whole and the member caught up. */
async function waitForCluster(options: RunnerOptions, run: NodeRun, probe: EtcdClusterProbe, expected: readonly string[], joining: readonly EtcdMember[], progress: (m: string) => void): Promise<EtcdClusterView> {
	const node = run.plan.node;
	const timeoutMs = options.healthTimeoutMs ?? 180_000;
	const started = Date.now();
	let unitCheckedAt = started;
	let last = 'no answer yet';
	for (;;) {
		await sleep(Math.max(options.healthPollMs ?? 250, 250));
		const view = await probe.view().catch((e: Error) => ({statuses: [{name: node.name, ok: false as const, detail: e.message}]}));
		// Whole again, and this member caught up with where the leader was: the next node may go down.
		const later = await probe.view().catch(() => view);
		const problem = judgeEtcdCluster(view, expected, joining) ?? behind(view, later, node.name);
		if (problem === undefined) return later;
		last = problem;
		if (Date.now() - started >= timeoutMs) {
			throw new StepError(`the etcd cluster did not come together within ${Math.round(timeoutMs / 1000)} s after starting the member on ${node.name}: ${last}`, `read the journal below; on a first install every master's member must start (each waits for a quorum of its peers on 2380)`, await need(run.session).journalTail('etcd'));
		}
		// A member that exits (a bad flag, a data dir of another cluster) fails at once, not after the timeout.
		if (Date.now() - unitCheckedAt >= 2000) {
			unitCheckedAt = Date.now();
			await failIfExited(run);
		}
		progress(`waiting for the etcd cluster (${Math.round((Date.now() - started) / 1000)}s): ${last}`);
	}
}

async function failIfExited(run: NodeRun): Promise<void> {
	const node = run.plan.node;
	const unit = await need(run.session).unitState('etcd');
	if (unit.active === 'failed' || unit.sub === 'auto-restart') {
		throw new StepError(`etcd on ${node.name} exited instead of starting (ActiveState=${unit.active}, SubState=${unit.sub}, NRestarts=${unit.restarts})`, `read the journal below; run \`journalctl -u etcd -n 100\` on ${node.ip} for more`, await need(run.session).journalTail('etcd'));
	}
}

/** Undefined once `name`, in the later view, reached the raft index the leader had in the earlier one. */
function behind(earlier: EtcdClusterView, later: EtcdClusterView, name: string): string | undefined {
	const leader = leaderOf(earlier);
	return leader ? judgeCaughtUp(later, name, leader.raftIndex) : 'no leader';
}

/** etcd's MoveLeader to another member that serves, then a wait until the members name it. */
async function moveLeadershipOff(options: RunnerOptions, run: NodeRun, probe: EtcdClusterProbe, view: EtcdClusterView, say: (line: string) => void): Promise<void> {
	const node = run.plan.node.name;
	const target = view.statuses.find((s): s is Extract<MemberStatus, {ok: true}> => s.ok && s.name !== node);
	if (!target) return;
	await probe.moveLeader(node, target.memberId).catch((e: Error) => {
		throw new StepError(`moving etcd leadership off ${node} to ${target.name} failed: ${e.message}`, 'the member was not restarted; run apply again (leadership may have moved meanwhile)');
	});
	const started = Date.now();
	for (;;) {
		const now = leaderOf(await probe.view().catch(() => ({statuses: []})));
		if (now && now.name !== node) {
			say(`moved etcd leadership from ${node} to ${now.name} before its restart`);
			return;
		}
		if (Date.now() - started > 15_000) throw new StepError(`etcd leadership did not leave ${node} within 15 s of the move to ${target.name}`, 'the member was not restarted; run apply again');
		await sleep(Math.max(options.healthPollMs ?? 250, 250));
	}
}
