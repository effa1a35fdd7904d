// What a state directory remembers of the nodes it installed: name, address, hostname,
// release, when, and the hash of each identity file it placed there. The gate accepts those
// hashes (cluster-identity.ts); `apply` tells a node that left the profile from one it never
// touched. The file behind it is state/installed-nodes-file.ts.
import type {NodeRun} from './node-run.js';
import type {PlacedIdentity} from './cluster-identity.js';

export interface InstalledNode {
	name: string;
	ip: string;
	/** From preflight (`hostname`); null when it did not say. */
	hostname: string | null;
	/** The release the run placed, e.g. v1.37.2. */
	release: string;
	/** ISO time of the first run that finished on the node, and of the latest. */
	installedAt: string;
	appliedAt: string;
	/** Identity file path → sha256 of what was placed. */
	identity: Record<string, string>;
}

export interface InstalledNodes {
	/** The identity hashes this state placed on the node, or undefined for a node it never finished. */
	placedIdentity(node: string): PlacedIdentity | undefined;
	/** Record the nodes a run finished (merged by name: a node not in this run stays recorded). */
	remember(nodes: readonly InstalledNode[]): void;
}

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

/**
 * A run's entries merged into what was recorded, by name: the new entry wins but keeps the
 * first installedAt (and a hostname it did not learn); recorded names first, then new ones.
 */
export function mergeInstalled(recorded: readonly InstalledNode[], finished: readonly InstalledNode[]): InstalledNode[] {
	const byName = new Map(recorded.map((n) => [n.name, n] as const));
	for (const n of finished) {
		const before = byName.get(n.name);
		byName.set(n.name, before ? {...n, installedAt: before.installedAt, hostname: n.hostname ?? before.hostname} : n);
	}
	return [...byName.values()];
}

/** Recorded nodes that the profile no longer names: installed here, left running, not removed by the tool. */
export function nodesLeftProfile(recorded: readonly InstalledNode[], profileNodes: ReadonlyArray<{name: string}>): InstalledNode[] {
	const names = new Set(profileNodes.map((n) => n.name));
	return recorded.filter((n) => !names.has(n.name));
}
