// The RBAC binding that lets the apiserver use the kubelets' API: the apiserver's kubelet
// client identity (the CN of its certificate, `kubernetes-master`, cert-specs.ts) is bound to
// `system:kubelet-api-admin`, as the guide's series does
// (`kubectl create clusterrolebinding kube-apiserver:kubelet-apis --clusterrole=system:kubelet-api-admin --user …`).
// Without it `kubectl logs`, `exec` and `port-forward` are Forbidden once workers join.
//
// Idempotent: the binding is read first and written only when it is missing or lacks the
// user; another subject someone added is kept. A binding of that name bound to another role
// is refused, never replaced (roleRef cannot be changed in place, and deleting a binding
// someone else made is not this tool's to do). Only this binding is ever written.
//
// Self-contained (node:https, pinned to the cluster CA, with the admin client certificate):
// the cluster HTTP helpers are being gathered in source/cluster/ and can take it over.
import https from 'node:https';
import {createSecureContext} from 'node:tls';

export const KUBELET_API_BINDING = 'kube-apiserver:kubelet-apis';
export const KUBELET_API_ROLE = 'system:kubelet-api-admin';
const RBAC = 'rbac.authorization.k8s.io';
const PATH = `/apis/${RBAC}/v1/clusterrolebindings`;

export interface KubeletApiBindingOptions {
	/** Apiserver base URLs (`https://IP:6443`), tried in order until one answers. */
	apiservers: readonly string[];
	/** The cluster CA and the admin client certificate (O system:masters). */
	admin: {caPem: string; certPem: string; keyPem: string};
	/** The apiserver's kubelet client user: its certificate's CN. */
	user: string;
	/** Per request (default 10 s). */
	timeoutMs?: number;
	/** Only read: the outcome says what a run would do (the dry run's plan), nothing is written. */
	dryRun?: boolean;
}

export type BindingOutcome = {action: 'created' | 'updated' | 'unchanged'; apiserver: string};

export class KubeletApiBindingError extends Error {
	constructor(
		message: string,
		readonly hint: string,
	) {
		super(message);
		this.name = 'KubeletApiBindingError';
	}
}

interface Subject {
	kind: string;
	name: string;
	apiGroup?: string;
	namespace?: string;
}

interface ClusterRoleBinding {
	apiVersion?: string;
	kind?: string;
	metadata: {name: string; resourceVersion?: string; labels?: Record<string, string>};
	roleRef: {apiGroup: string; kind: string; name: string};
	subjects?: Subject[];
}

/** What the binding must hold, as the apiserver would store it (pure: tested alone). */
export function desiredBinding(user: string): ClusterRoleBinding {
	return {
		apiVersion: `${RBAC}/v1`,
		kind: 'ClusterRoleBinding',
		metadata: {name: KUBELET_API_BINDING, labels: {'app.kubernetes.io/managed-by': 'k8s-master-setup'}},
		roleRef: {apiGroup: RBAC, kind: 'ClusterRole', name: KUBELET_API_ROLE},
		subjects: [{kind: 'User', apiGroup: RBAC, name: user}],
	};
}

/** What to do with the binding found (pure): nothing, add the user, or refuse. */
export function judgeBinding(found: ClusterRoleBinding, user: string): 'unchanged' | 'add-user' | {refuse: string} {
	const ref = found.roleRef;
	if (ref.apiGroup !== RBAC || ref.kind !== 'ClusterRole' || ref.name !== KUBELET_API_ROLE) {
		return {refuse: `the ClusterRoleBinding ${KUBELET_API_BINDING} binds ${ref.kind} ${ref.name}, not ClusterRole ${KUBELET_API_ROLE}`};
	}
	const has = (found.subjects ?? []).some((s) => s.kind === 'User' && s.name === user);
	return has ? 'unchanged' : 'add-user';
}

