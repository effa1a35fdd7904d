import {STEP_NAMES, type ProfileNode, type StepName} from '../profile/schema.js';
import {SERVICE_STEP, SERVICES, type NodePlan, type Plan, type PlannedFile, type ServiceName} from '../plan/types.js';
import type {Transport} from '../remote/transport.js';
import {computeChanges, serviceInputDigest, type NodeChanges, type RemoteState} from './changes.js';
import {describeFileChange, describeRestart} from './dry-run.js';
import type {EventSink} from './events.js';
import {gatherPreflight, judgePreflight} from './preflight.js';
import {readRemoteState} from './remote-state.js';
import {recordRemoteHashes} from './remote-hashes.js';
import {restartAndWait, sleep, systemctl, writeAppliedMarker, type HealthProbe} from './services.js';
import {describeFailure, isTransient, StepError} from './step-error.js';
import {mapHolderToNode, type LeaseNode} from '../status/lease.js';

/**
 * Runs a plan on every node: connect and preflight everywhere first (nothing is written
 * anywhere if one node fails there), then files in parallel, then services — one node at
 * a time when the control plane is already serving, so it never loses more than one
 * apiserver — then verify. Emits RunEvents and knows nothing about how they are shown.
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
	/** Aborting lets in-flight steps finish (uploads are atomic) and starts nothing new. */
	signal?: AbortSignal;
	retries?: number;
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
	directoriesReady: boolean;
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
	const runs = plan.nodes.map<NodeRun>((p) => ({plan: p, directoriesReady: false, changed: [], known: new Map(), cacheDirty: false}));
	const limit = options.concurrency ?? 10;
	emit({type: 'run-started', at: Date.now(), nodes: runs.map((r) => r.plan.node.name), steps: [...STEP_NAMES], dryRun: Boolean(options.dryRun)});

	const step = (run: NodeRun, name: StepName, body: () => Promise<Outcome>) => runStep(options, selected, run, name, body);
	const skipRest = (run: NodeRun, from: StepName, reason: string) => {
		for (const name of STEP_NAMES.slice(STEP_NAMES.indexOf(from))) emit({type: 'step-skipped', at: Date.now(), node: run.plan.node.name, step: name, reason});
	};

	// Phase 1: connect, preflight and compare everywhere; a gate before any change.
	await mapLimit(runs, limit, async (run) => {
		await step(run, 'connect', async () => {
			run.transport = await options.connect(run.plan.node);
			return 'unchanged';
		});
		await step(run, 'preflight', async () => {
			const t = need(run.transport);
			const facts = await gatherPreflight(t, plan.profile);
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
		// Comparing is read-only and needed by every later step (and by --skip preflight).
		if (run.transport && run.failedStep === undefined) {
			try {
				const remote = await readRemoteState(run.transport, run.plan);
				run.remote = remote;
				run.changes = computeChanges(run.plan, remote);
				run.cacheDirty = remote.hashMisses > 0;
				for (const f of run.plan.files) if (remote.hashes.get(f.path) === f.sha256) run.known.set(f.path, f.sha256);
			} catch (error) {
				fail(options, run, 'preflight', 0, error);
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

	// Phase 2: files, nodes in parallel.
	await mapLimit(runs, limit, async (run) => {
		for (const name of ['binaries', 'certificates', 'configs'] as const) {
			await step(run, name, () => placeFiles(options, run, name));
		}
	});

	// Phase 3: services. Rolling when an apiserver was already serving before this run.
	const rolling = runs.some((r) => r.remote?.active.get('kube-apiserver'));
	const startServices = async (run: NodeRun) => {
		for (const service of SERVICES) {
			await step(run, SERVICE_STEP[service], () => startService(options, run, service));
		}
	};
	if (rolling) {
		for (const run of runs) await startServices(run);
	} else {
		// Nothing serves yet: start a node's three services together (the controller-manager
		// and scheduler retry until their apiserver answers) instead of one after another.
		await mapLimit(runs, limit, async (run) => {
			await Promise.all(SERVICES.map((service) => step(run, SERVICE_STEP[service], () => startService(options, run, service))));
		});
	}

	// Phase 4: verify health and leader election.
	const leaseNodes = runs.map((r) => ({name: r.plan.node.name, hostname: r.hostname ?? null}));
	await mapLimit(runs, limit, async (run) => {
		await step(run, 'verify', () => verifyNode(options, run, leaseNodes));
	});
	return finish(options, runs, started, true);
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
			if (attempt < retries && isTransient(error) && name !== 'connect') {
				emit({type: 'log', at: Date.now(), node, step: name, line: `connection problem (${describeFailure(error).cause}); reconnecting, try ${attempt + 2} of ${retries + 1}`});
				await sleep(1000 * (attempt + 1));
				try {
					await run.transport?.close().catch(() => undefined);
					run.transport = await options.connect(run.plan.node);
				} catch {
					// The next attempt reports the failure.
				}
				continue;
			}
			fail(options, run, name, Date.now() - started, error);
			return;
		}
	}
}

function fail(options: RunnerOptions, run: NodeRun, name: StepName, durationMs: number, error: unknown): void {
	run.failedStep = name;
	options.emit({type: 'step-failed', at: Date.now(), node: run.plan.node.name, step: name, durationMs, ...describeFailure(error)});
}

async function ensureDirectories(run: NodeRun): Promise<void> {
	if (run.directoriesReady) return;
	const t = need(run.transport);
	const script = run.plan.directories.map((d) => `mkdir -p '${d.path}' && chmod ${d.mode.toString(8)} '${d.path}'`).join(' && ');
	if (script) {
		const r = await t.exec(script);
		if (r.code !== 0) throw new StepError(`could not create directories on ${t.node}`, 'check that the login user may write there (root or sudo)', r.stderr);
	}
	run.directoriesReady = true;
}

async function uploadFiles(options: RunnerOptions, run: NodeRun, name: StepName, files: PlannedFile[]): Promise<string[]> {
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
	// Several files at once over the one connection (sshd allows 10 sessions per connection):
	// each upload is a few round trips, so small files are bound by latency, not bandwidth.
	await mapLimit(files, UPLOADS_PER_NODE, async (file) => {
		await t.upload(file.localPath ? {localPath: file.localPath} : {content: file.content}, file.path, {
			mode: file.mode,
			onProgress: (bytes) => progress(file.path, bytes),
		});
		run.known.set(file.path, file.sha256);
		run.cacheDirty = true;
		progress(file.path, file.size, true);
	});
	return files.map((f) => f.path);
}

async function placeFiles(options: RunnerOptions, run: NodeRun, name: StepName): Promise<Outcome> {
	const files = need(run.changes).files.get(name) ?? [];
	return {changed: await uploadFiles(options, run, name, files)};
}

async function startService(options: RunnerOptions, run: NodeRun, service: ServiceName): Promise<Outcome> {
	const name = SERVICE_STEP[service];
	const t = need(run.transport);
	const changes = need(run.changes);
	const written = await uploadFiles(options, run, name, changes.files.get(name) ?? []);
	const reason = changes.restarts.get(service);
	if (reason === undefined) {
		if (changes.enable.has(service)) await systemctl(t, `enable ${service} --quiet`);
		return {changed: written};
	}
	await ensureDirectories(run);
	await systemctl(t, 'daemon-reload');
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
	await writeAppliedMarker(t, service, serviceInputDigest(run.plan, service));
	return {changed: [...written, `restarted ${service}`]};
}

async function verifyNode(options: RunnerOptions, run: NodeRun, leaseNodes: LeaseNode[]): Promise<Outcome> {
	const node = run.plan.node;
	const deadline = Date.now() + (options.leaseTimeoutMs ?? 90_000);
	// A controller-manager or scheduler that just lost its Lease (its apiserver restarted)
	// exits on purpose and systemd starts it again: give it that time before failing.
	for (const service of SERVICES) {
		for (;;) {
			const h = await options.health.serviceHealthy(node, service);
			if (h.ok) break;
			if (Date.now() > deadline) throw new StepError(`${service} on ${node.name} is not healthy: ${h.detail}`, `run \`k8s-master-setup status\` and look at journalctl -u ${service} on ${node.ip}`);
			options.emit({type: 'step-progress', at: Date.now(), node: node.name, step: 'verify', message: `waiting for ${service}: ${h.detail}`});
			await sleep(options.healthPollMs ?? 1000);
		}
	}
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
		await sleep(2000);
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
		await Promise.all(
			runs
				.filter((r) => r.transport && r.cacheDirty)
				.map((r) =>
					recordRemoteHashes(r.transport as Transport, r.known).catch((e: Error) =>
						options.emit({type: 'log', at: Date.now(), node: r.plan.node.name, line: `could not record file hashes (the next run hashes the files again): ${e.message}`}),
					),
				),
		);
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
