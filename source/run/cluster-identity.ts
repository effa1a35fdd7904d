// The cluster's identity, checked on every node before anything is written: its CA, its
// service-account public key (every token), its front-proxy CA and its encryption config
// (every Secret). A state directory that did not build the cluster (a new laptop, a lost
// one, a second copy of the profile) would otherwise plan its own new keys and roll them
// out: every token and every Secret of the cluster lost, with a green run. The check is
// pure: the node's hashes come from the gate's read (remote-hashes.ts), over the same
// connection, and a node that holds none of these files yet (a new master) passes.
import type {PlannedFile} from '../plan/types.js';
import type {PreflightProblem} from './preflight.js';

/**
 * Per path, the hash this state directory last placed on the node (installed-nodes.json):
 * accepted too, so a file this state rightly changed (a brought CA renewed with its own key,
 * another rendering of the same key) is not taken for another cluster's.
 */
export type PlacedIdentity = ReadonlyMap<string, string>;

export interface IdentityDifference {
	path: string;
	role: NonNullable<PlannedFile['identity']>;
	/** sha256 of the file on the node. */
	onNode: string;
	/** sha256 of what this state directory would place. */
	planned: string;
}

/** The identity files whose content on the node is neither what is planned nor what this state placed there. */
export function identityDifferences(
	files: readonly PlannedFile[],
	onNode: ReadonlyMap<string, string | undefined>,
	placed: PlacedIdentity | undefined,
	/** Per path, other contents this run accepts on any node (an encryption rotation's phases). */
	accepted?: ReadonlyMap<string, ReadonlySet<string>>,
): IdentityDifference[] {
	const differences: IdentityDifference[] = [];
	for (const file of files) {
		if (file.identity === undefined) continue;
		const theirs = onNode.get(file.path);
		if (theirs === undefined || theirs === file.sha256 || placed?.get(file.path) === theirs || accepted?.get(file.path)?.has(theirs)) continue;
		differences.push({path: file.path, role: file.identity, onNode: theirs, planned: file.sha256});
	}
	return differences;
}

/**
 * The refusal (exit 2) for a node whose identity differs: the node, each file and both
 * fingerprints, and the ways on. When the encryption config alone differs and the node holds
 * this cluster's CA (`files` lets that be seen), it is the same cluster with its config
 * changed on the node (edited by hand, left by another tool): said so, since writing the
 * state's over it would make unreadable any Secret written with a key only that file holds.
 */
export function judgeClusterIdentity(
	node: string,
	differences: readonly IdentityDifference[],
	files: readonly PlannedFile[] = [],
	onNode: ReadonlyMap<string, string | undefined> = new Map(),
): PreflightProblem | undefined {
	if (differences.length === 0) return undefined;
	const sameCa = files.some((f) => f.identity === 'cluster CA' && onNode.get(f.path) === f.sha256);
	const only = differences.length === 1 ? differences[0] : undefined;
	if (only?.role === 'encryption config' && sameCa) {
		return {
			check: 'encryption config',
			message: `${node}: its encryption config ${only.path} differs from the state's (sha256 ${short(only.onNode)} there, ${short(only.planned)} in this state directory), while its CA is this cluster's: edited by hand, or left by another tool`,
			hint: `look at the file on ${node}: Secrets written with a key only it holds would become unreadable if it were replaced. Undo the edit, or remove the file from ${node} and run apply, which writes the state's; nothing was written`,
		};
	}
	const described = differences.map((d) => `${d.role} ${d.path} (sha256 ${short(d.onNode)} there, ${short(d.planned)} in this state directory)`);
	return {
		check: 'cluster identity',
		message: `${node} belongs to a cluster this state directory did not build: ${described.join('; ')}; writing them would replace the cluster's keys (every service-account token, every Secret)`,
		hint: `run with the state directory that built it (--state-dir DIR), or rebuild one from the nodes: k8s-master-setup state recover --from ${node} with this profile; nothing was written`,
	};
}

/** Enough of a sha256 to tell two files apart by eye (and to grep for), never a secret: a hash of a file. */
function short(sha256: string): string {
	return `${sha256.slice(0, 16)}…`;
}
