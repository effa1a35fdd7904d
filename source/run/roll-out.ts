import {SERVICE_STEP, type ServiceName} from '../plan/types.js';
import type {StepName} from '../profile/schema.js';
import {appliedMarkerPath} from './remote-state.js';
import {generationId, type Generation} from './generations.js';
import {changeTarget, JournalWriter, readJournal, resumeFrom} from './journal.js';
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
	const rollbackOn = options.rollback !== false;
	const stableForMs = options.stabilityWindowMs ?? 10_000;
	const {order, passes, journal, snapshot} = openJournal(options, runs);
	const minor = passes.length > 1;
	if (minor && snapshot !== undefined) {
		options.emit({type: 'log', at: Date.now(), node: need(order[0]).plan.node.name, step: 'binaries', line: `before the minor upgrade (when it began): ${snapshot}`});
	} else if (minor) {
		const taken = await snapshotFirst(options, order, steps);
		if ('stoppedAt' in taken) {
			journal?.update((j) => (j.state = 'stopped'));
			return taken.stoppedAt;
		}
		if (taken.line !== undefined) journal?.update((j) => (j.snapshot = taken.line));
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
							if (run.generation === undefined) {
								run.generation = await keepGeneration(options, run, name);
								const kept = run.generation;
								if (kept) journal?.update(() => (journal.node(run.plan.node.name).generation = {id: kept.id, dir: kept.dir}));
							}
							return placeFiles(options, run, name);
						}));
					}
				}
				for (const service of services) {
					// Recorded before the restart: a run killed during it must restart it again on a rollback.
					if (run.changes?.restarts.has(service)) journal?.update(() => addOnce(journal.node(run.plan.node.name).restarted, service));
					await steps.run(run, SERVICE_STEP[service], guarded(() => startService(options, run, service, {beforeRestart: gate, stableForMs})));
					if (run.failedStep === undefined) {
						const later = passes.slice(p + 1).flat();
						journal?.update(() => {
							const entry = journal.node(run.plan.node.name);
							addOnce(entry.finished, service);
							entry.done = services.slice(services.indexOf(service) + 1).concat(later).every((s) => !run.changes?.restarts.has(s));
						});
					}
				}
			}
			if (run.failedStep !== undefined) {
				const rolledBack = rollbackOn && run.generation !== undefined ? await rollBack(options, run) : undefined;
				journal?.update((j) => {
					j.state = 'stopped';
					if (rolledBack) journal.node(run.plan.node.name).rolledBack = true;
				});
				const stopped = notStartedReason(run.plan.node.name);
				for (const other of order.slice(i + 1)) steps.skip(other, p === 0 ? CHANGE_STEPS : passes.slice(p).flat().map((s) => SERVICE_STEP[s]), stopped);
				for (const other of order.slice(0, i + 1)) if (other !== run) steps.skip(other, passes.slice(p + 1).flat().map((s) => SERVICE_STEP[s]), stopped);
				steps.skip(run, passes.slice(p + 1).flat().map((s) => SERVICE_STEP[s]), `${run.failedStep} failed`);
				options.emit({type: 'rollout-stopped', at: Date.now(), node: run.plan.node.name, step: run.failedStep, untouched, ...(rolledBack !== undefined ? {rolledBack} : {})});
				return run.plan.node.name;
			}
		}
	}
	// Interrupted (Ctrl-C): what did not run is still to do, so the journal stays for the re-run.
	if (!options.signal?.aborted) journal?.complete();
	return undefined;
}

/**
 * The rollout's order and passes, and its journal (journal.ts) when the run keeps one: a
 * journal left by an earlier run of the same change sets them, and gives back each
 * node's kept generation, so a re-run after a kill carries on where that run stopped.
 */
function openJournal(options: RunnerOptions, runs: NodeRun[]): {order: NodeRun[]; passes: ServiceName[][]; journal?: JournalWriter; snapshot?: string} {
	const fresh = {order: rolloutOrder(runs), passes: rolloutPasses(options.plan.kubernetesRelease, runs)};
	const store = options.journal;
	if (!store) return fresh;
	const lead = need(fresh.order[0]).plan.node.name;
	const say = (line: string) => options.emit({type: 'log', at: Date.now(), node: lead, line});
	const target = changeTarget(options.plan);
	const {journal: prior, unreadable} = readJournal(store);
	if (unreadable) say(`the journal of an earlier change could not be read (${unreadable}): starting afresh`);
	const resume = prior ? resumeFrom(prior, target, runs.map((r) => r.plan.node.name)) : undefined;
	if (resume) say(resume.line);
	const byName = new Map(runs.map((r) => [r.plan.node.name, r]));
	const order = resume?.order?.map((n) => need(byName.get(n))) ?? fresh.order;
	const passes = resume?.passes ?? fresh.passes;
	for (const [name, kept] of resume?.kept ?? []) {
		const run = need(byName.get(name));
		if (kept.generation) run.generation = kept.generation;
		for (const s of kept.restarted) run.restarted.add(s);
	}
	const journal = new JournalWriter(store, {
		version: 1,
		startedAt: resume?.same && prior ? prior.startedAt : new Date().toISOString(),
		target,
		release: options.plan.kubernetesRelease,
		order: order.map((r) => r.plan.node.name),
		passes,
		state: 'running',
		...(resume?.snapshot !== undefined ? {snapshot: resume.snapshot} : {}),
		nodes: Object.fromEntries([...(resume?.kept ?? [])].map(([name, kept]) => [name, {...kept, finished: resume?.same ? [...(prior?.nodes[name]?.finished ?? [])] : []}])),
	});
	return {order, passes, journal, ...(resume?.snapshot !== undefined ? {snapshot: resume.snapshot} : {})};
}

function addOnce<T>(list: T[], item: T): void {
	if (!list.includes(item)) list.push(item);
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
	for (const run of order) steps.skip(run, CHANGE_STEPS.filter((s) => !(run === lead && s === 'binaries')), 'not started: no etcd snapshot');
	options.emit({type: 'rollout-stopped', at: Date.now(), node: lead.plan.node.name, step: 'binaries', untouched: order.slice(1).map((r) => r.plan.node.name)});
	return {stoppedAt: lead.plan.node.name};
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
