import type {PeerCertificate} from 'node:tls';
import {gitVersion} from '../cluster/version.js';
import type {AdminCredentials} from '../cluster/admin-credentials.js';
import {baseUrl as urlOf, createClusterClient, type Endpoint} from '../cluster/client.js';
import type {HttpsGetResult} from '../cluster/https-get.js';
import {leaseFromResponse, type LeaseNode} from '../cluster/lease.js';
import {parseReadyzVerbose} from '../cluster/readyz.js';
import {leaseName, serviceByKey, type ComponentKey} from '../cluster/services.js';
import type {Profile, ProfileNode} from '../profile/schema.js';
import type {Transport} from '../remote/transport.js';
import {certificateFromPeer, daysLeft} from './certificates.js';
import type {CertificateStatus, HttpProbe, NodeStatus, SshProbe, StatusSnapshot} from './json-schema.js';
import {buildNodeProbeCommand, parseNodeProbeOutput, type NodeProbeOutput} from './node-script.js';

/**
 * The status probes (I/O). One refresh runs, for every node at once, one batched command
 * over the node's kept SSH connection and five HTTPS requests from this machine
 * (apiserver /livez, /readyz?verbose, /version; controller-manager and scheduler /healthz),
 * through the cluster client (source/cluster/: ports, client certificates, the CA). Each probe has its own deadline, so a hung node delays nothing but itself.
 * The Leases are read from the first apiserver that reports ready.
 *
 * HTTPS connections are kept alive between refreshes (one agent per prober): `close()` it.
 */

/** The caller's kept connections: a Transport per node, or the Error that connecting gave. */
export type NodeConnections = ReadonlyMap<string, Transport | Error>;

export type ProbedComponent = ComponentKey;
export type {Endpoint};

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

export interface StatusProberOptions {
	profile: Profile;
	admin: AdminCredentials;
	/** Deadline of each single probe (default 3000 ms). */
	timeoutMs?: number;
	/** Where a node's component listens (default: node IP and the standard port). A seam for tests. */
	endpoint?: (node: ProfileNode, component: ProbedComponent) => Endpoint;
	now?: () => number;
	/** Certificate files are re-read at most this often (default 60 s); 0 reads them every refresh. */
	certificateFilesEveryMs?: number;
}

export interface StatusProber {
	probe(connections: NodeConnections): Promise<StatusSnapshot>;
	/** Drops the kept HTTPS connections. */
	close(): void;
}

