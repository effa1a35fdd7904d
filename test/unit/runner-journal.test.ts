// The journal of a rolling change (source/run/journal.ts): a run killed part-way leaves it
// in the state dir, and the next run of the same change carries on from it: the same
// order, no restart of a node that finished, and a rollback of the node it was killed
// on goes back to what that node held before the change, not to its half-changed files.
import {describe, expect, it} from 'vitest';
import type {JournalStore} from '../../source/run/journal.js';
import {readJournal} from '../../source/run/journal.js';
import type {FakeNode} from './fake-node.js';
import {lab, makePlan, of, run} from './runner-fixtures.js';

const UNIT = '/etc/systemd/system/kube-apiserver.service';

function memoryStore(): JournalStore & {text?: string} {
	const store: JournalStore & {text?: string} = {
		read: () => store.text,
		write: (text) => {
			store.text = text;
		},
		remove: () => {
			delete store.text;
		},
	};
	return store;
}

async function servingLab(): Promise<Map<string, FakeNode>> {
	const nodes = lab();
	const {result} = await run(nodes);
	expect(result.ok).toBe(true);
	return nodes;
}

const node = (nodes: Map<string, FakeNode>, name: string) => nodes.get(name) as FakeNode;

/** The node's apiserver fails to start while its unit file holds `flag`, and starts on any other. */
function brokenWith(n: FakeNode, flag: string): void {
	n.onRestart = (service) => {
		if (service === 'kube-apiserver' && n.files.get(UNIT)?.content.toString().includes(flag)) n.broken.set(service, `E1201 unknown flag: ${flag}`);
		else n.broken.delete(service);
	};
}

/**
 * Starts the change and "kills" the run when it asks `name` to restart its apiserver: that
 * call never answers, and the run is abandoned there, as a SIGKILL would leave it (the
 * node holds its new files, its apiserver still runs the old ones).
 */
async function killedAt(nodes: Map<string, FakeNode>, name: string, store: JournalStore, flag: string): Promise<void> {
	let reached!: () => void;
	const there = new Promise<void>((resolve) => (reached = resolve));
	node(nodes, name).beforeAnswer = async (call) => {
		if (call !== 'restart kube-apiserver') return;
		reached();
		await new Promise(() => undefined);
	};
	void run(nodes, {journal: store}, makePlan(flag));
	await there;
	// From here on the nodes answer again; the abandoned run waits forever and touches nothing.
	node(nodes, name).beforeAnswer = undefined;
	for (const n of nodes.values()) n.calls = [];
}