export async function ensureKubeletApiBinding(options: KubeletApiBindingOptions): Promise<BindingOutcome> {
	const agent = new https.Agent({keepAlive: false, secureContext: createSecureContext({ca: options.admin.caPem, cert: options.admin.certPem, key: options.admin.keyPem})});
	try {
		let unreachable: string[] = [];
		for (const apiserver of options.apiservers) {
			const call = (method: string, path: string, body?: unknown) => request(agent, apiserver, method, path, body, options.timeoutMs ?? 10_000);
			let found: Answer;
			try {
				found = await call('GET', `${PATH}/${encodeURIComponent(KUBELET_API_BINDING)}`);
			} catch (error) {
				unreachable = [...unreachable, `${apiserver}: ${(error as Error).message}`];
				continue; // the next apiserver
			}
			return {action: await converge(call, found, options.user, apiserver, options.dryRun ?? false), apiserver};
		}
		throw new KubeletApiBindingError(
			`no apiserver answered to ensure the ClusterRoleBinding ${KUBELET_API_BINDING}: ${unreachable.join('; ')}`,
			'check that the apiservers serve (k8s-master-setup status), then run apply again',
		);
	} finally {
		agent.destroy();
	}
}

type Call = (method: string, path: string, body?: unknown) => Promise<Answer>;

async function converge(call: Call, found: Answer, user: string, apiserver: string, dryRun: boolean): Promise<'created' | 'updated' | 'unchanged'> {
	for (let attempt = 0; ; attempt++) {
		if (found.status === 404) {
			if (dryRun) return 'created';
			const created = await call('POST', PATH, desiredBinding(user));
			// 409: made meanwhile (another run, or an apiserver's own bootstrap): look again.
			if (created.status === 409 && attempt === 0) {
				found = await call('GET', `${PATH}/${encodeURIComponent(KUBELET_API_BINDING)}`);
				continue;
			}
			expectStatus(created, [201, 200], 'create', apiserver);
			return 'created';
		}
		expectStatus(found, [200], 'read', apiserver);
		const binding = JSON.parse(found.body) as ClusterRoleBinding;
		const judged = judgeBinding(binding, user);
		if (judged === 'unchanged') return 'unchanged';
		if (typeof judged === 'object') {
			throw new KubeletApiBindingError(
				`${judged.refuse}; the apiserver's kubelet client ${user} needs ${KUBELET_API_ROLE}`,
				`it is left as it is: if nothing else relies on it, delete it (kubectl delete clusterrolebinding ${KUBELET_API_BINDING}) and run apply again`,
			);
		}
		if (dryRun) return 'updated';
		// The user added, every other subject kept; resourceVersion makes a concurrent change a 409.
		const updated = await call('PUT', `${PATH}/${encodeURIComponent(KUBELET_API_BINDING)}`, {
			...binding,
			subjects: [...(binding.subjects ?? []), ...(desiredBinding(user).subjects ?? [])],
		});
		if (updated.status === 409 && attempt === 0) {
			found = await call('GET', `${PATH}/${encodeURIComponent(KUBELET_API_BINDING)}`);
			continue;
		}
		expectStatus(updated, [200], 'update', apiserver);
		return 'updated';
	}
}

function expectStatus(answer: Answer, ok: number[], what: string, apiserver: string): void {
	if (ok.includes(answer.status)) return;
	let reason = answer.body.slice(0, 300);
	try {
		reason = String((JSON.parse(answer.body) as {message?: unknown}).message ?? reason);
	} catch {
		// not a Status object: the body's start
	}
	throw new KubeletApiBindingError(
		`could not ${what} the ClusterRoleBinding ${KUBELET_API_BINDING} on ${apiserver}: HTTP ${answer.status}: ${reason}`,
		answer.status === 401 || answer.status === 403
			? 'the admin certificate in the state directory was refused: check that it is the one this cluster was built with (O system:masters)'
			: 'check the apiserver (k8s-master-setup status), then run apply again',
	);
}

interface Answer {
	status: number;
	body: string;
}

/** One request; rejects only when no HTTP answer came (connection, TLS, deadline). */
function request(agent: https.Agent, base: string, method: string, path: string, body: unknown, timeoutMs: number): Promise<Answer> {
	const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = https.request(
			new URL(path, base),
			{
				method,
				agent,
				timeout: timeoutMs,
				headers: {accept: 'application/json', ...(payload ? {'content-type': 'application/json', 'content-length': payload.length} : {})},
			},
			(res) => {
				const chunks: Buffer[] = [];
				let size = 0;
				res.on('data', (chunk: Buffer) => {
					size += chunk.length;
					if (size <= 1024 * 1024) chunks.push(chunk); // a binding is a few hundred bytes
				});
				res.on('end', () => resolve({status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8')}));
				res.on('error', reject);
			},
		);
		req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
		req.on('error', reject);
		req.end(payload);
	});
}
