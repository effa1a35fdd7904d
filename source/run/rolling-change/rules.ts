// The rules of a rolling change to a control plane that is already serving: which node
// goes first, when a node may be taken down, and what the user is told when the rollout
// stops. The runner applies them one node at a time; nothing here talks SSH.
import type {ProfileNode} from '../../profile/schema.js';
import {SERVICES, type ServiceName} from '../../plan/types.js';
import type {NodeChanges, RemoteState} from '../changes.js';
import {HEALTH_ENDPOINT, sleep, type HealthProbe} from '../services.js';
import {StepError} from '../step-error.js';
import {isMinorUpgrade} from '../version-skew.js';

/** What the rollout rules read of a node: its state at the start of the run and its planned changes. */
export interface RolloutNode {
	remote?: RemoteState;
	changes?: NodeChanges;
}

/**
 * Nodes whose apiserver is not running go first: restarting them takes nothing down,
 * and once they serve, the peer gate (below) can pass for the others. The rest keep
 * the profile's order, so a rollout is predictable.
 */
export function rolloutOrder<T extends RolloutNode>(nodes: readonly T[]): T[] {
	const serving = (n: T) => n.remote?.active.get('kube-apiserver') === true;
	return [...nodes.filter((n) => !serving(n)), ...nodes.filter(serving)];
}

/** A node of a rollout with what its components run now (read in preflight). */
export interface ScheduledNode extends RolloutNode {
	plan: {node: {name: string}};
	versions?: ReadonlyMap<ServiceName, string | undefined>;
}

/**
 * The passes of a rolling change. A minor upgrade goes component by component (the skew
 * policy: a controller-manager or scheduler never runs newer than an apiserver): every
 * node's files and apiserver, then every controller-manager, then every scheduler. Any
 * other change is one pass, node by node.
 */
export function rolloutPasses(targetRelease: string, nodes: readonly ScheduledNode[]): ServiceName[][] {
	const minor = isMinorUpgrade(
		targetRelease,
		nodes.map((n) => ({node: n.plan.node.name, versions: n.versions ?? new Map()})),
	);
	return minor ? SERVICES.map((s) => [s]) : [[...SERVICES]];
}

/**
 * Every restart a rolling change will make, in the order it makes them (the plan shows
 * it). `together`: the controller-manager and scheduler passes of a minor upgrade, which
 * go on one node that does not lead first, then on the others at once (rolling-change/schedule.ts);
 * which node leads is only known when the pass begins.
 */
export function restartSchedule(targetRelease: string, nodes: readonly ScheduledNode[]): {node: string; service: ServiceName; together?: true}[] {
	const order = rolloutOrder(nodes);
	const passes = rolloutPasses(targetRelease, nodes);
	return passes.flatMap((pass, p) =>
		order.flatMap((n) =>
			pass.filter((s) => n.changes?.restarts.has(s)).map((service) => ({node: n.plan.node.name, service, ...(p > 0 ? {together: true as const} : {})})),
		),
	);
}

/**
 * The services this node will restart while they run: each takes a working instance
 * down for a while, so each waits for its peers first. A service that is not running
 * takes nothing down by starting.
 */
export function servingRestarts(n: RolloutNode): ServiceName[] {
	return SERVICES.filter((s) => n.changes?.restarts.has(s) && n.remote?.active.get(s) === true);
}

/**
 * Waits until the service answers healthy on every other node (the apiserver's
 * /readyz, the others' /healthz), so a rolling change never takes a node down while
 * another is already down. Gives up after `timeoutMs` with an error naming the nodes
 * that were not healthy; the node itself has not been touched then.
 */
export async function waitForPeers(options: {
	node: ProfileNode;
	peers: readonly ProfileNode[];
	service: ServiceName;
	health: HealthProbe;
	timeoutMs: number;
	pollMs: number;
	onWaiting: (message: string) => void;
}): Promise<void> {
	const {node, peers, service, health} = options;
	const started = Date.now();
	for (;;) {
		const answers = await Promise.all(
			peers.map(async (peer) => ({peer, h: await health.serviceHealthy(peer, service).catch((e: Error) => ({ok: false, detail: e.message}))})),
		);
		const down = answers.filter((a) => !a.h.ok);
		if (down.length === 0) return;
		const which = down.map((d) => `${d.peer.name} (${d.h.detail})`).join(', ');
		const waited = Date.now() - started;
		if (waited >= options.timeoutMs) {
			const names = down.map((d) => d.peer.name).join(', ');
			throw new StepError(
				`not restarting ${service} on ${node.name}: ${service} on ${which} is not ${service === 'kube-apiserver' ? 'ready' : 'healthy'} (${HEALTH_ENDPOINT[service]}, waited ${Math.round(waited / 1000)}s)`,
				`a rolling change takes one node down at a time and ${node.name} is still serving; bring ${service} on ${names} back (journalctl -u ${service} there), then run apply again`,
			);
		}
		options.onWaiting(`waiting for ${service} on ${which} before taking ${node.name} down (${Math.round(waited / 1000)}s)`);
		await sleep(options.pollMs);
	}
}

/** The reason shown on every step of a node the rollout did not reach. */
export function notStartedReason(stoppedAt: string): string {
	return `not started: rollout stopped at ${stoppedAt}`;
}

/**
 * Added to the hint of the failure that stopped a rollout: which nodes were left as
 * they were, and whether the failed node is put back (rollback) or keeps its new files.
 */
export function rolloutStoppedHint(failedNode: string, untouched: readonly string[], rollback = false): string {
	const rest =
		untouched.length > 0
			? `${untouched.join(', ')} ${untouched.length === 1 ? 'was' : 'were'} not touched and still serve${untouched.length === 1 ? 's' : ''} the old configuration`
			: 'no other node was left to change';
	const own = rollback ? `${failedNode} is put back to its previous files (see the rollback line)` : `${failedNode} keeps its new files (not rolled back: --no-rollback)`;
	return `rollout stopped at ${failedNode}: ${rest}; ${own}; fix the cause and run apply again`;
}
