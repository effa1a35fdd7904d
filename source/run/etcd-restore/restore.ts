// `etcd restore`: the phases over every master, in order, each on all masters side by side
// (restore-plan.ts has the scripts and why they are split so). A phase that fails puts the
// cluster back as it was before the restore began, as far as that phase got:
//   prepare (snapshot placed, restored dir built; nothing stopped) → the restored dirs go;
//   stop (control plane, then etcd in turn)                         → started again;
//   swap (old data kept aside, restored data in place)              → old data back, started;
//   start etcd (in turn), gate (every member, one leader, the list)  → stopped, old data back,
//                                                                     started, gated;
//   start the apiservers (each /readyz), then the controller managers and schedulers (each
//   /healthz): a failure here is reported, not undone (etcd serves the restored data: undoing it would
//   lose it again; the apiserver's journal says why it does not serve).
// A stop (Ctrl-C) is taken until the first service is stopped; after that the restore goes
// on to the end, because stopping would leave the cluster without its control plane.
// The phases talk to RestoreNode (typed operations, ssh-restore-nodes.ts over SSH).
import {describeEtcdCluster, judgeEtcdCluster, type EtcdClusterView} from '../../etcd/cluster-gate.js';
import type {ServiceName} from '../../cluster/services.js';
import {describeFailure} from '../step-error.js';
import type {ManagedUnit} from '../node-session.js';
import {judgeRestoreFacts, type RestoreFacts} from './restore-plan.js';

export interface RestoreNode {
	readonly name: string;
	facts(): Promise<RestoreFacts>;
	/** The snapshot uploaded to NODE_SNAPSHOT_PATH (checked by its sha256). */
	placeSnapshot(): Promise<void>;
	/** prepareScript. */
	prepare(): Promise<void>;
	/** systemctl stop (the units stay enabled). */
	stop(units: readonly ManagedUnit[]): Promise<void>;
	/** systemctl start without waiting (a member of a new cluster is ready only once a quorum started). */
	start(units: readonly ManagedUnit[]): Promise<void>;
	swap(): Promise<void>;
	putBack(): Promise<void>;
	discard(): Promise<void>;
	journalTail(unit: ManagedUnit): Promise<string>;
}

export interface RestoreTiming {
	/** How long the members may take to serve as one cluster after their start. */
	etcdWithinMs: number;
	/** How long one member may take to serve before the next is started anyway. */
	memberWithinMs: number;
	/** How long each service may take to be healthy. */
	apiserverWithinMs: number;
	pollMs: number;
}

export const DEFAULT_RESTORE_TIMING: RestoreTiming = {etcdWithinMs: 90_000, memberWithinMs: 20_000, apiserverWithinMs: 180_000, pollMs: 1000};

export interface RestoreInput {
	nodes: readonly RestoreNode[];
	/** The etcd cluster as the tool's client sees it. */
	view(): Promise<EtcdClusterView>;
	/**
	 * Whether the member on `node` answers HTTP on its peer URL: it has passed its start-up
	 * checks and serves its peers (it serves clients only once there is a quorum).
	 */
	memberServes(node: string): Promise<boolean>;
	/** Whether `service` on `node` answers its health path ok (the apiserver /readyz, the others /healthz); else why not. */
	healthy(node: string, service: ServiceName): Promise<true | string>;
	say(line: string): void;
	/**
	 * Kept in the state directory from the first service stopped until etcd serves again
	 * (the restored data, or the old put back): while it is there, apply refuses to start
	 * members that may hold different clusters' data (restore-journal.ts).
	 */
	journal?: {begin(): void; end(): void};
	signal?: AbortSignal;
	timing?: RestoreTiming;
	clock?: {now(): number; sleep(ms: number): Promise<void>};
}

export type RestorePhase = 'prepare' | 'stop' | 'swap' | 'etcd' | 'control-plane';

export type RestoreOutcome =
	| {result: 'done'; cluster: string; tookMs: number}
	/** `undone`: the cluster was put back as it was before (its old data serving again), or how that failed too. */
	| {result: 'failed'; phase: RestorePhase; message: string; hint?: string; detail?: string; undone: true | string}
	| {result: 'stopped'};

const CONTROL_PLANE_UNITS: readonly ServiceName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const realClock = {now: () => performance.now(), sleep: (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))};

