import {STEP_NAMES, type ProfileNode, type StepName} from '../profile/schema.js';
import {SERVICE_STEP, SERVICES, type NodePlan, type Plan, type PlannedFile, type ServiceName} from '../plan/types.js';
import type {Transport} from '../remote/transport.js';
import {sh, shJoin} from '../remote/shell.js';
import type {ZstdCopies} from '../plan/zstd-copies.js';
import {computeChanges, serviceInputDigest, type NodeChanges, type RemoteState} from './changes.js';
import {describeFileChange, describeRestart} from './dry-run.js';
import type {EventSink} from './events.js';
import {gatherPreflight, judgePreflight} from './preflight.js';
import {readRemoteState} from './remote-state.js';
import {recordRemoteHashes} from './remote-hashes.js';
import {notStartedReason, rolloutOrder, rolloutStoppedHint, servingRestarts, waitForPeers} from './rollout.js';
import {restartAndWait, sleep, systemctl, watchStable, writeAppliedMarker, type HealthProbe} from './services.js';
import {describeFailure, isTransient, StepError, StepSkipped} from './step-error.js';
import {mapHolderToNode, type LeaseNode} from '../cluster/lease.js';

/**
 * Runs a plan on every node: connect and preflight everywhere first (nothing is written
 * anywhere if one node fails there); then, on a first install, every node's files and
 * services side by side; on a control plane that already serves, a rollout one node at a
 * time that stops at the first node that fails (rollOut); then verify. Emits RunEvents
 * and knows nothing about how they are shown.
 */
export interface RunnerOptions {
	plan: Plan;
	connect: (node: ProfileNode) => Promise<Transport>;
	health: HealthProbe;
	emit: EventSink;
	/** Local facts the preflight compares against. */
	binaries: {arch: string; totalBytes: number};
	dryRun?: boolean;
	only?: readonly StepName[];
	skip?: readonly StepName[];
	concurrency?: number;
	stepTimeoutMs?: Partial<Record<StepName, number>>;
	healthTimeoutMs?: number;
	leaseTimeoutMs?: number;
	/** How often health is polled while a service starts (tests shorten it). */
	healthPollMs?: number;
	maxClockSkewSeconds?: number;
	/** zstd copies of the binaries, sent to nodes that can decompress them (see zstd-copies.ts). */
	zstdCopies?: ZstdCopies;
	/** Aborting lets in-flight steps finish (uploads are atomic) and starts nothing new. */
	signal?: AbortSignal;
	retries?: number;
	/** How long a rolling restart waits for the service to be healthy on every other node (default 90 s). */
	peerWaitMs?: number;
	/**
	 * In a rolling change, how long a restarted service must stay healthy (every poll ok,
	 * no restart by systemd) before the next node is touched (default 10 s; 0 turns it off).
	 */
	stabilityWindowMs?: number;
}

export interface RunResult {
	ok: boolean;
	failedNodes: string[];
	/** Remote paths written and services restarted, per node. */
	changed: Map<string, string[]>;
}

const DEFAULT_TIMEOUTS: Record<StepName, number> = {
	connect: 30_000,
	preflight: 60_000,
	binaries: 20 * 60_000,
	certificates: 60_000,
	configs: 60_000,
	apiserver: 240_000,
	'controller-manager': 180_000,
	scheduler: 180_000,
	verify: 180_000,
};

type Outcome = {changed: string[]} | 'unchanged';

const UPLOADS_PER_NODE = 4;

interface NodeRun {
	plan: NodePlan;
	transport?: Transport;
	remote?: RemoteState;
	changes?: NodeChanges;
	failedStep?: StepName;
	/** From preflight; Lease holder identities are `<hostname>_<uuid>`. */
	hostname?: string;
	directoriesReady?: Promise<void>;
	/** A reconnection in progress, shared by the steps that lost the connection together. */
	reconnecting?: Promise<void>;
	changed: string[];
	/** Paths known to hold their planned content (matched or uploaded), for the node's hash cache. */
	known: Map<string, string>;
	/** The node's hash cache needs rewriting (a file was hashed in full or uploaded). */
	cacheDirty: boolean;
}

