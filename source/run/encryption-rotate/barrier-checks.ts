// What each phase's barrier proves, through every apiserver in turn, once all of them run
// with the phase's config: a canary Secret (kube-system/k8s-master-setup-encryption-canary)
// written before the first change reads through each after read-enable; after write-switch
// each apiserver writes it once and its raw value in etcd starts with the new key's prefix;
// after drop-old every Secret reads through each (none was left under the dropped key).
import type {Endpoint} from '../../cluster/client.js';
import {StepError} from '../step-error.js';
import type {HttpsSecretsApi} from './secrets-api.js';

export const CANARY = {namespace: 'kube-system', name: 'k8s-master-setup-encryption-canary'} as const;
const CANARY_PATH = `/api/v1/namespaces/${CANARY.namespace}/secrets/${CANARY.name}`;
/** Its key in etcd, where the apiservers store Secrets (the default --etcd-prefix /registry). */
export const CANARY_ETCD_KEY = `/registry/secrets/${CANARY.namespace}/${CANARY.name}`;

export interface MasterEndpoint {
	name: string;
	endpoint: Endpoint;
}

export interface BarrierIo {
	api: HttpsSecretsApi;
	masters: readonly MasterEndpoint[];
	/** The canary's raw value in etcd. */
	storedValue(): Promise<Buffer | undefined>;
	say(line: string): void;
}

const canary = (by: string) => ({apiVersion: 'v1', kind: 'Secret', metadata: {name: CANARY.name, namespace: CANARY.namespace, labels: {'app.kubernetes.io/managed-by': 'k8s-master-setup'}}, type: 'Opaque', stringData: {writtenBy: by}});

/** Before the first change: the canary exists, written with the key that writes now. */
export async function plantCanary(io: BarrierIo): Promise<void> {
	const first = io.masters[0]!;
	const created = await io.api.sendThrough(first.endpoint, 'POST', `/api/v1/namespaces/${CANARY.namespace}/secrets`, canary('before the rotation'));
	if (created.httpStatus === 201 || created.httpStatus === 409) return;
	throw new StepError(`the canary Secret ${CANARY.namespace}/${CANARY.name} could not be written through ${first.name}: ${created.detail}`, 'check `k8s-master-setup status`; nothing was changed');
}

/** Read-enable: the canary (written with the old key) reads through every apiserver. */
export async function canaryReadsEverywhere(io: BarrierIo): Promise<void> {
	for (const m of io.masters) {
		const r = await io.api.getThrough(m.endpoint, CANARY.namespace, CANARY.name);
		if (r.httpStatus !== 200) throw new StepError(`${m.name}: the canary Secret does not read through its apiserver: ${r.detail}`, `look at ${m.name}'s kube-apiserver journal; run the same command again`);
	}
	io.say(`the canary Secret reads through ${io.masters.map((m) => m.name).join(', ')}`);
}

/** Write-switch: each apiserver writes the canary once; etcd then holds it under the new key. */
export async function eachWritesWith(io: BarrierIo, prefix: string): Promise<void> {
	for (const m of io.masters) {
		const r = await io.api.sendThrough(m.endpoint, 'PUT', CANARY_PATH, canary(`${m.name} at ${new Date().toISOString()}`));
		if (r.httpStatus !== 200) throw new StepError(`${m.name}: the canary Secret cannot be written through its apiserver: ${r.detail}`, `look at ${m.name}'s kube-apiserver journal; run the same command again`);
		const stored = await io.storedValue();
		const head = stored?.subarray(0, prefix.length).toString('latin1');
		if (head !== prefix) {
			const seen = stored === undefined ? 'no value' : /^k8s:enc:[a-z0-9]+:v1:[^:]+:/.exec(stored.subarray(0, 200).toString('latin1'))?.[0] ?? 'plaintext';
			throw new StepError(`${m.name} wrote the canary Secret as ${seen}, not ${prefix}`, `its apiserver does not run with the rotation's config: check ${m.name}'s encryption config and run the same command again`);
		}
		await canaryReadsEverywhere({...io, say: () => undefined});
	}
	io.say(`${io.masters.map((m) => m.name).join(', ')} each wrote the canary Secret, stored as ${prefix}…; it reads through every apiserver`);
}

/** Drop-old: every Secret reads through every apiserver; the canary is removed. */
export async function allReadEverywhere(io: BarrierIo): Promise<void> {
	const counts: string[] = [];
	for (const m of io.masters) counts.push(`${m.name} ${await io.api.readAllThrough(m.endpoint)}`);
	io.say(`every Secret reads through each apiserver (${counts.join(', ')})`);
	await io.api.sendThrough(io.masters[0]!.endpoint, 'DELETE', CANARY_PATH);
}
