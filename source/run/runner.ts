import {mapLimit} from './concurrency.js';
import {reportDryRun} from './dry-run.js';
import {firstStart} from './first-start.js';
import {gateAll, mixedReleasesExplained} from './gate.js';
import {installedEntry} from './installed-nodes.js';
import {need, newNodeRun, type NodeRun} from './node-run.js';
import {recordHashesNow} from './place-files.js';
import {planRelease} from './release-plan.js';
import {rollOut} from './rolling-change/schedule.js';
import type {RunnerOptions, RunResult} from './run-options.js';
import {stepsFor, type Steps} from './step-runner.js';
import {StepError} from './step-error.js';
import {verifyNode} from './verify.js';
import {httpsEtcdProbe} from '../etcd/https-etcd-probe.js';
import {leaderOf} from '../etcd/cluster-gate.js';

export type {RunnerOptions, RunResult} from './run-options.js';
export {selectSteps} from './operation.js';
import {stepsOfProfile} from './operation.js';
export {mapLimit} from './concurrency.js';

/**
 * The install/converge operation on every node of a plan (its steps: operation.ts):
 * 1. the gate (gate.ts): connect, preflight and compare everywhere; nothing is written
 *    anywhere when one node fails there;
 * 2. a dry run ends here, reporting what would change;
 * 3. the change: on a first install every node's files and services side by side
 *    (first-start.ts); on a control plane that already serves, a rollout one node at a
 *    time that stops at the first node that fails (rolling-change/schedule.ts);
 * 4. verify (verify.ts): every service healthy and each Lease held by a master.
 * Emits RunEvents and knows nothing about how they are shown.
 */
export async function runPlan(given: RunnerOptions): Promise<RunResult> {
	// A stacked etcd is reached over HTTPS with the tool's etcd client, unless a probe is given (tests).
	const ownProbe = given.plan.etcd && !given.etcdProbe ? httpsEtcdProbe(given.plan.etcd.members, given.plan.etcd.client) : undefined;
	try {
		return await runPlanWith(ownProbe ? {...given, etcdProbe: ownProbe} : given);
	} finally {
		ownProbe?.close();
	}
}

async function runPlanWith(options: RunnerOptions): Promise<RunResult> {
	const started = Date.now();
	const {plan, emit} = options;
	const runs = plan.nodes.map(newNodeRun);
	const limit = options.concurrency ?? 10;
	const steps = stepsFor(options);
	const runSteps = stepsOfProfile(plan.profile);
	emit({type: 'run-started', at: Date.now(), nodes: runs.map((r) => r.plan.node.name), steps: runSteps, dryRun: Boolean(options.dryRun)});
	const skipChanges = (run: NodeRun, reason: string) => steps.skip(run, runSteps.slice(runSteps.indexOf('binaries')), reason);
	const reportRelease = () => emit({type: 'plan-release', at: Date.now(), ...planRelease(plan.kubernetesRelease, runs, mixedReleasesExplained(options))});

	const blocked = await gateAll(options, runs, steps);
	if (blocked.length > 0) {
		const names = blocked.map((r) => r.plan.node.name).join(', ');
		for (const run of runs) skipChanges(run, run.failedStep === undefined ? `stopped before any change: ${names} failed ${blocked[0]?.failedStep}` : `${run.failedStep} failed`);
		// A refused release change shows the plan that explains the refusal.
		if (runs.some((r) => r.refused)) reportRelease();
		return finish(options, runs, started);
	}

	if (options.dryRun) {
		for (const run of runs) await reportDryRun(emit, run.plan.node.name, need(run.session), need(run.changes), need(run.remote));
		reportRelease();
		for (const run of runs) skipChanges(run, 'dry run');
		await reportClusterObjects(options, runs);
		return finish(options, runs, started);
	}

	// The state directory's new material first (a new CA, keys): a refused run leaves none.
	await options.beforeFirstWrite?.();
	const rolling = runs.some((r) => r.remote?.active.get('kube-apiserver'));
	if (rolling) {
		const stoppedAt = await rollOut(options, await leaderLast(options, runs), steps);
		if (stoppedAt !== undefined) {
			// The untouched nodes serve as before; verifying them would only wait on Leases
			// the stopped node's services may be giving up.
			for (const run of runs) steps.skip(run, ['verify'], run.failedStep ? `${run.failedStep} failed` : `rollout stopped at ${stoppedAt}`);
			return finish(options, runs, started, true);
		}
	} else {
		await mapLimit(runs, limit, (run) => firstStart(options, run, steps));
	}

	await verifyAll(options, runs, steps);
	return finish(options, runs, started, true);
}