export async function runPlan(options: RunnerOptions): Promise<RunResult> {
	const started = Date.now();
	const {plan, emit} = options;
	const selected = selectSteps(options.only, options.skip);
	const runs = plan.nodes.map<NodeRun>((p) => ({plan: p, changed: [], known: new Map(), cacheDirty: false}));
	const limit = options.concurrency ?? 10;
	emit({type: 'run-started', at: Date.now(), nodes: runs.map((r) => r.plan.node.name), steps: [...STEP_NAMES], dryRun: Boolean(options.dryRun)});

	const step: StepRunner = (run, name, body) => runStep(options, selected, run, name, body);
	const skipRest = (run: NodeRun, from: StepName, reason: string) => {
		for (const name of STEP_NAMES.slice(STEP_NAMES.indexOf(from))) emit({type: 'step-skipped', at: Date.now(), node: run.plan.node.name, step: name, reason});
	};

	// Phase 1: connect, preflight and compare everywhere; a gate before any change.
	await mapLimit(runs, limit, async (run) => {
		await step(run, 'connect', async () => {
			run.transport = await options.connect(run.plan.node);
			return 'unchanged';
		});
		// Comparing is read-only and needed by every later step (and by --skip preflight): it
		// is read beside the preflight checks, not after them (a round trip less per node), and
		// within the preflight step's time: a node that stalls here must not hold the run.
		const preflightMs = options.stepTimeoutMs?.preflight ?? DEFAULT_TIMEOUTS.preflight;
		const remoteRead = run.transport
			? settled(withTimeout(readRemoteState(run.transport, run.plan), preflightMs, `reading the files and services on ${run.plan.node.name}`))
			: undefined;
		await step(run, 'preflight', async () => {
			const t = need(run.transport);
			const facts = await gatherPreflight(t, plan.profile, run.plan.node);
			run.hostname = facts.hostname || undefined;
			const problems = judgePreflight(run.plan.node.name, facts, {
				arch: options.binaries.arch,
				binariesBytes: options.binaries.totalBytes,
				localEpochSeconds: Math.round(Date.now() / 1000),
				maxClockSkewSeconds: options.maxClockSkewSeconds ?? 30,
			});
			if (problems.length > 0) {
				throw new StepError(problems.map((p) => p.message).join('; '), problems.map((p) => p.hint).join('; '));
			}
			return 'unchanged';
		});
		const read = await remoteRead;
		if (read && run.failedStep === undefined) {
			if ('error' in read) fail(options, run, 'preflight', 0, read.error);
			else {
				const remote = read.value;
				run.remote = remote;
				run.changes = computeChanges(run.plan, remote);
				run.cacheDirty = remote.hashMisses > 0;
				for (const f of run.plan.files) if (remote.hashes.get(f.path) === f.sha256) run.known.set(f.path, f.sha256);
			}
		}
	});
	const blocked = runs.filter((r) => r.failedStep !== undefined);
	if (blocked.length > 0) {
		const names = blocked.map((r) => r.plan.node.name).join(', ');
		for (const run of runs) {
			if (run.failedStep === undefined) skipRest(run, 'binaries', `stopped before any change: ${names} failed ${blocked[0]?.failedStep}`);
			else skipRest(run, 'binaries', `${run.failedStep} failed`);
		}
		return finish(options, runs, started);
	}

	if (options.dryRun) {
		for (const run of runs) await reportDryRun(options, run);
		for (const run of runs) skipRest(run, 'binaries', 'dry run');
		return finish(options, runs, started);
	}

	const rolling = runs.some((r) => r.remote?.active.get('kube-apiserver'));
	if (rolling) {
		const stoppedAt = await rollOut(options, runs, step);
		if (stoppedAt !== undefined) {
			// The untouched nodes serve as before; verifying them would only wait on Leases
			// the stopped node's services may be giving up.
			for (const run of runs) emitSkipped(options, run, ['verify'], run.failedStep ? `${run.failedStep} failed` : `rollout stopped at ${stoppedAt}`);
			return finish(options, runs, started, true);
		}
	} else {
		// Nothing serves yet, so nothing can be disturbed: each node starts each service as
		// soon as that service's own files are in place, while the rest still uploads.
		await mapLimit(runs, limit, (run) => firstStart(options, run, step));
	}

	// Phase 4: verify health and leader election.
	const leaseNodes = runs.map((r) => ({name: r.plan.node.name, hostname: r.hostname ?? null}));
	await mapLimit(runs, limit, async (run) => {
		await step(run, 'verify', () => verifyNode(options, run, leaseNodes));
	});
	return finish(options, runs, started, true);
}

