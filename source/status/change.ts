import type {ChangeStatus} from './json-schema.js';

/**
 * Pure: the journal of a rolling change (run/journal.ts, read by the CLI: status/ does not
 * import run/) → the report's `change` and the one line the plain table and the dashboard
 * show. A journal exists only while a change has not run to its end, so the on-call
 * engineer learns from `status` that an apply is to be carried on or fixed.
 */

/** The fields of a journal that status shows (run/journal.ts's Journal has them all). */
export interface JournalRecord {
	startedAt: string;
	release: string;
	order: readonly string[];
	state: 'running' | 'stopped';
	nodes: Readonly<Record<string, {finished: ChangeNodeServices; done?: boolean | undefined; rolledBack?: boolean | undefined}>>;
}
type ChangeNodeServices = Extract<ChangeStatus, {nodes: unknown}>['nodes'][number]['finished'];

/** What reading the journal file gave: a journal, why it cannot be read, or neither (no file). */
export interface JournalRead {
	file: string;
	journal?: JournalRecord | undefined;
	unreadable?: string | undefined;
}

export function changeStatus(read: JournalRead): ChangeStatus | null {
	if (read.unreadable !== undefined) return {state: 'unreadable', file: read.file, reason: read.unreadable};
	const journal = read.journal;
	if (!journal) return null;
	// Nodes in the change's order; one the journal has but the order lacks goes last.
	const names = [...journal.order, ...Object.keys(journal.nodes).filter((n) => !journal.order.includes(n))];
	return {
		// 'running' in a journal no run holds means the run ended without reaching its end.
		state: journal.state === 'stopped' ? 'stopped' : 'interrupted',
		startedAt: journal.startedAt,
		release: journal.release,
		order: [...journal.order],
		nodes: names.map((node) => {
			const n = journal.nodes[node];
			return {node, finished: [...(n?.finished ?? [])], done: n?.done ?? false, rolledBack: n?.rolledBack ?? false};
		}),
	};
}

/** The one line about an unfinished change, with what to do about it. */
export function changeLine(change: ChangeStatus): string {
	if (change.state === 'unreadable') {
		return `change: ${change.file}, the journal of an unfinished change, cannot be read (${change.reason}); the next apply starts the change afresh`;
	}
	const what = `a rolling change to ${change.release} started ${change.startedAt}`;
	if (change.state === 'stopped') {
		const rolledBack = change.nodes.filter((n) => n.rolledBack).map((n) => n.node);
		return `change: ${what} stopped at a failed node${rolledBack.length > 0 ? ` (rolled back: ${rolledBack.join(', ')})` : ''}; fix the profile and run apply again`;
	}
	const finished = change.nodes.filter((n) => n.done && !n.rolledBack).map((n) => n.node);
	const progress = finished.length > 0 ? `: ${finished.join(', ')} finished` : ' before any node finished';
	return `change: ${what} was interrupted${progress}; run apply with this profile to carry it on`;
}