/**
 * A stacked etcd's leader changes last: the followers restart under it without an election,
 * and its leadership moves once, to a member already changed (member-step.ts). A resumed
 * rollout keeps its journal's order (rolling-change/journal.ts).
 */
async function leaderLast(options: RunnerOptions, runs: NodeRun[]): Promise<NodeRun[]> {
	if (!options.etcdProbe || !runs.some((r) => r.plan.files.some((f) => f.member))) return runs;
	const leader = leaderOf(await options.etcdProbe.view().catch(() => ({statuses: []})))?.name;
	return leader === undefined ? runs : [...runs.filter((r) => r.plan.node.name !== leader), ...runs.filter((r) => r.plan.node.name === leader)];
}

async function verifyAll(options: RunnerOptions, runs: NodeRun[], steps: Steps): Promise<void> {
	// A master this run removes afterwards is still one of the cluster's while verify runs.
	const leaseNodes = [...runs.map((r) => ({name: r.plan.node.name, hostname: r.hostname ?? null})), ...(options.leavingMasters ?? [])];
	const first = runs[0];
	await mapLimit(runs, options.concurrency ?? 10, (run) =>
		steps.run(run, 'verify', async () => {
			const outcome = await verifyNode(options, run, leaseNodes);
			// Once per run, by the first node, once its apiserver and Leases are verified.
			if (run !== first || !options.ensureClusterObjects) return outcome;
			const changed = await options.ensureClusterObjects(false).catch((e: unknown) => Promise.reject(asStepError(e)));
			return changed.length > 0 ? {changed} : outcome;
		}),
	);
}

/** A dry run's line for the cluster objects: what would change, when an apiserver already answers. */
async function reportClusterObjects(options: RunnerOptions, runs: NodeRun[]): Promise<void> {
	const node = runs[0]?.plan.node.name;
	if (!options.ensureClusterObjects || !node) return;
	const line = await options.ensureClusterObjects(true).then(
		(changed) => (changed.length > 0 ? `would ensure: ${changed.join(', ')}` : 'cluster objects: nothing to change'),
		(e: unknown) => `cluster objects not checked (no apiserver answered yet): ${asStepError(e).message}`,
	);
	options.emit({type: 'log', at: Date.now(), node, step: 'verify', line});
}

function asStepError(error: unknown): StepError {
	if (error instanceof StepError) return error;
	const hint = (error as {hint?: unknown}).hint;
	return new StepError(error instanceof Error ? error.message : String(error), typeof hint === 'string' ? hint : undefined);
}

async function finish(options: RunnerOptions, runs: NodeRun[], started: number, recordHashes = false): Promise<RunResult> {
	// Only a run that went past the gate writes anything, this bookkeeping included.
	if (recordHashes) {
		await Promise.all(runs.map((r) => recordHashesNow(options, r)));
		// A node holds the release and files recorded for it only once it has every planned file:
		// one a stopped rollout never reached is still what it was.
		const finished = runs.filter((r) => r.failedStep === undefined && r.plan.files.every((f) => r.known.get(f.path) === f.sha256));
		if (finished.length > 0) options.installed?.remember(finished.map((r) => installedEntry(r, options.plan.kubernetesRelease, new Date())));
	}
	await Promise.all(runs.map((r) => r.session?.close().catch(() => undefined)));
	const failedNodes = runs.filter((r) => r.failedStep !== undefined).map((r) => r.plan.node.name);
	const ok = failedNodes.length === 0 && !options.signal?.aborted;
	options.emit({type: 'run-finished', at: Date.now(), ok, durationMs: Date.now() - started, failedNodes});
	const refused = runs.some((r) => r.refused);
	return {ok, failedNodes, ...(refused ? {refused} : {}), changed: new Map(runs.map((r) => [r.plan.node.name, r.changed]))};
}
