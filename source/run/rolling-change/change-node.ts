import {SERVICE_STEP, type ServiceName} from '../../plan/types.js';
import type {StepName} from '../../profile/schema.js';
import {appliedMarkerPath} from '../remote-state.js';
import {generationId, type Generation} from '../generations.js';
import type {JournalWriter} from '../journal.js';
import {need, type NodeRun, type Outcome} from '../node-run.js';
import {changeStepsOf, FILE_STEPS} from '../operation.js';
import {startMember} from '../etcd-member/member-step.js';
import {placeFiles} from '../place-files.js';
import {addOnce} from './journal.js';
import {rolloutStoppedHint, servingRestarts, waitForPeers} from './rules.js';
import type {RunnerOptions} from '../run-options.js';
import {startService} from '../start-service.js';
import {describeFailure} from '../step-error.js';
import {withHint, type Steps} from '../step-runner.js';

/** One rolling change as every node of it sees it (rolling-change/schedule.ts). */
/** The stability window of an apiserver that did not serve before (an added master). */
const NEW_APISERVER_WINDOW_MS = 5_000;

export interface Rollout {
	options: RunnerOptions;
	steps: Steps;
	order: NodeRun[];
	passes: ServiceName[][];
	rollback: boolean;
	stableForMs: number;
	journal?: JournalWriter;
}

/**
 * Pass `p` of a rolling change on one node: in the first pass its files (after keeping
 * its generation), then the pass's services, each restarted behind the peer gate and
 * watched through the stability window. `group` are the nodes changing together with
 * it: the peer gate does not wait for them. A failure is left in run.failedStep.
 */
export async function changeNode(rollout: Rollout, run: NodeRun, p: number, group: readonly NodeRun[]): Promise<void> {
	const {options, steps, order, passes, journal} = rollout;
	const services = need(passes[p]);
	const name = run.plan.node.name;
	// Only the first pass leaves later nodes untouched; after it every node has its new files.
	const untouched = p === 0 ? order.slice(order.indexOf(run) + 1).map((o) => o.plan.node.name) : [];
	const stopHint = (error: unknown) => withHint(error, rolloutStoppedHint(name, untouched, rollout.rollback));
	const together = new Set(group.map((g) => g.plan.node.name));
	const gate = (service: ServiceName) => waitForServicePeers(options, run, service, together);
	const guarded = (body: () => Promise<Outcome>) => () => body().catch((e: unknown) => Promise.reject(stopHint(e)));
	// Before the node's first file: a node that cannot be taken down is left untouched.
	const first = servingRestarts(run).filter((s) => services.includes(s))[0];
	const refused = first && (await gate(first).then(() => undefined, (e: unknown) => e));
	if (first && refused) {
		steps.fail(run, SERVICE_STEP[first], 0, stopHint(refused));
		steps.skip(run, (p === 0 ? changeStepsOf(run.plan) : services.map((s) => SERVICE_STEP[s])).filter((s) => s !== SERVICE_STEP[first]), `not started: ${describeFailure(refused).cause}`);
		return;
	}
	if (p === 0) {
		for (const step of FILE_STEPS) {
			await steps.run(run, step, guarded(async () => {
				if (run.generation === undefined) {
					run.generation = await keepGeneration(options, run, step);
					const kept = run.generation;
					if (kept) journal?.update(() => (journal.node(name).generation = {id: kept.id, dir: kept.dir}));
				}
				return placeFiles(options, run, step);
			}));
		}
		// A stacked etcd's member, before the apiserver that talks to it: restarted only while
		// every member serves, and done once the cluster is whole again (member-step.ts).
		const probe = options.etcdProbe;
		if (probe && run.plan.files.some((f) => f.member)) await steps.run(run, 'etcd', guarded(() => startMember(options, run, {probe})));
		if (run.failedStep !== undefined) return;
	}
	// A controller-manager or scheduler that was not running on this node (a master being added)
	// served nothing the window could protect: the other masters hold its Lease. Its window only
	// delayed the end (20 of an add's 37 s); verify still checks it. An apiserver that did not
	// serve before keeps a short window, watched while its join checks run (start-service.ts):
	// no other node waits on it, and clients find it only once it is in the EndpointSlice.
	const windowFor = (service: ServiceName) => {
		if (run.remote?.active.get(service) !== false) return rollout.stableForMs;
		return service === 'kube-apiserver' ? Math.min(rollout.stableForMs, NEW_APISERVER_WINDOW_MS) : 0;
	};
	for (const service of services) {
		// Recorded before the restart: a run killed during it must restart it again on a rollback.
		if (run.changes?.restarts.has(service)) journal?.update(() => addOnce(journal.node(name).restarted, service));
		await steps.run(run, SERVICE_STEP[service], guarded(() => startService(options, run, service, {beforeRestart: gate, stableForMs: windowFor(service)})));
		if (run.failedStep !== undefined) return;
		const later = [...services.slice(services.indexOf(service) + 1), ...passes.slice(p + 1).flat()];
		journal?.update(() => {
			const entry = journal.node(name);
			addOnce(entry.finished, service);
			entry.done = later.every((s) => !run.changes?.restarts.has(s));
		});
	}
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
function waitForServicePeers(options: RunnerOptions, run: NodeRun, service: ServiceName, together: ReadonlySet<string>): Promise<void> {
	return waitForPeers({
		node: run.plan.node,
		// Every other master of the profile, also when this run covers one node (a retry),
		// except those changing together with this one.
		peers: options.plan.profile.nodes.filter((n) => n.name !== run.plan.node.name && !together.has(n.name)),
		service,
		health: options.health,
		timeoutMs: options.peerWaitMs ?? 90_000,
		pollMs: Math.max(options.healthPollMs ?? 250, 250),
		onWaiting: (message) => options.emit({type: 'step-progress', at: Date.now(), node: run.plan.node.name, step: SERVICE_STEP[service], message}),
	});
}
