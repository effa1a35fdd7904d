import type {ServiceName} from '../../plan/types.js';
import {changeTarget, JournalWriter, readJournal, resumeFrom} from '../journal.js';
import {need, type NodeRun} from '../node-run.js';
import {rolloutOrder, rolloutPasses} from './rules.js';
import type {RunnerOptions} from '../run-options.js';

/**
 * The rollout's order and passes, and its journal (journal.ts) when the run keeps one: a
 * journal left by an earlier run of the same change sets them, and gives back each
 * node's kept generation, so a re-run after a kill carries on where that run stopped.
 */
export function openJournal(options: RunnerOptions, runs: NodeRun[]): {order: NodeRun[]; passes: ServiceName[][]; journal?: JournalWriter; snapshot?: string} {
	const fresh = {order: rolloutOrder(runs), passes: rolloutPasses(options.plan.kubernetesRelease, runs)};
	const store = options.journal;
	if (!store) return fresh;
	const lead = need(fresh.order[0]).plan.node.name;
	const say = (line: string) => options.emit({type: 'log', at: Date.now(), node: lead, line});
	const target = changeTarget(options.plan);
	const {journal: prior, unreadable} = readJournal(store);
	if (unreadable) say(`the journal of an earlier change could not be read (${unreadable}): starting afresh`);
	const resume = prior ? resumeFrom(prior, target, runs.map((r) => r.plan.node.name)) : undefined;
	if (resume) say(resume.line);
	const byName = new Map(runs.map((r) => [r.plan.node.name, r]));
	const order = resume?.order?.map((n) => need(byName.get(n))) ?? fresh.order;
	const passes = resume?.passes ?? fresh.passes;
	for (const [name, kept] of resume?.kept ?? []) {
		const run = need(byName.get(name));
		if (kept.generation) run.generation = kept.generation;
		for (const s of kept.restarted) run.restarted.add(s);
	}
	const journal = new JournalWriter(store, {
		version: 1,
		startedAt: resume?.same && prior ? prior.startedAt : new Date().toISOString(),
		target,
		release: options.plan.kubernetesRelease,
		order: order.map((r) => r.plan.node.name),
		passes,
		state: 'running',
		...(resume?.snapshot !== undefined ? {snapshot: resume.snapshot} : {}),
		nodes: Object.fromEntries([...(resume?.kept ?? [])].map(([name, kept]) => [name, {...kept, finished: resume?.same ? [...(prior?.nodes[name]?.finished ?? [])] : []}])),
	});
	return {order, passes, journal, ...(resume?.snapshot !== undefined ? {snapshot: resume.snapshot} : {})};
}

export function addOnce<T>(list: T[], item: T): void {
	if (!list.includes(item)) list.push(item);
}

