import {SERVICE_STEP, type ServiceName} from '../plan/types.js';
import {serviceInputDigest} from './changes.js';
import {need, type NodeRun, type Outcome} from './node-run.js';
import {ensureDirectories, uploadFiles} from './place-files.js';
import type {RunnerOptions} from './run-options.js';
import {restartAndWait, watchStable} from './services.js';

export interface StartHow {
	/** First start: resolves once the service's binary is on the node. */
	inputsPlaced?: () => Promise<void>;
	/** Rolling change: the peer gate, right before a running service goes down. */
	beforeRestart?: (service: ServiceName) => Promise<void>;
	/** Rolling change: how long the service must stay healthy after its restart. */
	stableForMs?: number;
}

/**
 * A service step: its unit file, then a restart when one is planned, a wait until the
 * service is healthy (and, in a rolling change, stays so), and the marker that records
 * the inputs it now runs with.
 */
export async function startService(options: RunnerOptions, run: NodeRun, service: ServiceName, how: StartHow = {}): Promise<Outcome> {
	const name = SERVICE_STEP[service];
	const changes = need(run.changes);
	const written = await uploadFiles(options, run, name, changes.files.get(name) ?? []);
	await how.inputsPlaced?.();
	const session = need(run.session); // after the wait: a reconnect may have replaced it
	const reason = changes.restarts.get(service);
	if (reason === undefined) {
		if (changes.enable.has(service)) await session.enable(service);
		return {changed: written};
	}
	await ensureDirectories(run);
	if (run.remote?.active.get(service)) await how.beforeRestart?.(service);
	const node = run.plan.node;
	const onWaiting = (message: string) => options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: name, message});
	options.emit({type: 'log', at: Date.now(), node: node.name, step: name, line: `restarting ${service}: ${reason}`});
	run.restarted.add(service);
	const watch = {session, node, service, health: options.health, pollMs: options.healthPollMs, onWaiting};
	await restartAndWait({...watch, timeoutMs: options.healthTimeoutMs ?? 180_000});
	if (how.stableForMs) await watchStable({...watch, windowMs: how.stableForMs});
	await session.markApplied(service, serviceInputDigest(run.plan, service));
	return {changed: [...written, `restarted ${service}`]};
}
