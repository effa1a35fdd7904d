import type {ServiceName} from '../cluster/services.js';
import type {Profile} from '../profile/schema.js';
import type {Transport} from '../remote/transport.js';
import {EXIT} from '../exit-codes.js';
import {changeStatus, type JournalRead} from './change.js';
import {probeClients} from './clients.js';
import {DEFAULT_CERT_WARNING_DAYS} from './health.js';
import type {EtcdStatus, StateEncryption, StatusSnapshot, StoredSecrets} from './json-schema.js';
import {journalFromConnections} from './journal.js';
import {renderPlainTable} from './plain-table.js';
import type {AdminCredentials} from '../cluster/admin-credentials.js';
import {createStatusProber, DEFAULT_PROBE_TIMEOUT_MS} from './probes.js';
import {buildReport, buildViewModel} from './view-model.js';

/**
 * `k8s-master-setup status`: connects (through the caller's `connect`), then
 * `--json` → one report line; `--watch --json` → one line per refresh (NDJSON);
 * a TTY → the dashboard; otherwise a plain table, once (each refresh with --watch).
 * Resolves to the exit code (exit-codes.ts): 0 healthy, 1 down, 2 invalid input, 3 degraded, 130 interrupted.
 */

export interface RunStatusCommandOptions {
	profile: Profile;
	/** The profile's state directory (the CLI reads the admin credentials from it); unused here. */
	stateDir?: string;
	json: boolean;
	watch: boolean;
	intervalMs?: number;
	certWarningDays?: number;
	/** Deadline of each probe (default 3000 ms). */
	probeTimeoutMs?: number;
	connect: (profile: Profile) => Promise<Map<string, Transport | Error>>;
	admin: AdminCredentials;
	/**
	 * Reads the rolling-change journal in the state directory (the CLI's, over run/journal.ts),
	 * again on each refresh: an apply may end, or be killed, while status watches. Without
	 * it the report has no change (null).
	 */
	readJournal?: () => JournalRead;
	/** The masters the state directory installed that the profile no longer names (state/installed-nodes-file.ts). */
	readDeparted?: () => Array<{name: string; ip: string; installedAt: string}>;
	/** The encryption config the state directory renders (status/encryption.ts). */
	readEncryption?: () => StateEncryption | undefined;
	/**
	 * etcd.mode: stacked: the members as they answer, again on each refresh (status/etcd.ts over
	 * run/etcd-member/https-etcd-probe.ts). Never rejects: a member that does not answer is in the
	 * result. Without it (an external etcd) the report's etcd is null.
	 */
	readEtcd?: () => Promise<EtcdStatus>;
	/** status --encryption: the Secrets in etcd counted by how they are stored (stored-secrets.ts). */
	countStoredSecrets?: () => Promise<StoredSecrets>;
	/** Seams for tests; default the process's stdout and TTY state. (Options are checked by the CLI: cli/commands/status-action.ts.) */
	stdout?: {write(chunk: string): unknown};
	stderr?: {write(chunk: string): unknown};
	isTTY?: boolean;
	/** Aborted by the command's first SIGINT/SIGTERM (cli/shared/stop-signals.ts): ends --watch and the dashboard. */
	signal?: AbortSignal;
	/** Ctrl-C in the dashboard (a key in raw mode, not a signal): the same as a first SIGINT. */
	onInterrupt?: () => void;
	dashboard?: (options: {
		refresh: () => Promise<StatusSnapshot>;
		journal: (node: string, unit: ServiceName) => Promise<string>;
		intervalMs: number;
		certWarningDays: number;
		signal?: AbortSignal;
		onInterrupt?: () => void;
	}) => Promise<number>;
}

/** A node that failed to connect (or lost its connection) is tried again at most this often. */
const RECONNECT_EVERY_MS = 10_000;