describe('the journal of a rolling change', () => {
	it('a re-run after a kill carries on: the finished node is not restarted, the node it stopped at keeps its generation', async () => {
		const nodes = await servingLab();
		const store = memoryStore();
		await killedAt(nodes, 'm2', store, '--v=3');
		const left = readJournal(store).journal;
		expect(left?.state).toBe('running');
		expect(left?.order).toEqual(['m1', 'm2', 'm3']);
		expect(left?.nodes.m1).toMatchObject({done: true, finished: expect.arrayContaining(['kube-apiserver'])});
		expect(left?.nodes.m2?.generation).toBeDefined();
		expect(left?.nodes.m2?.restarted).toEqual(['kube-apiserver']);

		const {events, result} = await run(nodes, {journal: store}, makePlan('--v=3'));
		expect(result.ok).toBe(true);
		expect(node(nodes, 'm1').calls.filter((c) => c.startsWith('restart') || c.startsWith('keepGeneration'))).toEqual([]);
		expect(node(nodes, 'm2').calls.filter((c) => c.startsWith('keepGeneration'))).toEqual([]);
		expect(node(nodes, 'm2').calls).toContain('restart kube-apiserver');
		expect(node(nodes, 'm3').calls).toContain('restart kube-apiserver');
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContainEqual(expect.stringMatching(/^carrying on with the change started .* \(it was interrupted\), in its order m1, m2, m3: m1 finished/));
		// The change ran to its end: nothing is left to resume.
		expect(store.text).toBeUndefined();
	});

	it('a rollback after the kill puts back the files from before the change, not the half-changed ones', async () => {
		const nodes = await servingLab();
		const store = memoryStore();
		await killedAt(nodes, 'm2', store, '--v=3');
		expect(node(nodes, 'm2').files.get(UNIT)?.content.toString()).toContain('--v=3');
		brokenWith(node(nodes, 'm2'), '--v=3');
		const {result} = await run(nodes, {journal: store}, makePlan('--v=3'));
		expect(result.failedNodes).toEqual(['m2']);
		expect(node(nodes, 'm2').files.get(UNIT)?.content.toString()).toContain('--v=2');
		expect(node(nodes, 'm3').calls.filter((c) => c.startsWith('upload') || c.startsWith('restart'))).toEqual([]);
		// It stopped at a failed node: the journal stays, and says so.
		expect(readJournal(store).journal).toMatchObject({state: 'stopped', nodes: {m2: {rolledBack: true}}});
	});

	it('a changed profile after the kill is a new change; the half-changed node still rolls back to before the first one', async () => {
		const nodes = await servingLab();
		const store = memoryStore();
		await killedAt(nodes, 'm2', store, '--v=3');
		brokenWith(node(nodes, 'm2'), '--v=4');
		const {events, result} = await run(nodes, {journal: store}, makePlan('--v=4'));
		expect(result.failedNodes).toEqual(['m2']);
		expect(node(nodes, 'm2').files.get(UNIT)?.content.toString()).toContain('--v=2');
		// m1 finished the first change: this one keeps what m1 holds now (--v=3) as its generation.
		expect(node(nodes, 'm1').calls.filter((c) => c.startsWith('keepGeneration'))).toHaveLength(1);
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContainEqual(expect.stringContaining('the profile has changed since: this is a new change; m2 keeps the generation from before that change'));
	});

	it('an unreadable journal is reported and the change starts afresh', async () => {
		const nodes = await servingLab();
		const store = memoryStore();
		store.text = '{"version": 9}';
		const {events, result} = await run(nodes, {journal: store}, makePlan('--v=3'));
		expect(result.ok).toBe(true);
		expect(of(events, 'log').map((e) => (e as {line: string}).line)).toContainEqual(expect.stringContaining('the journal of an earlier change could not be read'));
		expect(store.text).toBeUndefined();
	});
});

describe('nodes on two minors', () => {
	async function halfUpgraded(): Promise<Map<string, FakeNode>> {
		const nodes = await servingLab();
		for (const n of nodes.values()) {
			for (const s of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) n.versions.set(s, n.name === 'm1' ? 'v1.37.2' : 'v1.36.3');
			n.calls = [];
		}
		return nodes;
	}
	const wrote = (nodes: Map<string, FakeNode>) => [...nodes.values()].flatMap((n) => n.calls.filter((c) => /^(upload|restart|keepGeneration)/.test(c)));

	it('are refused (exit 2, nothing written) when no journal here records an upgrade to the planned release', async () => {
		const nodes = await halfUpgraded();
		const {events, result} = await run(nodes, {journal: memoryStore()}, makePlan('--v=3'));
		expect(result.refused).toBe(true);
		expect(wrote(nodes)).toEqual([]);
		const failed = events.find((e) => e.type === 'step-failed') as {node: string; step: string; cause: string; hint: string};
		expect(failed).toMatchObject({step: 'preflight', node: 'm2'});
		expect(failed.cause).toBe('m1 runs kube-apiserver v1.37.2 while m2 runs kube-apiserver v1.36.3, and no change recorded in this state directory explains it');
		expect(failed.hint).toContain('--allow-mixed-releases');
	});

	it('are carried on when the journal records the upgrade, or with --allow-mixed-releases', async () => {
		const recorded = memoryStore();
		recorded.text = JSON.stringify({version: 1, startedAt: '2026-12-01T10:00:00.000Z', target: 'other', release: 'v1.37.2', order: ['m1', 'm2', 'm3'], passes: [['kube-apiserver']], state: 'running', nodes: {}});
		for (const extra of [{journal: recorded}, {allowMixedReleases: true}]) {
			const nodes = await halfUpgraded();
			const {result} = await run(nodes, extra, makePlan('--v=3'));
			expect(result.ok, JSON.stringify(Object.keys(extra))).toBe(true);
			expect(wrote(nodes).length).toBeGreaterThan(0);
		}
	});
});