type StepRunner = (run: NodeRun, name: StepName, body: () => Promise<Outcome>) => Promise<void>;

/**
 * A change to a control plane that already serves, one node at a time: a node gets its
 * new files only after the node before it came back healthy with its own, each service
 * it restarts waits until that service is healthy on every other node (rollout.ts), and
 * the first node that fails ends the rollout: no later node is touched, so one bad
 * setting costs one node, never the control plane. Returns the node it stopped at.
 */
async function rollOut(options: RunnerOptions, runs: NodeRun[], step: StepRunner): Promise<string | undefined> {
	const order = rolloutOrder(runs);
	for (const [i, run] of order.entries()) {
		const untouched = order.slice(i + 1).map((o) => o.plan.node.name);
		const stopHint = (error: unknown) => withHint(error, rolloutStoppedHint(run.plan.node.name, untouched));
		const gate = (service: ServiceName) => waitForServicePeers(options, run, service);
		// Before the node's first file: a node that cannot be taken down is left untouched.
		const first = servingRestarts(run)[0];
		const refused = first && (await gate(first).then(() => undefined, (e: unknown) => e));
		if (first && refused) {
			fail(options, run, SERVICE_STEP[first], 0, stopHint(refused));
			emitSkipped(options, run, CHANGE_STEPS.filter((s) => s !== SERVICE_STEP[first]), `not started: ${describeFailure(refused).cause}`);
		} else {
			const guarded = (body: () => Promise<Outcome>) => () => body().catch((e: unknown) => Promise.reject(stopHint(e)));
			const stableForMs = options.stabilityWindowMs ?? 10_000;
			for (const name of FILE_STEPS) await step(run, name, guarded(() => placeFiles(options, run, name)));
			for (const service of SERVICES) await step(run, SERVICE_STEP[service], guarded(() => startService(options, run, service, {beforeRestart: gate, stableForMs})));
		}
		if (run.failedStep !== undefined) {
			for (const other of order.slice(i + 1)) emitSkipped(options, other, CHANGE_STEPS, notStartedReason(run.plan.node.name));
			options.emit({type: 'rollout-stopped', at: Date.now(), node: run.plan.node.name, step: run.failedStep, untouched});
			return run.plan.node.name;
		}
	}
	return undefined;
}

/** The peer gate for one service of one node, polling at the runner's health pace. */
function waitForServicePeers(options: RunnerOptions, run: NodeRun, service: ServiceName): Promise<void> {
	return waitForPeers({
		node: run.plan.node,
		// Every other master of the profile, also when this run covers one node (a retry).
		peers: options.plan.profile.nodes.filter((n) => n.name !== run.plan.node.name),
		service,
		health: options.health,
		timeoutMs: options.peerWaitMs ?? 90_000,
		pollMs: Math.max(options.healthPollMs ?? 250, 250),
		onWaiting: (message) => options.emit({type: 'step-progress', at: Date.now(), node: run.plan.node.name, step: SERVICE_STEP[service], message}),
	});
}

/** The same failure with a sentence added to its hint (transient faults pass as they are: they are retried). */
function withHint(error: unknown, extra: string): unknown {
	if (error instanceof StepSkipped || (!(error instanceof StepError) && isTransient(error))) return error;
	const {cause, hint, detail} = describeFailure(error);
	return new StepError(cause, hint ? `${hint}; ${extra}` : extra, detail);
}

function emitSkipped(options: RunnerOptions, run: NodeRun, steps: readonly StepName[], reason: string): void {
	for (const name of steps) options.emit({type: 'step-skipped', at: Date.now(), node: run.plan.node.name, step: name, reason});
}

