// installed-nodes.json in the state directory: what it remembers of the nodes it installed
// (name, address, hostname, release, when, and the hash of each identity file placed there;
// the gate accepts those, run/cluster-identity.ts), written atomically (0600) after every run
// that went past the gate. A file that does not parse is an error that names it, never an
// empty record: an empty one would forget which nodes this state directory installed.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import * as z from 'zod/mini';
import {UserError} from '../errors.js';
import {writeFileAtomic} from './state-dir.js';

export const INSTALLED_NODES_FILE = 'installed-nodes.json';

const InstalledNodeSchema = z.object({
	name: z.string(),
	ip: z.string(),
	/** From preflight (`hostname`); null when it did not say. */
	hostname: z.nullable(z.string()),
	/** The release the run placed, e.g. v1.37.2. */
	release: z.string(),
	/** ISO time of the first run that finished on the node, and of the latest. */
	installedAt: z.string(),
	appliedAt: z.string(),
	/** Identity file path → sha256 of what was placed. */
	identity: z.record(z.string(), z.string().check(z.regex(/^[0-9a-f]{64}$/))),
});
const InstalledFileSchema = z.object({version: z.literal(1), nodes: z.array(InstalledNodeSchema)});

export type InstalledNode = z.infer<typeof InstalledNodeSchema>;

export interface InstalledNodes {
	/** The identity hashes this state placed on the node, or undefined for a node it never finished. */
	placedIdentity(node: string): ReadonlyMap<string, string> | undefined;
	/** Record the nodes a run finished (merged by name: a node not in this run stays recorded). */
	remember(nodes: readonly InstalledNode[]): void;
}

/** The record with forget(): nodes reset or removed are no longer this state directory's. */
export interface InstalledNodesFile extends InstalledNodes {
	readonly recorded: InstalledNode[];
	forget(names: readonly string[]): void;
}

/**
 * A run's entries merged into what was recorded, by name: the new entry wins but keeps the
 * first installedAt (and a hostname it did not learn); recorded names first, then new ones.
 */
export function mergeInstalled(recorded: readonly InstalledNode[], finished: readonly InstalledNode[]): InstalledNode[] {
	const byName = new Map(recorded.map((n) => [n.name, n] as const));
	for (const n of finished) {
		const before = byName.get(n.name);
		byName.set(n.name, before ? {...n, installedAt: before.installedAt, hostname: n.hostname ?? before.hostname, identity: {...before.identity, ...n.identity}} : n);
	}
	return [...byName.values()];
}

/** Recorded nodes that the profile no longer names: installed here, left running, not removed by the tool. */
export function nodesLeftProfile(recorded: readonly InstalledNode[], profileNodes: ReadonlyArray<{name: string}>): InstalledNode[] {
	const names = new Set(profileNodes.map((n) => n.name));
	return recorded.filter((n) => !names.has(n.name));
}

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
		const parsed = InstalledFileSchema.safeParse(JSON.parse(text));
		return parsed.success ? parsed.data.nodes : undefined;
	} catch {
		return undefined;
	}
}

export function writeInstalledNodes(stateDir: string, nodes: readonly InstalledNode[]): void {
	writeFileAtomic(join(stateDir, INSTALLED_NODES_FILE), `${JSON.stringify({version: 1, nodes}, null, '\t')}\n`, 0o600, {durable: true, dirMode: 0o700});
}

/** The record as the runner uses it: read once, written on remember(). */
export function installedNodesFile(stateDir: string, recorded = readInstalledNodes(stateDir)): InstalledNodesFile {
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
		forget: (names) => {
			if (!current.some((n) => names.includes(n.name))) return;
			current = current.filter((n) => !names.includes(n.name));
			writeInstalledNodes(stateDir, current);
		},
	};
}