/** Whether every master can take the restore: read-only. */
export async function checkRestoreNodes(nodes: readonly RestoreNode[], snapshotBytes: number, etcdutl: string): Promise<Array<{problem: string; hint: string}>> {
	const judged = await Promise.all(
		nodes.map(async (n) => {
			try {
				return judgeRestoreFacts(n.name, await n.facts(), snapshotBytes, etcdutl);
			} catch (error) {
				const failure = describeFailure(error);
				return {problem: `${n.name}: ${failure.cause}`, hint: failure.hint ?? 'check that the node is up and reachable over SSH, then run again'};
			}
		}),
	);
	return judged.filter((p): p is {problem: string; hint: string} => p !== undefined);
}

export async function restoreEtcd(input: RestoreInput): Promise<RestoreOutcome> {
	const clock = input.clock ?? realClock;
	const started = clock.now();
	const {nodes, say} = input;
	const names = nodes.map((n) => n.name);

	say(`placing the snapshot on ${names.join(', ')} and building the restored data beside each member's`);
	const prepared = await onEvery(nodes, async (n) => {
		await n.placeSnapshot();
		await n.prepare();
	});
	if (prepared !== undefined || input.signal?.aborted) {
		await onEvery(nodes, (n) => n.discard());
		if (prepared === undefined) return {result: 'stopped'};
		return {result: 'failed', phase: 'prepare', ...prepared, hint: prepared.hint ?? 'nothing was stopped: the cluster runs as before', undone: true};
	}

	input.journal?.begin();
	say(`stopping kube-apiserver, kube-controller-manager, kube-scheduler, then etcd on ${names.join(', ')}`);
	// The members one after another: stopped all at once, each one's shutdown waited 7 s for
	// peers that were going too (seen on the lab); in turn, the three took 2 s.
	const stopped = (await onEvery(nodes, (n) => n.stop(CONTROL_PLANE_UNITS))) ?? (await inTurn(nodes, (n) => n.stop(['etcd'])));
	if (stopped !== undefined) {
		const undone = await startOld(input, clock, false);
		return {result: 'failed', phase: 'stop', ...stopped, undone};
	}

	say('moving each member\'s data dir aside (kept) and the restored data into its place');
	const swapped = await onEvery(nodes, (n) => n.swap());
	if (swapped !== undefined) {
		const undone = await startOld(input, clock, true);
		return {result: 'failed', phase: 'swap', ...swapped, undone};
	}

	say('starting the etcd members of the restored cluster, each once the one before serves');
	const etcdStarted = await startInTurn(input, clock);
	const serving = etcdStarted === undefined ? await etcdServes(input, clock) : etcdStarted;
	if (typeof serving !== 'string') {
		const detail = await nodes[0]!.journalTail('etcd').catch(() => '');
		await inTurn(nodes, (n) => n.stop(['etcd']));
		const undone = await startOld(input, clock, true);
		return {result: 'failed', phase: 'etcd', message: serving.message, ...(detail ? {detail} : {}), hint: 'the restored data is kept as <dataDir>.failed-restore-<stamp> on each master, to look at', undone};
	}
	input.journal?.end();
	say(serving);

	// The apiservers first (each ready), then the controller managers and schedulers (each
	// healthy): as the first install starts them, so none acts on a half-started control plane.
	for (const [units, waitFor, what] of [
		[['kube-apiserver'], ['kube-apiserver'], 'the apiservers'],
		[['kube-controller-manager', 'kube-scheduler'], ['kube-controller-manager', 'kube-scheduler'], 'the controller managers and schedulers'],
	] as const) {
		say(`starting ${what}`);
		const failed = (await onEvery(nodes, (n) => n.start(units))) ?? (await servicesHealthy(input, clock, waitFor));
		if (failed !== undefined) {
			return {result: 'failed', phase: 'control-plane', ...failed, hint: failed.hint ?? `etcd serves the restored data; look at the service's journal on the node named (journalctl -u ${units[0]})`, undone: 'not undone: etcd serves the restored data'};
		}
	}
	return {result: 'done', cluster: serving, tookMs: clock.now() - started};
}

interface Failure {
	message: string;
	hint?: string;
	detail?: string;
}

/** `op` on every node side by side; the first failure (by node order), or undefined. */
async function onEvery(nodes: readonly RestoreNode[], op: (n: RestoreNode) => Promise<void>): Promise<Failure | undefined> {
	const results = await Promise.allSettled(nodes.map((n) => op(n)));
	for (const [i, r] of results.entries()) {
		if (r.status === 'rejected') {
			const failure = describeFailure(r.reason);
			return {message: `${nodes[i]!.name}: ${failure.cause}`, ...(failure.hint ? {hint: failure.hint} : {}), ...(failure.detail ? {detail: failure.detail} : {})};
		}
	}
	return undefined;
}

