import {SERVICES} from '../plan/types.js';
import {mapHolderToNode, type LeaseNode} from '../cluster/lease.js';
import type {NodeRun, Outcome} from './node-run.js';
import type {RunnerOptions} from './run-options.js';
import {sleep} from './services.js';
import {StepError} from './step-error.js';

/** The verify step of one node: its three services healthy, and each Lease held by a master. */
export async function verifyNode(options: RunnerOptions, run: NodeRun, leaseNodes: LeaseNode[]): Promise<Outcome> {
	const node = run.plan.node;
	const deadline = Date.now() + (options.leaseTimeoutMs ?? 90_000);
	// A controller-manager or scheduler that just lost its Lease (its apiserver restarted)
	// exits on purpose and systemd starts it again: give it that time before failing.
	const pollMs = options.healthPollMs ?? 250;
	let failed = false; // once one service gives up, the others stop polling too
	await Promise.all(
		SERVICES.map(async (service) => {
			while (!failed) {
				const h = await options.health.serviceHealthy(node, service);
				if (h.ok) return;
				if (Date.now() > deadline) {
					failed = true;
					throw new StepError(`${service} on ${node.name} is not healthy: ${h.detail}`, `run \`k8s-master-setup status\` and look at journalctl -u ${service} on ${node.ip}`);
				}
				options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'verify', message: `waiting for ${service}: ${h.detail}`});
				await sleep(pollMs);
			}
		}),
	);
	// Leader election: each Lease must be held by one of the profile's nodes.
	for (;;) {
		const holders = await options.health.leaseHolders().catch(() => ({}) as Record<string, string | undefined>);
		const missing = (['kube-controller-manager', 'kube-scheduler'] as const).filter((l) => {
			const identity = holders[l];
			return !identity || mapHolderToNode(identity, leaseNodes) === null;
		});
		if (missing.length === 0) return 'unchanged';
		if (Date.now() > deadline) {
			throw new StepError(`no master holds the ${missing.join(' and ')} Lease`, 'check the controller-manager/scheduler journals for leader-election errors (RBAC, kubeconfig, clock)');
		}
		options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'verify', message: `waiting for a ${missing.join(' and ')} Lease holder`});
		// A GET of two Leases; a new control plane elects its leaders within seconds.
		await sleep(Math.max(pollMs, 500));
	}
}