async function runStep(options: RunnerOptions, selected: Set<StepName>, run: NodeRun, name: StepName, body: () => Promise<Outcome>): Promise<void> {
	const node = run.plan.node.name;
	const {emit} = options;
	if (run.failedStep !== undefined) {
		emit({type: 'step-skipped', at: Date.now(), node, step: name, reason: `${run.failedStep} failed`});
		return;
	}
	if (!selected.has(name)) {
		emit({type: 'step-skipped', at: Date.now(), node, step: name, reason: 'not selected (--only/--skip)'});
		return;
	}
	if (options.signal?.aborted) {
		emit({type: 'step-skipped', at: Date.now(), node, step: name, reason: 'stopped; run apply again to resume'});
		return;
	}
	emit({type: 'step-started', at: Date.now(), node, step: name});
	const started = Date.now();
	const retries = options.retries ?? 2;
	for (let attempt = 0; ; attempt++) {
		const failedOn = run.transport;
		try {
			const outcome = await withTimeout(body(), options.stepTimeoutMs?.[name] ?? DEFAULT_TIMEOUTS[name], `${name} on ${node}`);
			const durationMs = Date.now() - started;
			if (outcome === 'unchanged' || outcome.changed.length === 0) {
				emit(name === 'connect' || name === 'preflight' || name === 'verify'
					? {type: 'step-done', at: Date.now(), node, step: name, durationMs, changed: []}
					: {type: 'step-unchanged', at: Date.now(), node, step: name, durationMs});
			} else {
				run.changed.push(...outcome.changed);
				emit({type: 'step-done', at: Date.now(), node, step: name, durationMs, changed: outcome.changed});
			}
			return;
		} catch (error) {
			if (error instanceof StepSkipped) {
				emit({type: 'step-skipped', at: Date.now(), node, step: name, reason: error.reason});
				return;
			}
			if (attempt < retries && isTransient(error) && name !== 'connect') {
				emit({type: 'log', at: Date.now(), node, step: name, line: `connection problem (${describeFailure(error).cause}); reconnecting, try ${attempt + 2} of ${retries + 1}`});
				await sleep(1000 * (attempt + 1));
				await reconnect(options, run, failedOn);
				continue;
			}
			fail(options, run, name, Date.now() - started, error);
			return;
		}
	}
}

/**
 * A new connection for the node, once: steps running side by side on it all see the same
 * lost connection, and the first to get here replaces it for all of them (one connection
 * per node, none left open behind).
 */
async function reconnect(options: RunnerOptions, run: NodeRun, lost: Transport | undefined): Promise<void> {
	if (run.transport !== lost) return; // another step has already replaced it
	run.reconnecting ??= (async () => {
		try {
			await lost?.close().catch(() => undefined);
			run.transport = await options.connect(run.plan.node);
		} catch {
			// The next attempt reports the failure.
		} finally {
			run.reconnecting = undefined;
		}
	})();
	await run.reconnecting;
}

function fail(options: RunnerOptions, run: NodeRun, name: StepName, durationMs: number, error: unknown): void {
	run.failedStep = name;
	options.emit({type: 'step-failed', at: Date.now(), node: run.plan.node.name, step: name, durationMs, ...describeFailure(error)});
}

/** Once per node, shared by the steps that upload at the same time (a failure is retried). */
function ensureDirectories(run: NodeRun): Promise<void> {
	run.directoriesReady ??= (async () => {
		const t = need(run.transport);
		const script = shJoin(run.plan.directories.map((d) => sh`mkdir -p -- ${d.path} && chmod ${d.mode.toString(8)} -- ${d.path}`), ' && ');
		if (!script) return;
		const r = await t.exec(script);
		if (r.code !== 0) throw new StepError(`could not create directories on ${t.node}`, 'check that the login user may write there (root or sudo)', r.stderr);
	})().catch((error: unknown) => {
		run.directoriesReady = undefined;
		throw error;
	});
	return run.directoriesReady;
}

