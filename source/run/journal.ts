// The journal of a rolling change, kept in the state dir while it runs: its order, its
// passes, and per node the generation kept before its first new file and the services
// it finished. A run killed at any point (SIGKILL, a lost machine) leaves it behind, and
// the next run of the same change carries on from it with the same order and rules:
// finished services are not restarted (their markers already say so), and a node that
// had its files but had not finished rolls back, if it must, to what it held before the
// change, not to the half-changed files it holds now.
import {createHash} from 'node:crypto';
import {z} from 'zod';
import {SERVICES, type ServiceName} from '../plan/types.js';
import type {Plan} from '../plan/types.js';
import {serviceInputDigest} from './changes.js';

const Service = z.enum(SERVICES as unknown as [ServiceName, ...ServiceName[]]);

const JournalSchema = z.object({
	version: z.literal(1),
	startedAt: z.string(),
	/** The release and every service's inputs on every node the change leads to (changeTarget). */
	target: z.string(),
	release: z.string(),
	order: z.array(z.string()),
	passes: z.array(z.array(Service)),
	/** 'running' until the rollout ends; 'stopped' when it ended at a failed node. */
	state: z.enum(['running', 'stopped']),
	/** The etcd snapshot taken before a minor upgrade, as logged. */
	snapshot: z.string().optional(),
	nodes: z.record(
		z.string(),
		z.object({
			generation: z.object({id: z.string(), dir: z.string()}).optional(),
			/** Services restarted with the new files (a rollback restarts them again). */
			restarted: z.array(Service),
			/** Services that passed their gate with the new files. */
			finished: z.array(Service),
			/** Every restart the change planned on the node is finished. */
			done: z.boolean().optional(),
			rolledBack: z.boolean().optional(),
		}),
	),
});

export type Journal = z.infer<typeof JournalSchema>;
export type JournalNode = Journal['nodes'][string];

/** Where a journal is kept (the state dir, in apply-action.ts); tests keep it in memory. */
export interface JournalStore {
	read(): string | undefined;
	write(text: string): void;
	remove(): void;
}

/** What a change leads to: the same digest means a re-run of the same change. */
export function changeTarget(plan: Plan): string {
	const h = createHash('sha256').update(`${plan.kubernetesRelease}\n`);
	for (const np of [...plan.nodes].sort((a, b) => a.node.name.localeCompare(b.node.name))) {
		for (const service of SERVICES) h.update(`${np.node.name} ${service} ${serviceInputDigest(np, service)}\n`);
	}
	return h.digest('hex');
}

/** The journal kept in the store, or why it cannot be used (then it is treated as absent). */
export function readJournal(store: JournalStore): {journal?: Journal; unreadable?: string} {
	const text = store.read();
	if (text === undefined) return {};
	try {
		const parsed = JournalSchema.safeParse(JSON.parse(text));
		return parsed.success ? {journal: parsed.data} : {unreadable: parsed.error.issues[0]?.message ?? 'not a journal'};
	} catch (error) {
		return {unreadable: error instanceof Error ? error.message : String(error)};
	}
}

/** The journal, written after every step it records; atomic in the store (state dir). */
export class JournalWriter {
	constructor(
		private readonly store: JournalStore,
		readonly journal: Journal,
	) {
		this.flush();
	}

	node(name: string): JournalNode {
		return (this.journal.nodes[name] ??= {restarted: [], finished: []});
	}

	update(change: (journal: Journal) => void): void {
		change(this.journal);
		this.flush();
	}

	/** The change ran to its end on every node: nothing is left to resume. */
	complete(): void {
		this.store.remove();
	}

	private flush(): void {
		this.store.write(`${JSON.stringify(this.journal, null, 2)}\n`);
	}
}

/** What a run takes over from the journal of an earlier run of a change. */
export interface Resume {
	/** The earlier run was of this same change: its order, passes and snapshot stand. */
	same: boolean;
	order?: string[];
	passes?: ServiceName[][];
	snapshot?: string;
	/** Per node: the generation kept before the change, and what it restarted with the new files. */
	kept: Map<string, Pick<JournalNode, 'generation' | 'restarted'>>;
	line: string;
}

/**
 * What carries over from `prior` to a run of the change `target` on `names`. The same
 * change keeps its order (nodes added since go last), its passes, its snapshot, and
 * every node's kept generation. Another change (the profile was edited after the kill)
 * starts afresh, except that a node the earlier run left half-changed keeps the
 * generation from before it: the last files it is known to have run well with.
 */
export function resumeFrom(prior: Journal, target: string, names: readonly string[]): Resume {
	const same = prior.target === target;
	const kept = new Map<string, Pick<JournalNode, 'generation' | 'restarted'>>();
	for (const [name, node] of Object.entries(prior.nodes)) {
		if (!names.includes(name) || node.rolledBack || !node.generation) continue;
		if (same || !node.done) kept.set(name, {generation: node.generation, restarted: node.restarted});
	}
	const how = prior.state === 'stopped' ? 'it stopped at a failed node' : 'it was interrupted';
	if (!same) {
		const half = [...kept.keys()];
		return {
			same,
			kept,
			line: `the change started ${prior.startedAt} did not finish (${how}) and the profile has changed since: this is a new change${half.length > 0 ? `; ${half.join(', ')} ${half.length === 1 ? 'keeps' : 'keep'} the generation from before that change to roll back to` : ''}`,
		};
	}
	const order = [...prior.order.filter((n) => names.includes(n)), ...names.filter((n) => !prior.order.includes(n))];
	const finished = order.filter((n) => prior.nodes[n]?.done && !prior.nodes[n]?.rolledBack);
	return {
		same,
		order,
		passes: prior.passes,
		...(prior.snapshot !== undefined ? {snapshot: prior.snapshot} : {}),
		kept,
		line: `carrying on with the change started ${prior.startedAt} (${how}), in its order ${order.join(', ')}${finished.length > 0 ? `: ${finished.join(', ')} finished and ${finished.length === 1 ? 'is' : 'are'} not restarted again` : ''}`,
	};
}
