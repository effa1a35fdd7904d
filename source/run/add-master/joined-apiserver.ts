// The gate of an apiserver that joins a serving control plane (a master added, or put back):
// healthy on its own is not enough, it must be one of the cluster. Three checks, each
// through a peer that already served and the new node:
//  1. its address is in the `kubernetes` EndpointSlice (the apiservers' own lease-based
//     reconciler puts it there: in-cluster clients will reach it);
//  2. a Secret written through the peer reads back through it, with the same data (it reads
//     the same etcd with the same encryption key);
//  3. a service-account token issued through the peer is accepted by it (TokenReview: the
//     same service-account key pair).
// The requests go through the runner's HTTPS client as the admin; the probe Secret is
// deleted again whatever happens.
import {randomBytes} from 'node:crypto';
import type {ProfileNode} from '../../profile/schema.js';
import {StepError} from '../step-error.js';

export interface JoinRequest {
	(node: ProfileNode, method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<{ok: boolean; status: number | null; body: string; detail: string | null}>;
}

export interface JoinOptions {
	/** How long the EndpointSlice may take to list the new address (default 30 s). */
	timeoutMs?: number;
	pollMs?: number;
	sleep?: (ms: number) => Promise<void>;
}

const SLICE = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes';
const SECRETS = '/api/v1/namespaces/kube-system/secrets';
const TOKEN = '/api/v1/namespaces/kube-system/serviceaccounts/default/token';
const REVIEW = '/apis/authentication.k8s.io/v1/tokenreviews';

/** The three checks, in order; resolves to a line for the log, throws a StepError naming the one that failed. */
export async function checkJoined(request: JoinRequest, node: ProfileNode, peer: ProfileNode, options: JoinOptions = {}): Promise<string> {
	await inEndpointSlice(request, node, peer, options);
	await secretReadsBack(request, node, peer);
	await tokenAccepted(request, node, peer);
	return `${node.name} joined: ${node.ip} is in the kubernetes EndpointSlice, a Secret written through ${peer.name} reads back through it, a token issued through ${peer.name} is accepted by it`;
}

async function inEndpointSlice(request: JoinRequest, node: ProfileNode, peer: ProfileNode, options: JoinOptions): Promise<void> {
	const timeoutMs = options.timeoutMs ?? 30_000;
	const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
	const started = Date.now();
	let last = 'not read yet';
	for (;;) {
		const r = await request(peer, 'GET', SLICE);
		if (r.ok) {
			const addresses = sliceAddresses(r.body);
			if (addresses.includes(node.ip)) return;
			last = `it lists ${addresses.join(', ') || 'no address'}`;
		} else last = r.detail ?? `HTTP ${r.status ?? '-'}`;
		if (Date.now() - started >= timeoutMs) {
			throw new StepError(
				`${node.ip} did not appear in the kubernetes EndpointSlice within ${Math.round(timeoutMs / 1000)}s (read through ${peer.name}: ${last})`,
				`the apiserver on ${node.name} registers itself through its --advertise-address and the lease endpoint reconciler; check \`journalctl -u kube-apiserver\` there for "endpoint" and "lease"`,
			);
		}
		await sleep(options.pollMs ?? 500);
	}
}

export function sliceAddresses(body: string): string[] {
	try {
		const slice = JSON.parse(body) as {endpoints?: Array<{addresses?: string[]}>};
		return (slice.endpoints ?? []).flatMap((e) => e.addresses ?? []);
	} catch {
		return [];
	}
}

async function secretReadsBack(request: JoinRequest, node: ProfileNode, peer: ProfileNode): Promise<void> {
	const name = `k8s-master-setup-join-${node.name}-${randomBytes(4).toString('hex')}`.slice(0, 63);
	const value = randomBytes(16).toString('base64');
	const created = await request(peer, 'POST', SECRETS, {apiVersion: 'v1', kind: 'Secret', metadata: {name, labels: {'app.kubernetes.io/managed-by': 'k8s-master-setup'}}, data: {probe: value}});
	if (!created.ok) {
		throw new StepError(`writing a probe Secret through ${peer.name} failed: ${created.detail ?? created.status}`, `the peer serves but does not accept writes; check its etcd connection (/readyz?verbose on ${peer.ip})`);
	}
	try {
		const read = await request(node, 'GET', `${SECRETS}/${name}`);
		const data = read.ok ? (JSON.parse(read.body) as {data?: Record<string, string>}).data?.probe : undefined;
		if (data !== value) {
			throw new StepError(
				`a Secret written through ${peer.name} does not read back through ${node.name} (${read.ok ? 'other data' : (read.detail ?? `HTTP ${read.status ?? '-'}`)})`,
				`${node.name} reads another etcd or decrypts with another key: compare --etcd-servers and ${'encryption-config.yaml'} with ${peer.name}'s`,
			);
		}
	} finally {
		await request(peer, 'DELETE', `${SECRETS}/${name}`).catch(() => undefined);
	}
}

async function tokenAccepted(request: JoinRequest, node: ProfileNode, peer: ProfileNode): Promise<void> {
	const issued = await request(peer, 'POST', TOKEN, {apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {expirationSeconds: 600}});
	const token = issued.ok ? (JSON.parse(issued.body) as {status?: {token?: string}}).status?.token : undefined;
	if (!token) {
		throw new StepError(
			`no service-account token could be issued through ${peer.name} (${issued.detail ?? `HTTP ${issued.status ?? '-'}`})`,
			'the controller-manager creates the default ServiceAccount of kube-system; check that one leads (status)',
		);
	}
	const review = await request(node, 'POST', REVIEW, {apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {token}});
	const status = review.ok ? (JSON.parse(review.body) as {status?: {authenticated?: boolean; error?: string}}).status : undefined;
	if (status?.authenticated !== true) {
		throw new StepError(
			`a token issued through ${peer.name} is not accepted by ${node.name} (${status?.error ?? review.detail ?? 'not authenticated'})`,
			`${node.name} verifies tokens with another key: compare its --service-account-key-file (sa.pub) and --service-account-issuer with ${peer.name}'s`,
		);
	}
}
