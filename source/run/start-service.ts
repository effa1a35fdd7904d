import {posix} from 'node:path';
import {SERVICE_STEP, type ServiceName} from '../plan/types.js';
import type {LeaderElected} from '../cluster/services.js';
import {serviceInputDigest} from './changes.js';
import {handOverAfterRestart, readLeaseRenewal} from './rolling-change/lease-hand-over.js';
import {need, type NodeRun, type Outcome} from './node-run.js';
import {ensureDirectories, uploadFiles} from './place-files.js';
import type {RunnerOptions} from './run-options.js';
import {restartAndWait, sleep, watchStable} from './services.js';
import {StepError} from './step-error.js';

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
	const rolling = how.beforeRestart !== undefined;
	const leaseBefore = rolling && service !== 'kube-apiserver' ? await readLeaseRenewal(options, service) : undefined;
	const afterRestart = handOverAfterRestart(options, run, service, leaseBefore);
	await restartAndWait({...watch, timeoutMs: options.healthTimeoutMs ?? 180_000, ...(afterRestart ? {afterRestart} : {})});
	// An apiserver that did not serve before joins one that does (a master added or put back):
	// its join checks run while its stability window is watched, and both must pass.
	const joined = rolling && service === 'kube-apiserver' && !run.remote?.active.get(service) ? options.health.joined : undefined;
	const [, line] = await Promise.all([
		how.stableForMs ? watchStable({...watch, windowMs: how.stableForMs}) : undefined,
		joined?.(node),
	]);
	if (line !== undefined) options.emit({type: 'log', at: Date.now(), node: node.name, step: name, line});
	if (rolling && service === 'kube-apiserver') await expectServedRelease(options, run);
	if (rolling && service !== 'kube-apiserver') await expectLeaseRenewed(options, run, service, leaseBefore, onWaiting);
	await session.markApplied(service, serviceInputDigest(run.plan, service));
	return {changed: [...written, `restarted ${service}`]};
}

/**
 * In a rolling change, the apiserver must serve the planned release once it is back: a
 * binary that is not the one planned (a wrong file under the right name, a unit that runs
 * another path) fails here, on its own node, and is rolled back before the next one.
 */
async function expectServedRelease(options: RunnerOptions, run: NodeRun): Promise<void> {
	const node = run.plan.node;
	const want = options.plan.kubernetesRelease;
	const served = await options.health.servedVersion?.(node).catch((e: Error) => `no answer (${e.message})`);
	if (served === undefined || served === want) return;
	throw new StepError(
		`kube-apiserver on ${node.name} serves ${served} after its restart, not the planned ${want} (/version on :6443)`,
		`check that the unit on ${node.ip} runs the planned binary (systemctl cat kube-apiserver; ${posix.join(options.plan.profile.paths.binDir, 'kube-apiserver')} --version) and that the profile's binaries are ${want}`,
	);
}

/**
 * In a rolling change, after a controller-manager or scheduler restart: some instance
 * must hold its Lease and have renewed it since the restart, so the next node is never
 * taken down while the component has no leader (a restarted leader that does not hand
 * its Lease over leaves it to expire: up to leaseDurationSeconds, 15 s by default).
 */
async function expectLeaseRenewed(
	options: RunnerOptions,
	run: NodeRun,
	service: LeaderElected,
	before: {renewTime: string} | undefined,
	onWaiting: (message: string) => void,
): Promise<void> {
	if (!options.health.leaseRenewal) return;
	const started = Date.now();
	const timeoutMs = options.leaseTimeoutMs ?? 45_000;
	const since = before ? Date.parse(before.renewTime) : 0;
	let last = 'not read yet';
	for (;;) {
		const now = await options.health.leaseRenewal(service).then(
			(l) => l,
			(e: Error) => ({error: e.message}),
		);
		if (now && 'holder' in now && Date.parse(now.renewTime) > since) return;
		last = now === undefined ? 'nobody holds it' : 'error' in now ? now.error : `${now.holder} last renewed it at ${now.renewTime}`;
		if (Date.now() - started >= timeoutMs) {
			throw new StepError(
				`no ${service} renewed its Lease within ${Math.round(timeoutMs / 1000)}s of the restart on ${run.plan.node.name} (${last})`,
				`a rolling change waits for a leader before the next node; check \`journalctl -u ${service}\` on the masters (leader election, its kubeconfig)`,
			);
		}
		onWaiting(`waiting for a ${service} to renew its Lease (${Math.round((Date.now() - started) / 1000)}s): ${last}`);
		await sleep(Math.max(options.healthPollMs ?? 250, 250));
	}
}