export async function runStatusCommand(options: RunStatusCommandOptions): Promise<number> {
	const stdout = options.stdout ?? process.stdout;
	const intervalMs = options.intervalMs ?? 2000;
	const certWarningDays = options.certWarningDays ?? DEFAULT_CERT_WARNING_DAYS;
	const connecting = performance.now();
	const connections = new Map(await options.connect(options.profile));
	// The first snapshot's duration counts the connecting too: it is what the user waited for.
	let connectMs = Math.round(performance.now() - connecting);
	// Stopped while connecting: a first signal ends a one-shot status without probing.
	if (options.signal?.aborted && !options.watch) {
		await closeAll(connections);
		return EXIT.interrupted;
	}
	const prober = createStatusProber({profile: options.profile, admin: options.admin, timeoutMs: options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS});
	const reconnector = createReconnector(options.profile, connections, options.connect);
	const refresh = async () => {
		reconnector.maybeReconnect();
		const clients = probeClients(options.profile, options.admin, options.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS);
		const stored = options.countStoredSecrets?.();
		const etcd = options.readEtcd?.();
		const probed = await prober.probe(connections);
		const change = options.readJournal ? changeStatus(options.readJournal()) : null;
		const departed = options.readDeparted?.();
		const encryption = options.readEncryption?.();
		const snapshot = {...probed, durationMs: probed.durationMs + connectMs, change, clients: await clients, ...(departed ? {departed} : {}), ...(encryption ? {encryption} : {}), ...(stored ? {storedSecrets: await stored} : {}), ...(etcd ? {etcd: await etcd} : {})};
		connectMs = 0;
		reconnector.observe(snapshot);
		return snapshot;
	};
	const stop = new AbortController();
	const onSignal = () => stop.abort();
	if (options.signal?.aborted) stop.abort();
	options.signal?.addEventListener('abort', onSignal, {once: true});
	try {
		const tty = options.isTTY ?? Boolean(process.stdout.isTTY && process.stdin.isTTY);
		if (!options.json && tty) {
			const dashboard = options.dashboard ?? (await import('../ui/status-dashboard.js')).runStatusDashboard;
			return await dashboard({
				refresh,
				journal: journalFromConnections(() => connections),
				intervalMs,
				certWarningDays,
				...(options.signal ? {signal: options.signal} : {}),
				...(options.onInterrupt ? {onInterrupt: options.onInterrupt} : {}),
			});
		}
		const emit = (snapshot: StatusSnapshot): number => {
			if (options.json) {
				const report = buildReport(snapshot, {certWarningDays});
				stdout.write(`${JSON.stringify(report)}\n`);
				return report.health.exitCode;
			}
			const view = buildViewModel(snapshot, {certWarningDays});
			stdout.write(renderPlainTable(view, (stdout as {columns?: number}).columns ?? 80));
			return view.exitCode;
		};
		if (!options.watch) {
			const snapshot = await untilAborted(refresh(), stop.signal);
			return snapshot ? emit(snapshot) : EXIT.interrupted;
		}
		let code: number = EXIT.failed;
		while (!stop.signal.aborted) {
			const started = Date.now();
			code = emit(await refresh());
			if (!options.json) stdout.write('\n');
			await sleep(Math.max(0, intervalMs - (Date.now() - started)), stop.signal);
		}
		return code;
	} finally {
		options.signal?.removeEventListener('abort', onSignal);
		prober.close();
		await reconnector.settle();
		await closeAll(connections);
	}
}

/**
 * Nodes that could not be connected, or whose SSH probe failed with an error (a dropped
 * connection), are reconnected in the background so a node that comes back shows up again.
 */
function createReconnector(
	profile: Profile,
	connections: Map<string, Transport | Error>,
	connect: RunStatusCommandOptions['connect'],
) {
	let lastAttempt = Date.now();
	let pending: Promise<void> | undefined;
	const broken = new Set<string>();
	for (const [node, conn] of connections) if (conn instanceof Error) broken.add(node);
	return {
		observe(snapshot: StatusSnapshot) {
			for (const n of snapshot.nodes) if (n.ssh.state === 'error' || n.ssh.state === 'unreachable') broken.add(n.name);
		},
		maybeReconnect() {
			if (pending || broken.size === 0 || Date.now() - lastAttempt < RECONNECT_EVERY_MS) return;
			lastAttempt = Date.now();
			const nodes = profile.nodes.filter((n) => broken.has(n.name));
			pending = (async () => {
				for (const n of nodes) {
					const old = connections.get(n.name);
					if (old && !(old instanceof Error)) await old.close().catch(() => undefined);
				}
				try {
					const fresh = await connect({...profile, nodes});
					for (const [name, conn] of fresh) {
						connections.set(name, conn);
						if (!(conn instanceof Error)) broken.delete(name);
					}
				} catch (e) {
					for (const n of nodes) connections.set(n.name, e instanceof Error ? e : new Error(String(e)));
				}
			})().finally(() => {
				pending = undefined;
			});
		},
		async settle() {
			await pending;
		},
	};
}

async function closeAll(connections: Map<string, Transport | Error>): Promise<void> {
	await Promise.allSettled(
		[...connections.values()].map((c) =>
			c instanceof Error ? undefined : Promise.race([c.close(), new Promise((r) => setTimeout(r, 2000).unref())]),
		),
	);
}

/** The promise's value, or undefined as soon as the signal aborts (the promise is left to settle on its own). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
	if (signal.aborted) return Promise.resolve(undefined);
	return new Promise<T | undefined>((resolve, reject) => {
		const onAbort = () => resolve(undefined);
		signal.addEventListener('abort', onAbort, {once: true});
		promise.then(
			(value) => {
				signal.removeEventListener('abort', onAbort);
				resolve(value);
			},
			(error: unknown) => {
				signal.removeEventListener('abort', onAbort);
				reject(error);
			},
		);
	});
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
	return new Promise((resolve) => {
		if (signal.aborted) return resolve();
		const timer = setTimeout(done, ms);
		function done() {
			clearTimeout(timer);
			signal.removeEventListener('abort', done);
			resolve();
		}
		signal.addEventListener('abort', done, {once: true});
	});
}