async function uploadFiles(options: RunnerOptions, run: NodeRun, name: StepName, files: PlannedFile[], onPlaced?: (path: string) => void): Promise<string[]> {
	if (files.length === 0) return [];
	await ensureDirectories(run);
	const t = need(run.transport);
	const total = files.reduce((n, f) => n + f.size, 0);
	const sent = new Map<string, number>();
	let lastEmit = 0;
	const progress = (path: string, bytes: number, force = false) => {
		sent.set(path, bytes);
		const now = Date.now();
		if (!force && now - lastEmit < 100) return; // a progress event every 100 ms is plenty for a human
		lastEmit = now;
		const bytesSoFar = [...sent.values()].reduce((a, b) => a + b, 0);
		options.emit({type: 'step-progress', at: now, node: t.node, step: name, bytes: bytesSoFar, totalBytes: total, message: path});
	};
	const placed = (file: PlannedFile) => {
		run.known.set(file.path, file.sha256);
		run.cacheDirty = true;
		progress(file.path, file.size, true);
		onPlaced?.(file.path);
	};
	// Small files all in one round trip when the transport can (one shell on the node
	// instead of one per file); otherwise several at once over the one connection (sshd
	// allows 10 sessions per connection): each is a round trip, bound by latency, not
	// bandwidth. Large files one at a time, in the order they are needed: they share the
	// connection anyway, and the first one is complete (and usable) sooner.
	const large = files.some((f) => f.localPath !== undefined);
	if (!large && files.length > 1 && t.uploadMany) {
		await t.uploadMany(files.map((f) => ({content: f.content as Buffer, targetPath: f.path, mode: f.mode})));
		files.forEach(placed);
		return files.map((f) => f.path);
	}
	const ordered = large ? [...files].sort(byFirstService) : files;
	// Ask for every compressed copy now, in upload order: the next one is made while this one travels.
	const compressed = new Map(ordered.flatMap((f) => (f.localPath && options.zstdCopies ? [[f.path, options.zstdCopies({localPath: f.localPath, sha256: f.sha256})] as const] : [])));
	await mapLimit(ordered, large ? 1 : UPLOADS_PER_NODE, async (file) => {
		const zstd = await compressed.get(file.path);
		await t.upload(file.localPath ? {localPath: file.localPath, ...(zstd ? {zstd} : {})} : {content: file.content}, file.path, {
			mode: file.mode,
			onProgress: (bytes) => progress(file.path, bytes),
		});
		placed(file);
	});
	return files.map((f) => f.path);
}

const FILE_STEPS = ['binaries', 'certificates', 'configs'] as const;
/** Every step that changes a node, in the order a rollout runs them. */
const CHANGE_STEPS: readonly StepName[] = [...FILE_STEPS, ...SERVICES.map((s) => SERVICE_STEP[s])];

async function placeFiles(options: RunnerOptions, run: NodeRun, name: StepName, onPlaced?: (path: string) => void): Promise<Outcome> {
	const files = need(run.changes).files.get(name) ?? [];
	return {changed: await uploadFiles(options, run, name, files, onPlaced)};
}

/**
 * A first start (no apiserver serving anywhere): the three file steps run together,
 * binaries one at a time in the order the services need them (kube-apiserver first,
 * kubectl, which no service runs, last). Each service step begins once its certificates
 * and configs are on the node, writes its unit, and starts the service as soon as its
 * binary is placed. The apiserver, the slowest to become ready, starts while the other
 * binaries are still on their way, instead of after the last byte of kubectl.
 */
async function firstStart(options: RunnerOptions, run: NodeRun, step: StepRunner): Promise<void> {
	const placed = new Map(run.plan.files.map((f) => [f.path, deferred()]));
	const fileSteps = FILE_STEPS.map(async (name) => {
		await step(run, name, () => placeFiles(options, run, name, (path) => placed.get(path)?.resolve()));
		// Done, failed or skipped: nothing more comes from this step. A service waiting on
		// it goes ahead and is skipped by runStep when the node has failed.
		for (const f of run.plan.files) if (f.step === name) placed.get(f.path)?.resolve();
	});
	const serviceSteps = SERVICES.map(async (service) => {
		const inputs = run.plan.files.filter((f) => f.services.includes(service) && (FILE_STEPS as readonly StepName[]).includes(f.step));
		// Certificates and configs are there within a second; the step then writes its unit
		// file while its binary is still on the way, and starts the service once it is placed.
		const binaries = inputs.filter((f) => f.step === 'binaries');
		await Promise.all(inputs.filter((f) => f.step !== 'binaries').map((f) => placed.get(f.path)?.promise));
		await step(run, SERVICE_STEP[service], () =>
			startService(options, run, service, {inputsPlaced: async () => {
				const waiting = binaries.filter((f) => !run.known.has(f.path));
				if (waiting.length > 0) {
					options.emit({type: 'step-progress', at: Date.now(), node: run.plan.node.name, step: SERVICE_STEP[service], message: `waiting for ${waiting.map((f) => f.path).join(', ')}`});
				}
				await Promise.all(binaries.map((f) => placed.get(f.path)?.promise));
				if (run.failedStep !== undefined) throw new StepSkipped(`${run.failedStep} failed`);
			}}),
		);
	});
	// The node's files are all in place long before its apiserver answers: its hash cache is
	// written meanwhile, not at the end of the run (finish writes it again only if a file
	// was placed after this).
	const recording = Promise.all(fileSteps).then(() => recordHashesNow(options, run));
	await Promise.all([...fileSteps, ...serviceSteps, recording]);
}

