import {SERVICE_STEP} from '../../plan/types.js';
import {mapHolderToNode} from '../../cluster/lease.js';
import {need, type NodeRun} from '../node-run.js';
import {changeNode, type Rollout} from './change-node.js';
import {rollBack} from './roll-back.js';
import {changeStepsOf} from '../operation.js';
import {openJournal} from './journal.js';
import {notStartedReason} from './rules.js';
import type {RunnerOptions} from '../run-options.js';
import {describeFailure, StepError} from '../step-error.js';
import type {Steps} from '../step-runner.js';

/**
 * A change to a control plane that already serves, one node at a time: a node gets its
 * new files only after the node before it came back healthy with its own, each service
 * it restarts waits until that service is healthy on every other node (rolling-change/rules.ts), and
 * the first node that fails ends the rollout: no later node is touched, so one bad
 * setting costs one node, never the control plane. Returns the node it stopped at.
 *
 * A minor upgrade goes by component (rolloutPasses). Its apiservers go one node at a
 * time like any change; its controller-managers, then its schedulers, go on one node
 * first (the canary, a node whose instance does not lead) and, once it passed, on the
 * others together: only one instance leads, the others stand by, and every apiserver
 * already serves the new release, so nothing is gained by taking them one by one.
 */
export async function rollOut(options: RunnerOptions, runs: NodeRun[], steps: Steps): Promise<string | undefined> {
	const {order, passes, journal, snapshot} = openJournal(options, runs);
	const rollout: Rollout = {options, steps, order, passes, rollback: options.rollback !== false, stableForMs: options.stabilityWindowMs ?? 10_000, ...(journal ? {journal} : {})};
	const minor = passes.length > 1;
	const snapshotFirstNeeded = minor || options.etcdMinorUpgrade === true;
	if (snapshotFirstNeeded && snapshot !== undefined) {
		options.emit({type: 'log', at: Date.now(), node: need(order[0]).plan.node.name, step: 'binaries', line: `before the minor upgrade (when it began): ${snapshot}`});
	} else if (snapshotFirstNeeded) {
		const taken = await snapshotFirst(options, order, steps);
		if ('stoppedAt' in taken) {
			journal?.update((j) => (j.state = 'stopped'));
			return taken.stoppedAt;
		}
		if (taken.line !== undefined) journal?.update((j) => (j.snapshot = taken.line));
	}
	for (const p of passes.keys()) {
		for (const group of await nodeGroups(rollout, p)) {
			await Promise.all(group.map((run) => changeNode(rollout, run, p, group)));
			const failed = group.filter((r) => r.failedStep !== undefined);
			if (failed.length > 0) return stopAt(rollout, failed, group, p);
		}
	}
	// Interrupted (Ctrl-C): what did not run is still to do, so the journal stays for the re-run.
	if (!options.signal?.aborted) journal?.complete();
	return undefined;
}

/**
 * The nodes of pass `p`, in the groups that change together: one node at a time for the
 * first pass (files and apiservers) and for any change that is not a minor upgrade;
 * for the controller-manager and scheduler passes of one, a canary and then the rest.
 */
async function nodeGroups(rollout: Rollout, p: number): Promise<NodeRun[][]> {
	const {order, passes, options} = rollout;
	const service = passes[p]?.[0];
	if (p === 0 || passes.length === 1 || service === undefined || service === 'kube-apiserver') return order.map((r) => [r]);
	const due = order.filter((r) => r.changes?.restarts.has(service));
	const others = order.filter((r) => !due.includes(r));
	const holders = await options.health.leaseHolders().catch(() => ({}) as Record<string, string | undefined>);
	const leader = holders[service as 'kube-controller-manager' | 'kube-scheduler'];
	const leaderNode = leader ? mapHolderToNode(leader, order.map((r) => ({name: r.plan.node.name, hostname: r.hostname ?? null}))) : null;
	const canary = due.find((r) => r.plan.node.name !== leaderNode) ?? due[0];
	const rest = due.filter((r) => r !== canary);
	// Nodes with nothing to restart in this pass still run their (unchanged) step, alone.
	return [...others.map((r) => [r]), ...(canary ? [[canary]] : []), ...(rest.length > 0 ? [rest] : [])];
}

/**
 * The rollout ends at the group that failed: each failed node is rolled back (unless
 * --no-rollback), every step not run is skipped with the reason, and the journal says
 * the change stopped. Returns the first failed node.
 */
async function stopAt(rollout: Rollout, failed: NodeRun[], group: NodeRun[], p: number): Promise<string> {
	const {options, steps, order, passes, journal} = rollout;
	const rolledBack = new Map<NodeRun, boolean | undefined>();
	for (const run of failed) {
		const back = rollout.rollback && run.generation !== undefined ? await rollBack(options, run) : undefined;
		rolledBack.set(run, back);
		journal?.update((j) => {
			j.state = 'stopped';
			if (back) journal.node(run.plan.node.name).rolledBack = true;
		});
	}
	const first = need(failed[0]);
	const stopped = notStartedReason(first.plan.node.name);
	const later = (from: number) => passes.slice(from).flat().map((s) => SERVICE_STEP[s]);
	const reached = order.findIndex((r) => r === group[group.length - 1]);
	const untouched = p === 0 ? order.slice(reached + 1).map((o) => o.plan.node.name) : [];
	for (const [i, other] of order.entries()) {
		if (failed.includes(other)) steps.skip(other, later(p + 1), `${other.failedStep} failed`);
		else if (i > reached && !group.includes(other)) steps.skip(other, p === 0 ? changeStepsOf(other.plan) : later(p), stopped);
		else steps.skip(other, later(p + 1), stopped);
	}
	const back = rolledBack.get(first);
	options.emit({type: 'rollout-stopped', at: Date.now(), node: first.plan.node.name, step: need(first.failedStep), untouched, ...(back !== undefined ? {rolledBack: back} : {})});
	return first.plan.node.name;
}

/**
 * Before a minor upgrade touches any node: the etcd snapshot (beforeMinorUpgrade). A
 * failure stops the rollout at the first node with nothing changed (stoppedAt).
 */
async function snapshotFirst(options: RunnerOptions, order: NodeRun[], steps: Steps): Promise<{line?: string} | {stoppedAt: string}> {
	const lead = order[0];
	if (!lead || !options.beforeMinorUpgrade) return {};
	const snapshot = await options.beforeMinorUpgrade().then(
		(line) => ({line}),
		(error: unknown) => ({error}),
	);
	if ('line' in snapshot) {
		options.emit({type: 'log', at: Date.now(), node: lead.plan.node.name, step: 'binaries', line: `before the minor upgrade: ${snapshot.line}`});
		return {line: snapshot.line};
	}
	const {cause, hint} = describeFailure(snapshot.error);
	steps.fail(lead, 'binaries', 0, new StepError(`no etcd snapshot before the minor upgrade: ${cause}`, `${hint ? `${hint}; ` : ''}nothing was changed on any node; fix it, or run apply with --no-etcd-snapshot to upgrade without one`));
	for (const run of order) steps.skip(run, changeStepsOf(run.plan).filter((s) => !(run === lead && s === 'binaries')), 'not started: no etcd snapshot');
	options.emit({type: 'rollout-stopped', at: Date.now(), node: lead.plan.node.name, step: 'binaries', untouched: order.slice(1).map((r) => r.plan.node.name)});
	return {stoppedAt: lead.plan.node.name};
}