/**
 * The members started one after another, each once the one before answers (or its time is
 * up): a member with data checks it against its peers' before it serves them (etcd's
 * initial corruption check), and a peer that is itself still checking holds the request
 * until it times out, 7 s a peer. Started all at once, three members each waited 14 s (seen
 * on the lab); in turn, a member's peers either serve already or refuse at once.
 */
async function startInTurn(input: RestoreInput, clock: NonNullable<RestoreInput['clock']>): Promise<Failure | undefined> {
	const timing = input.timing ?? DEFAULT_RESTORE_TIMING;
	return inTurn(input.nodes, async (node) => {
		await node.start(['etcd']);
		const started = clock.now();
		while (!(await input.memberServes(node.name).catch(() => false)) && clock.now() - started < timing.memberWithinMs) await clock.sleep(Math.min(timing.pollMs, 250));
	});
}

/** `op` on one node after another; the first failure ends it. */
async function inTurn(nodes: readonly RestoreNode[], op: (n: RestoreNode) => Promise<void>): Promise<Failure | undefined> {
	for (const node of nodes) {
		const failed = await onEvery([node], op);
		if (failed) return failed;
	}
	return undefined;
}

/** The members gated as one cluster: the line that says so, or why not once the time is up. */
async function etcdServes(input: RestoreInput, clock: NonNullable<RestoreInput['clock']>): Promise<string | Failure> {
	const timing = input.timing ?? DEFAULT_RESTORE_TIMING;
	const expected = input.nodes.map((n) => n.name);
	const started = clock.now();
	for (;;) {
		const view = await input.view().catch((error: unknown) => ({statuses: expected.map((name) => ({name, ok: false as const, detail: String(error)}))}));
		const problem = judgeEtcdCluster(view, expected);
		if (problem === undefined) return describeEtcdCluster(view);
		if (clock.now() - started >= timing.etcdWithinMs) return {message: `the restored members did not serve as one cluster within ${Math.round(timing.etcdWithinMs / 1000)} s: ${problem}`};
		await clock.sleep(timing.pollMs);
	}
}

/** Each of `services` healthy on every node; the ones that are not once the time is up, the first with its journal. */
async function servicesHealthy(input: RestoreInput, clock: NonNullable<RestoreInput['clock']>, services: readonly ServiceName[]): Promise<Failure | undefined> {
	const timing = input.timing ?? DEFAULT_RESTORE_TIMING;
	const started = clock.now();
	let waiting = input.nodes.flatMap((node) => services.map((service) => ({node, service, healthy: false, why: 'not asked yet'})));
	for (;;) {
		for (const w of waiting) {
			const ok = await input.healthy(w.node.name, w.service).catch((e: unknown) => String(e));
			w.healthy = ok === true;
			if (ok === true) input.say(`${w.node.name}: ${w.service} ${w.service === 'kube-apiserver' ? 'ready' : 'healthy'}`);
			else w.why = ok;
		}
		waiting = waiting.filter((w) => !w.healthy);
		if (waiting.length === 0) return undefined;
		if (clock.now() - started >= timing.apiserverWithinMs) {
			const first = waiting[0]!;
			const detail = await first.node.journalTail(first.service).catch(() => '');
			const names = waiting.map((w) => `${w.node.name} ${w.service}`);
			return {message: `${names.join(', ')}: not healthy within ${Math.round(timing.apiserverWithinMs / 1000)} s (${first.node.name} ${first.service}: ${first.why})`, ...(detail ? {detail} : {})};
		}
		await clock.sleep(timing.pollMs);
	}
}

/**
 * Back to the cluster as it was: the old data put back where it was moved (`swapped`), the
 * restored dirs gone, the members started and gated, then the control plane started. True
 * when the old cluster serves again; else why not.
 */
async function startOld(input: RestoreInput, clock: NonNullable<RestoreInput['clock']>, swapped: boolean): Promise<true | string> {
	const {nodes, say} = input;
	say('putting the cluster back as it was before the restore');
	const back = (swapped ? await onEvery(nodes, (n) => n.putBack()) : undefined) ?? (await onEvery(nodes, (n) => n.discard()));
	if (back !== undefined) return `putting the old data back failed: ${back.message}`;
	const etcd = (await startInTurn(input, clock)) ?? (await etcdServes(input, clock));
	if (typeof etcd !== 'string') return `the old members did not serve again: ${etcd.message}`;
	const plane = await onEvery(nodes, (n) => n.start(CONTROL_PLANE_UNITS));
	if (plane !== undefined) return `the control plane did not start again: ${plane.message}`;
	input.journal?.end();
	say(`back as before: ${etcd}`);
	return true;
}