/** Write the node's hash cache now, if anything is new in it; a failure is only logged. */
async function recordHashesNow(options: RunnerOptions, run: NodeRun): Promise<void> {
	if (!run.transport || !run.cacheDirty) return;
	run.cacheDirty = false;
	await recordRemoteHashes(run.transport, run.known).catch((e: Error) => {
		options.emit({type: 'log', at: Date.now(), node: run.plan.node.name, line: `could not record file hashes (the next run hashes the files again): ${e.message}`});
	});
}

/** A promise's outcome as a value: never rejects, so it can wait beside other work unhandled. */
function settled<T>(promise: Promise<T>): Promise<{value: T} | {error: unknown}> {
	return promise.then(
		(value) => ({value}),
		(error: unknown) => ({error}),
	);
}

function deferred(): {promise: Promise<void>; resolve: () => void} {
	let resolve!: () => void;
	const promise = new Promise<void>((r) => (resolve = r));
	return {promise, resolve};
}

/** Binaries in the order the services need them; a file no service runs (kubectl) last. */
function byFirstService(a: PlannedFile, b: PlannedFile): number {
	const rank = (f: PlannedFile) => Math.min(...f.services.map((s) => SERVICES.indexOf(s)), SERVICES.length);
	return rank(a) - rank(b);
}

/**
 * A service step: its unit file, then a restart when one is planned. `beforeRestart` is
 * the rollout's peer gate, checked again right before a running service goes down.
 */
async function startService(
	options: RunnerOptions,
	run: NodeRun,
	service: ServiceName,
	how: {
		/** First start: resolves once the service's binary is on the node. */
		inputsPlaced?: () => Promise<void>;
		/** Rolling change: the peer gate, right before a running service goes down. */
		beforeRestart?: (service: ServiceName) => Promise<void>;
		/** Rolling change: how long the service must stay healthy after its restart. */
		stableForMs?: number;
	} = {},
): Promise<Outcome> {
	const name = SERVICE_STEP[service];
	const changes = need(run.changes);
	const written = await uploadFiles(options, run, name, changes.files.get(name) ?? []);
	await how.inputsPlaced?.();
	const t = need(run.transport); // after the wait: a reconnect may have replaced it
	const reason = changes.restarts.get(service);
	if (reason === undefined) {
		if (changes.enable.has(service)) await systemctl(t, `enable ${service} --quiet`);
		return {changed: written};
	}
	await ensureDirectories(run);
	if (run.remote?.active.get(service)) await how.beforeRestart?.(service);
	options.emit({type: 'log', at: Date.now(), node: t.node, step: name, line: `restarting ${service}: ${reason}`});
	await restartAndWait({
		transport: t,
		node: run.plan.node,
		service,
		health: options.health,
		timeoutMs: options.healthTimeoutMs ?? 180_000,
		pollMs: options.healthPollMs,
		onWaiting: (message) => options.emit({type: 'step-progress', at: Date.now(), node: t.node, step: name, message}),
	});
	if (how.stableForMs) {
		await watchStable({
			transport: t,
			node: run.plan.node,
			service,
			health: options.health,
			windowMs: how.stableForMs,
			pollMs: options.healthPollMs,
			onWaiting: (message) => options.emit({type: 'step-progress', at: Date.now(), node: t.node, step: name, message}),
		});
	}
	await writeAppliedMarker(t, service, serviceInputDigest(run.plan, service));
	return {changed: [...written, `restarted ${service}`]};
}