export function createStatusProber(options: StatusProberOptions): StatusProber {
	const {profile} = options;
	const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
	const now = options.now ?? Date.now;
	const endpoint = options.endpoint ?? ((node, component) => ({host: node.ip, port: serviceByKey(component).port}));
	const baseUrl = (node: ProfileNode, component: ProbedComponent) => urlOf(endpoint(node, component));
	const client = createClusterClient(options.admin, timeoutMs);
	const get = (node: ProfileNode, component: ProbedComponent, path: string) => client.get(serviceByKey(component).unit, endpoint(node, component), path);
	const fullCommand = buildNodeProbeCommand(profile.paths);
	const lightCommand = buildNodeProbeCommand(profile.paths, {certificates: false});
	const certEveryMs = options.certificateFilesEveryMs ?? 60_000;
	/** Certificate files per node, with when they were read (their days left are recomputed). */
	const certCache = new Map<string, {at: number; pems: CertificateStatus[]; encryption: NodeProbeOutput['encryption']}>();
	/** An SSH probe still running from an earlier refresh: never pile more channels onto a hung node. */
	const sshInFlight = new Map<string, Promise<unknown>>();

	async function probeSsh(node: ProfileNode, conn: Transport | Error | undefined, at: number): Promise<{ssh: SshProbe; output: NodeProbeOutput | undefined}> {
		if (conn === undefined) return {ssh: {state: 'unreachable', detail: 'no connection was opened to this node', durationMs: 0}, output: undefined};
		if (conn instanceof Error) return {ssh: {state: 'unreachable', detail: conn.message, durationMs: 0}, output: undefined};
		if (sshInFlight.has(node.name)) {
			return {ssh: {state: 'timeout', detail: 'the previous probe on this node has not returned yet', durationMs: 0}, output: undefined};
		}
		const started = performance.now();
		const cached = certCache.get(node.name);
		const fresh = cached !== undefined && certEveryMs > 0 && at - cached.at < certEveryMs;
		const exec = conn.exec(fresh ? lightCommand : fullCommand, {sudo: true, timeoutMs});
		const tracked = exec.then(
			() => undefined,
			() => undefined,
		);
		sshInFlight.set(node.name, tracked);
		void tracked.finally(() => {
			if (sshInFlight.get(node.name) === tracked) sshInFlight.delete(node.name);
		});
		const outcome = await withDeadline(exec, timeoutMs);
		const durationMs = Math.round(performance.now() - started);
		if (outcome.kind === 'timeout') return {ssh: {state: 'timeout', detail: `no answer over SSH within ${timeoutMs} ms`, durationMs}, output: undefined};
		if (outcome.kind === 'error') return {ssh: {state: 'error', detail: errorText(outcome.error), durationMs}, output: undefined};
		const result = outcome.value;
		const output = parseNodeProbeOutput(result.stdout, at);
		if (result.code !== 0 && !output.complete) {
			const why = result.stderr.trim().split('\n')[0] || `exit code ${result.code}`;
			return {ssh: {state: 'error', detail: why, durationMs}, output: undefined};
		}
		if (output.certificates !== undefined) certCache.set(node.name, {at, pems: output.certificates, encryption: output.encryption});
		else if (cached) {
			output.certificates = cached.pems.map((c) => ({...c, daysLeft: daysLeft(Date.parse(c.notAfter), at)}));
			output.encryption = cached.encryption;
		}
		return {ssh: {state: 'ok', detail: null, durationMs}, output};
	}

	async function fetchLease(node: ProfileNode, name: string): Promise<{result: HttpsGetResult; node: string}> {
		return {result: await client.lease(endpoint(node, 'apiserver'), name), node: node.name};
	}

	async function probe(connections: NodeConnections): Promise<StatusSnapshot> {
		const at = now();
		const started = performance.now();
		const perNode = profile.nodes.map((node) => {
			const readyz = get(node, 'apiserver', '/readyz?verbose');
			return {
				node,
				readyz,
				all: Promise.all([
					probeSsh(node, connections.get(node.name), at),
					get(node, 'apiserver', '/livez'),
					readyz,
					get(node, 'apiserver', '/version'),
					client.health('kube-controller-manager', endpoint(node, 'controllerManager')),
					client.health('kube-scheduler', endpoint(node, 'scheduler')),
				]),
			};
		});

		// Leases: from the first apiserver that says it is ready, without waiting for the slow nodes.
		const readyNodes = perNode.map(({node, readyz}) => readyz.then((r) => (r.state === 'ok' ? node : Promise.reject(new Error('not ready')))));
		const leaseReads = (async () => {
			const tried = new Set<string>();
			const attempt = async (node: ProfileNode) => {
				tried.add(node.name);
				const [cm, sched] = await Promise.all([fetchLease(node, leaseName('kube-controller-manager')), fetchLease(node, leaseName('kube-scheduler'))]);
				return {cm, sched};
			};
			const good = (r: HttpsGetResult) => r.state === 'ok' || r.httpStatus === 404;
			let first: ProfileNode;
			try {
				first = await Promise.any(readyNodes);
			} catch {
				return undefined;
			}
			let reads = await attempt(first);
			if (good(reads.cm.result) && good(reads.sched.result)) return reads;
			// That apiserver failed to answer: try the other ready ones, in profile order.
			const settled = await Promise.allSettled(readyNodes);
			for (const s of settled) {
				if (s.status !== 'fulfilled' || tried.has(s.value.name)) continue;
				const next = await attempt(s.value);
				if (good(next.cm.result) && good(next.sched.result)) return next;
				reads = next;
			}
			return reads;
		})();

		const nodes: NodeStatus[] = await Promise.all(
			perNode.map(async ({node, all}) => {
				const [sshResult, livez, readyz, version, cm, sched] = await all;
				const {ssh, output} = sshResult;
				const parsed = parseReadyzVerbose(readyz.body);
				const readyzProbe = toProbe(readyz);
				if (readyz.state === 'failed' && parsed.failingChecks.length > 0) {
					readyzProbe.detail = `failing: ${parsed.failingChecks.map((c) => c.name).join(', ')}`;
				}
				const served: CertificateStatus[] = [];
				const api = baseUrl(node, 'apiserver');
				pushServed(served, livez.peerCertificate ?? readyz.peerCertificate ?? version.peerCertificate, api, at);
				pushServed(served, cm.peerCertificate, baseUrl(node, 'controllerManager'), at);
				pushServed(served, sched.peerCertificate, baseUrl(node, 'scheduler'), at);
				return {
					name: node.name,
					ip: node.ip,
					reachable: ssh.state === 'ok',
					hostname: output?.hostname ?? null,
					ssh,
					units: output?.units ?? {'kube-apiserver': null, 'kube-controller-manager': null, 'kube-scheduler': null},
					apiserver: {
						livez: toProbe(livez),
						readyz: readyzProbe,
						failingChecks: parsed.failingChecks,
						version: version.state === 'ok' ? gitVersion(version.body) : null,
					},
					controllerManager: {healthz: toProbe(cm)},
					scheduler: {healthz: toProbe(sched)},
					certificates: [...(output?.certificates ?? []), ...served],
					...(output?.encryption !== undefined ? {encryption: output.encryption} : {}),
				};
			}),
		);

		const reads = await leaseReads;
		const leaseNodes: LeaseNode[] = nodes.map((n) => ({name: n.name, hostname: n.hostname}));
		return {
			schemaVersion: 1,
			profile: profile.name,
			timestamp: new Date(at).toISOString(),
			durationMs: Math.round(performance.now() - started),
			nodes,
			leases: {
				controllerManager: leaseFromResponse(leaseName('kube-controller-manager'), reads?.cm, leaseNodes, now()),
				scheduler: leaseFromResponse(leaseName('kube-scheduler'), reads?.sched, leaseNodes, now()),
			},
		};
	}

	return {
		probe,
		close: () => client.close(),
	};
}

function toProbe(r: HttpsGetResult): HttpProbe {
	return {state: r.state, httpStatus: r.httpStatus, detail: r.detail, durationMs: r.durationMs};
}

function pushServed(list: CertificateStatus[], peer: PeerCertificate | undefined, source: string, at: number): void {
	const c = certificateFromPeer(peer as {valid_to?: string; subject?: Record<string, string | string[] | undefined>} | undefined, source, at);
	if (c) list.push(c);
}

type Outcome<T> = {kind: 'value'; value: T} | {kind: 'error'; error: unknown} | {kind: 'timeout'};

/** Races a promise against a deadline; the promise itself keeps running (an exec cannot be recalled). */
export function withDeadline<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
	return new Promise((resolve) => {
		const timer = setTimeout(() => resolve({kind: 'timeout'}), ms);
		promise.then(
			(value) => {
				clearTimeout(timer);
				resolve({kind: 'value', value});
			},
			(error: unknown) => {
				clearTimeout(timer);
				resolve({kind: 'error', error});
			},
		);
	});
}

function errorText(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
