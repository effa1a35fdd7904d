// installed-nodes.json in the state directory: the nodes it installed (run/installed-nodes.ts),
// written atomically (0600) after every run that went past the gate. A file that does not
// parse is an error that names it, never an empty record: an empty one would accept nothing
// it placed, but would also forget which nodes it installed.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {UserError} from '../errors.js';
import {mergeInstalled, type InstalledNode, type InstalledNodes} from '../run/installed-nodes.js';
import {writeFileAtomic} from './state-dir.js';

export const INSTALLED_NODES_FILE = 'installed-nodes.json';

export function readInstalledNodes(stateDir: string): InstalledNode[] {
	const path = join(stateDir, INSTALLED_NODES_FILE);
	let text: string;
	try {
		text = readFileSync(path, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
		throw error;
	}
	const parsed = safeParse(text);
	if (!parsed) throw new UserError(`${path} is not a record of installed nodes (not the JSON this tool writes)`, 'restore it from a backup, or move it aside (the identity check then accepts only what this state directory plans)');
	return parsed;
}

function safeParse(text: string): InstalledNode[] | undefined {
	try {
		const value = JSON.parse(text) as {version?: unknown; nodes?: unknown};
		if (value.version !== 1 || !Array.isArray(value.nodes)) return undefined;
		const nodes = value.nodes as InstalledNode[];
		return nodes.every((n) => typeof n?.name === 'string' && typeof n.identity === 'object' && n.identity !== null) ? nodes : undefined;
	} catch {
		return undefined;
	}
}

export function writeInstalledNodes(stateDir: string, nodes: readonly InstalledNode[]): void {
	writeFileAtomic(join(stateDir, INSTALLED_NODES_FILE), `${JSON.stringify({version: 1, nodes}, null, '\t')}\n`, 0o600, {durable: true, dirMode: 0o700});
}

/** The record as the runner uses it: read once, written on remember(). */
export function installedNodesFile(stateDir: string, recorded = readInstalledNodes(stateDir)): InstalledNodes & {recorded: InstalledNode[]} {
	let current = recorded;
	return {
		get recorded() {
			return current;
		},
		placedIdentity: (node) => {
			const entry = current.find((n) => n.name === node);
			return entry ? new Map(Object.entries(entry.identity)) : undefined;
		},
		remember: (finished) => {
			current = mergeInstalled(current, finished);
			writeInstalledNodes(stateDir, current);
		},
	};
}
