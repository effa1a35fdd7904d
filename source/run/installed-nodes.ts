// The entry a run records for each node it finished (state/installed-nodes-file.ts keeps them).
import type {InstalledNode} from '../state/installed-nodes-file.js';
import type {NodeRun} from './node-run.js';

export type {InstalledNode, InstalledNodes} from '../state/installed-nodes-file.js';

/** The entry for a node that a run finished (mergeInstalled keeps when it was first installed). */
export function installedEntry(run: NodeRun, release: string, now: Date): InstalledNode {
	const at = now.toISOString();
	return {
		name: run.plan.node.name,
		ip: run.plan.node.ip,
		hostname: run.hostname ?? null,
		release,
		installedAt: at,
		appliedAt: at,
		// Only what the node is known to hold (matched or uploaded): a node a stopped rollout never
		// reached keeps, in the record, what it was placed before (mergeInstalled).
		identity: Object.fromEntries(run.plan.files.filter((f) => f.identity !== undefined && run.known.get(f.path) === f.sha256).map((f) => [f.path, f.sha256])),
	};
}
