import {SERVICE_STEP, type ServiceName} from '../plan/types.js';
import type {StepName} from '../profile/schema.js';
import {appliedMarkerPath} from './remote-state.js';
import {generationId, type Generation} from './generations.js';
import {need, type NodeRun, type Outcome} from './node-run.js';
import {rollBack} from './roll-back.js';
import {CHANGE_STEPS, FILE_STEPS} from './operation.js';
import {placeFiles} from './place-files.js';
import {notStartedReason, rolloutOrder, rolloutPasses, rolloutStoppedHint, servingRestarts, waitForPeers} from './rollout.js';
import type {RunnerOptions} from './run-options.js';
import {startService} from './start-service.js';
import {describeFailure, StepError} from './step-error.js';
import {withHint, type Steps} from './step-runner.js';

/**
 * A change to a control plane that already serves, one node at a time: a node gets its
 * new files only after the node before it came back healthy with its own, each service
 * it restarts waits until that service is healthy on every other node (rollout.ts), and
 * the first node that fails ends the rollout: no later node is touched, so one bad
 * setting costs one node, never the control plane. Returns the node it stopped at.
 */
export async function rollOut(options: RunnerOptions, runs: NodeRun[], steps: Steps): Promise<string | undefined> {
	const order = rolloutOrder(runs);
	const rollbackOn = options.rollback !== false;
	const passes = rolloutPasses(options.plan.kubernetesRelease, runs);
	const minor = passes.length > 1;
	const stableForMs = options.stabilityWindowMs ?? 10_000;
	if (minor) {
		const stoppedAt = await snapshotFirst(options, order, steps);
		if (stoppedAt !== undefined) return stoppedAt;
	}
	for (const [p, services] of passes.entries()) {
		for (const [i, run] of order.entries()) {
			// Only the first pass leaves later nodes untouched; after it every node has its new files.
			const untouched = p === 0 ? order.slice(i + 1).map((o) => o.plan.node.name) : [];
			const stopHint = (error: unknown) => withHint(error, rolloutStoppedHint(run.plan.node.name, untouched, rollbackOn));
			const gate = (service: ServiceName) => waitForServicePeers(options, run, service);
			const guarded = (body: () => Promise<Outcome>) => () => body().catch((e: unknown) => Promise.reject(stopHint(e)));
			// Before the node's first file: a node that cannot be taken down is left untouched.
			const first = servingRestarts(run).filter((s) => services.includes(s))[0];
			const refused = first && (await gate(first).then(() => undefined, (e: unknown) => e));
			if (first && refused) {
				steps.fail(run, SERVICE_STEP[first], 0, stopHint(refused));
				steps.skip(run, (p === 0 ? CHANGE_STEPS : services.map((s) => SERVICE_STEP[s])).filter((s) => s !== SERVICE_STEP[first]), `not started: ${describeFailure(refused).cause}`);
			} else {
				if (p === 0) {
					for (const name of FILE_STEPS) {
						await steps.run(run, name, guarded(async () => {
							run.generation ??= await keepGeneration(options, run, name);
							return placeFiles(options, run, name);
						}));
					}
				}
				for (const service of services) await steps.run(run, SERVICE_STEP[service], guarded(() => startService(options, run, service, {beforeRestart: gate, stableForMs})));
			}
			if (run.failedStep !== undefined) {
				const rolledBack = rollbackOn && run.generation !== undefined ? await rollBack(options, run) : undefined;
				const stopped = notStartedReason(run.plan.node.name);
				for (const other of order.slice(i + 1)) steps.skip(other, p === 0 ? CHANGE_STEPS : passes.slice(p).flat().map((s) => SERVICE_STEP[s]), stopped);
				for (const other of order.slice(0, i + 1)) if (other !== run) steps.skip(other, passes.slice(p + 1).flat().map((s) => SERVICE_STEP[s]), stopped);
				steps.skip(run, passes.slice(p + 1).flat().map((s) => SERVICE_STEP[s]), `${run.failedStep} failed`);
				options.emit({type: 'rollout-stopped', at: Date.now(), node: run.plan.node.name, step: run.failedStep, untouched, ...(rolledBack !== undefined ? {rolledBack} : {})});
				return run.plan.node.name;
			}
		}
	}
	return undefined;
}

/**
 * Before a minor upgrade touches any node: the etcd snapshot (beforeMinorUpgrade). A
 * failure stops the rollout at the first node with nothing changed; returns that node.
 */
async function snapshotFirst(options: RunnerOptions, order: NodeRun[], steps: Steps): Promise<string | undefined> {
	const lead = order[0];
	if (!lead || !options.beforeMinorUpgrade) return undefined;
	const snapshot = await options.beforeMinorUpgrade().then(
		(line) => ({line}),
		(error: unknown) => ({error}),
	);
	if ('line' in snapshot) {
		options.emit({type: 'log', at: Date.now(), node: lead.plan.node.name, step: 'binaries', line: `before the minor upgrade: ${snapshot.line}`});
		return undefined;
	}
	const {cause, hint} = describeFailure(snapshot.error);
	steps.fail(lead, 'binaries', 0, new StepError(`no etcd snapshot before the minor upgrade: ${cause}`, `${hint ? `${hint}; ` : ''}nothing was changed on any node; fix it, or run apply with --no-etcd-snapshot to upgrade without one`));
	for (const run of order) steps.skip(run, CHANGE_STEPS.filter((s) => !(run === lead && s === 'binaries')), 'not started: no etcd snapshot');
	options.emit({type: 'rollout-stopped', at: Date.now(), node: lead.plan.node.name, step: 'binaries', untouched: order.slice(1).map((r) => r.plan.node.name)});
	return lead.plan.node.name;
}

/**
 * Before the node's first new file: everything the change will replace is kept on the
 * node as its previous generation (generations.ts), once; a path that does not exist
 * yet is noted as absent (a rollback removes it).
 */
async function keepGeneration(options: RunnerOptions, run: NodeRun, step: StepName): Promise<Generation | undefined> {
	const changes = need(run.changes);
	const files = [...changes.files.values()].flat().map((f) => f.path);
	if (files.length === 0) return undefined;
	// The markers of the inputs each service last started with go back too: a service put
	// back on its old files must not look, to the next run, as if it ran the new ones.
	const paths = [...files, ...[...changes.restarts.keys()].map(appliedMarkerPath)];
	const generation = await need(run.session).keepGeneration(generationId(new Date()), paths);
	options.emit({type: 'log', at: Date.now(), node: run.plan.node.name, step, line: `kept the files this change replaces as generation ${generation.id} (${generation.dir})`});
	return generation;
}

/** The peer gate for one service of one node, polling at the runner's health pace. */
function waitForServicePeers(options: RunnerOptions, run: NodeRun, service: ServiceName): Promise<void> {
	return waitForPeers({
		node: run.plan.node,
		// Every other master of the profile, also when this run covers one node (a retry).
		peers: options.plan.profile.nodes.filter((n) => n.name !== run.plan.node.name),
		service,
		health: options.health,
		timeoutMs: options.peerWaitMs ?? 90_000,
		pollMs: Math.max(options.healthPollMs ?? 250, 250),
		onWaiting: (message) => options.emit({type: 'step-progress', at: Date.now(), node: run.plan.node.name, step: SERVICE_STEP[service], message}),
	});
}
