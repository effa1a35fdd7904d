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
		identity: Object.fromEntries(run.plan.files.filter((f) => f.identity !== undefined).map((f) => [f.path, f.sha256])),
	};
}
