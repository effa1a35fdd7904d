// Removing a master, the pure part: which node (one a run), whether it may go, what the
// plan says, and when it is gone from the cluster's view (the EndpointSlice and both
// Leases). A master that left the profile is one installed-nodes.json records and the
// profile no longer names (state/installed-nodes-file.ts).
import {holderHostname, mapHolderToNode} from '../../cluster/lease.js';
import type {InstalledNode} from '../../state/installed-nodes-file.js';

export interface RemovalProblem {
	message: string;
	hint: string;
}

/**
 * The steps of a removal, in order: `name` is how the events, the grid and the plain lines
 * call it (at most 18 characters, the plain output's step column), `does` how the plan and
 * the dry run describe it.
 */
export const REMOVAL_STEPS = [
	{name: 'stop-services', does: 'stop kube-scheduler, kube-controller-manager, kube-apiserver (graceful, then disabled)'},
	{name: 'wait-gone', does: 'wait until its address left the kubernetes EndpointSlice and both Leases are held by other masters'},
	{name: 'delete-lease', does: 'delete its apiserver identity Lease'},
	{
		name: 'remove-files',
		does: 'remove its units, certificates and keys, kubeconfigs, encryption and audit configs, work directories and generations (binaries too with --purge)',
	},
	{name: 'forget', does: 'forget it in the state directory'},
] as const;

export type RemovalStepName = (typeof REMOVAL_STEPS)[number]['name'];
export const REMOVAL_STEP_NAMES: readonly RemovalStepName[] = REMOVAL_STEPS.map((s) => s.name);

/**
 * Refusals before anything is changed (exit 2): two removals in one run; the profile with no
 * master that serves to keep the cluster (its last master); a master of the profile whose
 * apiserver is not ready (the cluster would be short of two at once).
 */
export function judgeRemoval(
	departed: readonly InstalledNode[],
	profileNodes: ReadonlyArray<{name: string}>,
	ready: ReadonlyMap<string, boolean>,
): RemovalProblem | undefined {
	if (departed.length === 0) return undefined;
	if (departed.length > 1) {
		return {
			message: `${departed.map((d) => d.name).join(', ')} left the profile together: one master is removed per run`,
			hint: `put all but ${departed[0]!.name} back into the profile's nodes, apply (it removes ${departed[0]!.name}), then take out the next`,
		};
	}
	const gone = departed[0]!;
	const serving = profileNodes.filter((n) => ready.get(n.name) === true);
	if (serving.length === 0) {
		return {
			message: `removing ${gone.name} would leave no serving master: no master of the profile has a ready kube-apiserver`,
			hint: 'the last master is never removed: add and apply the master that replaces it first, then remove this one',
		};
	}
	const down = profileNodes.filter((n) => ready.get(n.name) !== true);
	if (down.length > 0) {
		return {
			message: `removing ${gone.name} while ${down.map((n) => n.name).join(', ')} ${down.length === 1 ? 'is' : 'are'} not ready would leave the cluster two masters short`,
			hint: `bring ${down.map((n) => n.name).join(', ')} back (apply, status), then run again`,
		};
	}
	return undefined;
}

/** The dry run's and the confirmation's description of the removal; `stackedEtcd`: its etcd member leaves first. */
export function describeRemoval(gone: InstalledNode, purge: boolean, stackedEtcd = false): string[] {
	const does = (s: (typeof REMOVAL_STEPS)[number]) => {
		if (s.name !== 'remove-files') return s.does;
		const files = purge ? s.does.replace('(binaries too with --purge)', 'and its binaries') : s.does;
		return stackedEtcd ? `take its etcd member out of the cluster (leadership moved off it first, member remove), stop it, then ${files}, and the member's data dir` : files;
	};
	return [`${gone.name} (${gone.ip}): installed by this state directory on ${gone.installedAt.slice(0, 10)}, no longer in the profile: to be removed`, ...REMOVAL_STEPS.map((s, i) => `  ${i + 1}. ${does(s)}`)];
}

/** Whether the removed master is out of the cluster's view: not in the EndpointSlice, no Lease held by it. */
export function goneFromCluster(
	gone: InstalledNode,
	sliceAddresses: readonly string[],
	holders: Partial<Record<'kube-controller-manager' | 'kube-scheduler', string>>,
): {gone: true} | {gone: false; waiting: string} {
	if (sliceAddresses.includes(gone.ip)) return {gone: false, waiting: `${gone.ip} is still in the kubernetes EndpointSlice`};
	for (const lease of ['kube-controller-manager', 'kube-scheduler'] as const) {
		const holder = holders[lease];
		if (holder === undefined) return {gone: false, waiting: `nobody holds the ${lease} Lease yet`};
		if (mapHolderToNode(holder, [{name: gone.name, hostname: gone.hostname}]) === gone.name) return {gone: false, waiting: `the ${lease} Lease is still held by ${gone.name} (${holderHostname(holder)})`};
	}
	return {gone: true};
}

/** The apiserver identity Leases (kube-system, label apiserver.kubernetes.io/identity) of the removed master's hostname. */
export function identityLeasesOf(listJson: string, hostname: string | null, name: string): string[] {
	try {
		const list = JSON.parse(listJson) as {items?: Array<{metadata?: {name?: string; labels?: Record<string, string>}}>};
		const host = (hostname ?? name).toLowerCase();
		return (list.items ?? [])
			.filter((l) => (l.metadata?.labels?.['kubernetes.io/hostname'] ?? '').toLowerCase() === host)
			.map((l) => l.metadata?.name ?? '')
			.filter(Boolean);
	} catch {
		return [];
	}
}
