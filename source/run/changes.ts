import {createHash} from 'node:crypto';
import type {StepName} from '../profile/schema.js';
import {SERVICES, type NodePlan, type PlannedFile, type ServiceName} from '../plan/types.js';

/**
 * What is on a node now, as far as the plan cares: one sha256 per planned path, the
 * input digest each service was last started with (a marker this tool writes after the
 * service is healthy), and whether each service is active and enabled.
 */
export interface RemoteState {
	hashes: ReadonlyMap<string, string | undefined>;
	appliedDigests: ReadonlyMap<ServiceName, string | undefined>;
	active: ReadonlyMap<ServiceName, boolean>;
	enabled: ReadonlyMap<ServiceName, boolean>;
	/** A stacked etcd's member on the node (read only when the plan has one). */
	etcd?: {active: boolean; enabled: boolean; applied?: string};
}

export interface NodeChanges {
	/** Files whose remote content differs from the plan, by the step that writes them. */
	files: Map<StepName, PlannedFile[]>;
	/** Services to (re)start, with the reason shown to the user. */
	restarts: Map<ServiceName, string>;
	/** Services only to enable (already running with the right inputs). */
	enable: Set<ServiceName>;
}

/**
 * The digest of everything a service reads. Written to the node once the service is
 * healthy; a run killed between writing files and restarting leaves the old digest
 * behind, so the next run still restarts the service (re-running resumes).
 */
export function serviceInputDigest(plan: NodePlan, service: ServiceName): string {
	return inputDigest(plan.files.filter((x) => x.services.includes(service)));
}

/** The digest of a unit's inputs (their paths and contents), whatever the unit: a service, a stacked etcd's member. */
export function inputDigest(inputs: readonly PlannedFile[]): string {
	const h = createHash('sha256');
	for (const f of [...inputs].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.sha256}\n`);
	return h.digest('hex');
}

/**
 * Why a unit reading `inputs` must (re)start, or undefined: an input differs on the node, it
 * is not running, or the digest it last started with (its marker) is not these inputs'.
 */
export function restartReason(inputs: readonly PlannedFile[], hashes: RemoteState['hashes'], unit: {active: boolean; applied: string | undefined}): string | undefined {
	const changed = inputs.filter((f) => hashes.get(f.path) !== f.sha256).map((f) => f.path);
	if (changed.length > 0) return `inputs changed: ${changed.map(shortPath).join(', ')}`;
	if (!unit.active) return 'not running';
	if (unit.applied !== inputDigest(inputs)) return unit.applied === undefined ? 'not started by this tool yet' : 'last start did not finish with these inputs';
	return undefined;
}

export function computeChanges(plan: NodePlan, remote: RemoteState): NodeChanges {
	const files = new Map<StepName, PlannedFile[]>();
	for (const f of plan.files) {
		if (remote.hashes.get(f.path) === f.sha256) continue;
		const list = files.get(f.step) ?? [];
		list.push(f);
		files.set(f.step, list);
	}
	const restarts = new Map<ServiceName, string>();
	const enable = new Set<ServiceName>();
	for (const service of SERVICES) {
		const inputs = plan.files.filter((f) => f.services.includes(service));
		const reason = restartReason(inputs, remote.hashes, {active: remote.active.get(service) === true, applied: remote.appliedDigests.get(service)});
		if (reason !== undefined) restarts.set(service, reason);
		else if (!remote.enabled.get(service)) enable.add(service);
	}
	return {files, restarts, enable};
}

function shortPath(path: string): string {
	return path.slice(path.lastIndexOf('/') + 1);
}
