import {mapHolderToNode} from '../../cluster/lease.js';
import type {LeaderElected} from '../../cluster/services.js';
import {SERVICE_STEP, type ServiceName} from '../../plan/types.js';
import type {NodeRun} from '../node-run.js';
import type {RunnerOptions} from '../run-options.js';

/** Who holds the service's Lease and when they last renewed it; undefined when unknown. */
export function readLeaseRenewal(options: RunnerOptions, service: LeaderElected) {
	return options.health.leaseRenewal?.(service).catch(() => undefined);
}

/**
 * For a restart of a controller-manager or scheduler whose instance on this node holds
 * the Lease (`lease`, read right before the restart): the hand-over to run once the
 * restart returned and that instance is gone, so a standby (already on the new release
 * in an upgrade) leads within its 2 s retry period instead of the component having no
 * leader until the Lease expires (15 s). Undefined when another node's instance leads.
 */
export function handOverAfterRestart(options: RunnerOptions, run: NodeRun, service: ServiceName, lease: {holder: string} | undefined): (() => Promise<void>) | undefined {
	if (service === 'kube-apiserver' || lease === undefined) return undefined;
	const node = run.plan.node;
	if (mapHolderToNode(lease.holder, [{name: node.name, hostname: run.hostname ?? null}]) !== node.name) return undefined;
	return () => handOver(options, run, service, lease.holder);
}

/** A failure only costs the wait for the expiry, so it is logged, not fatal. */
async function handOver(options: RunnerOptions, run: NodeRun, service: LeaderElected, gone: string): Promise<void> {
	const log = (line: string) => options.emit({type: 'log', at: Date.now(), node: run.plan.node.name, step: run.failedStep ?? SERVICE_STEP[service], line});
	const handed = await options.health.handOverLease?.(service, gone).catch((e: Error) => e);
	if (handed === true) log(`handed the ${service} Lease over: its holder ${gone} was the instance just stopped`);
	else if (handed instanceof Error) log(`could not hand the ${service} Lease over (${handed.message}): it expires on its own`);
}
