import type {StepName} from '../profile/schema.js';
import type {NodePlan, ServiceName} from '../plan/types.js';
import type {Generation} from './generations.js';
import type {NodeChanges, RemoteState} from './changes.js';
import type {NodeSession} from './node-session.js';

/** One node's part of a run: its plan, its session, what was read and what was done. */
export interface NodeRun {
	plan: NodePlan;
	session?: NodeSession;
	remote?: RemoteState;
	changes?: NodeChanges;
	failedStep?: StepName;
	/** From preflight; Lease holder identities are `<hostname>_<uuid>`. */
	hostname?: string;
	directoriesReady?: Promise<void>;
	/** A reconnection in progress, shared by the steps that lost the connection together. */
	reconnecting?: Promise<void>;
	changed: string[];
	/** Paths known to hold their planned content (matched or uploaded), for the node's hash cache. */
	known: Map<string, string>;
	/** The node's hash cache needs rewriting (a file was hashed in full or uploaded). */
	cacheDirty: boolean;
	/** Services this run (re)started on the node: a rollback restarts them with their old files. */
	restarted: Set<ServiceName>;
	/** A stacked etcd's member this run restarted (a rollback restarts it on its old files). */
	memberRestarted?: boolean;
	/** A stacked etcd's member this run added to the cluster (a rollback removes it again: leave-member.ts). */
	memberJoined?: boolean;
	/** The release each component's binary on the node reported in preflight. */
	versions?: ReadonlyMap<ServiceName, string | undefined>;
	/** Preflight refused the change (the version skew policy): invalid input, not a fault. */
	refused?: boolean;
	/** What the node held before this run changed it (rolling changes only). */
	generation?: Generation;
}

/** What a step's body reports: the paths it wrote and services it restarted, or nothing to do. */
export type Outcome = {changed: string[]} | 'unchanged';

export function newNodeRun(plan: NodePlan): NodeRun {
	return {plan, changed: [], known: new Map(), cacheDirty: false, restarted: new Set()};
}

export function need<T>(value: T | undefined): T {
	if (value === undefined) throw new Error('internal: step ran before its prerequisites');
	return value;
}