async function verifyNode(options: RunnerOptions, run: NodeRun, leaseNodes: LeaseNode[]): Promise<Outcome> {
	const node = run.plan.node;
	const deadline = Date.now() + (options.leaseTimeoutMs ?? 90_000);
	// A controller-manager or scheduler that just lost its Lease (its apiserver restarted)
	// exits on purpose and systemd starts it again: give it that time before failing.
	const pollMs = options.healthPollMs ?? 250;
	let failed = false; // once one service gives up, the others stop polling too
	await Promise.all(
		SERVICES.map(async (service) => {
			while (!failed) {
				const h = await options.health.serviceHealthy(node, service);
				if (h.ok) return;
				if (Date.now() > deadline) {
					failed = true;
					throw new StepError(`${service} on ${node.name} is not healthy: ${h.detail}`, `run \`k8s-master-setup status\` and look at journalctl -u ${service} on ${node.ip}`);
				}
				options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'verify', message: `waiting for ${service}: ${h.detail}`});
				await sleep(pollMs);
			}
		}),
	);
	// Leader election: each Lease must be held by one of the profile's nodes.
	for (;;) {
		const holders = await options.health.leaseHolders().catch(() => ({}) as Record<string, string | undefined>);
		const missing = (['kube-controller-manager', 'kube-scheduler'] as const).filter((l) => {
			const identity = holders[l];
			return !identity || mapHolderToNode(identity, leaseNodes) === null;
		});
		if (missing.length === 0) return 'unchanged';
		if (Date.now() > deadline) {
			throw new StepError(`no master holds the ${missing.join(' and ')} Lease`, 'check the controller-manager/scheduler journals for leader-election errors (RBAC, kubeconfig, clock)');
		}
		options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'verify', message: `waiting for a ${missing.join(' and ')} Lease holder`});
		// A GET of two Leases; a new control plane elects its leaders within seconds.
		await sleep(Math.max(pollMs, 500));
	}
}

async function reportDryRun(options: RunnerOptions, run: NodeRun): Promise<void> {
	const t = need(run.transport);
	const changes = need(run.changes);
	const remote = need(run.remote);
	for (const [stepName, files] of changes.files) {
		for (const file of files) {
			const before = remote.hashes.get(file.path);
			const content = before !== undefined && !file.secret && file.content ? await t.readFile(file.path) : undefined;
			options.emit({type: 'plan-change', at: Date.now(), node: t.node, step: stepName, change: describeFileChange(file, before, content)});
		}
	}
	for (const [service, reason] of changes.restarts) {
		options.emit({type: 'plan-change', at: Date.now(), node: t.node, step: SERVICE_STEP[service], change: describeRestart(service, reason)});
	}
}

async function finish(options: RunnerOptions, runs: NodeRun[], started: number, recordHashes = false): Promise<RunResult> {
	// Only a run that went past the gate writes anything, this bookkeeping included.
	if (recordHashes) {
		await Promise.all(runs.map((r) => recordHashesNow(options, r)));
	}
	await Promise.all(runs.map((r) => r.transport?.close().catch(() => undefined)));
	const failedNodes = runs.filter((r) => r.failedStep !== undefined).map((r) => r.plan.node.name);
	const ok = failedNodes.length === 0 && !options.signal?.aborted;
	options.emit({type: 'run-finished', at: Date.now(), ok, durationMs: Date.now() - started, failedNodes});
	return {ok, failedNodes, changed: new Map(runs.map((r) => [r.plan.node.name, r.changed]))};
}

export function selectSteps(only?: readonly StepName[], skip?: readonly StepName[]): Set<StepName> {
	const chosen = new Set<StepName>(only && only.length > 0 ? only : STEP_NAMES);
	for (const s of skip ?? []) chosen.delete(s);
	// Without a connection nothing else can run.
	chosen.add('connect');
	return chosen;
}

function need<T>(value: T | undefined): T {
	if (value === undefined) throw new Error('internal: step ran before its prerequisites');
	return value;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const timeout = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new StepError(`${what} timed out after ${Math.round(ms / 1000)}s`, 'the node or network is slow or hung; run again to resume')), ms);
	});
	try {
		return await Promise.race([promise, timeout]);
	} finally {
		clearTimeout(timer);
	}
}

export async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
	let next = 0;
	const workers = Array.from({length: Math.min(limit, items.length)}, async () => {
		while (next < items.length) {
			const item = items[next++] as T;
			await fn(item);
		}
	});
	await Promise.all(workers);
}
