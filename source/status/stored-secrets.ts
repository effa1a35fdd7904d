// `status --encryption`: how the Secrets are stored in etcd, counted by the prefix of each
// raw value (`k8s:enc:<provider>:v1:<key name>:`; plaintext is the apiserver's protobuf
// `k8s\0` or JSON). Read through etcd's own API (its gRPC gateway, range requests paged by
// key) with the etcd client certificate the apiservers use: no etcdctl on a node, nothing
// decrypted, no value printed or kept beyond its prefix.
import {etcdAgent, etcdPostJson, EtcdRequestError, type EtcdClientCredentials} from '../snapshot/etcd-https.js';
import type {Problem, StoredSecrets} from './json-schema.js';

const SECRETS_PREFIX = '/registry/secrets/';
/** Keys after every /registry/secrets/… key: the prefix with its last byte incremented. */
const SECRETS_END = '/registry/secrets0';
const PAGE = 200;

/** How one raw value is stored. */
export function storedAs(value: Buffer): {encrypted: {provider: string; keyName: string}} | 'plaintext' | 'other' {
	const head = value.subarray(0, 200).toString('latin1');
	const m = /^k8s:enc:([a-z0-9]+):v1:([^:]+):/.exec(head);
	if (m) return {encrypted: {provider: m[1]!, keyName: m[2]!}};
	// The apiserver's protobuf envelope, or JSON from a client that wrote etcd directly.
	if (head.startsWith('k8s\0') || head.startsWith('{')) return 'plaintext';
	return 'other';
}

/** Counts of the values, in the order their key names were first met. */
export function countValues(values: Iterable<Buffer>, into: Omit<StoredSecrets, 'endpoint'> = {total: 0, byKey: [], plaintext: 0, other: 0}): Omit<StoredSecrets, 'endpoint'> {
	for (const value of values) {
		into.total++;
		const how = storedAs(value);
		if (how === 'plaintext') into.plaintext++;
		else if (how === 'other') into.other++;
		else {
			const entry = into.byKey.find((k) => k.provider === how.encrypted.provider && k.keyName === how.encrypted.keyName);
			if (entry) entry.count++;
			else into.byKey.push({...how.encrypted, count: 1});
		}
	}
	return into;
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Pages through every Secret on the first endpoint that answers. */
export async function countStoredSecrets(endpoints: readonly string[], credentials: EtcdClientCredentials, timeoutMs: number): Promise<StoredSecrets> {
	const agent = etcdAgent(credentials);
	let last: EtcdRequestError | undefined;
	try {
		for (const endpoint of endpoints) {
			try {
				const counts = countValues([]);
				let from: Buffer = Buffer.from(SECRETS_PREFIX);
				for (;;) {
					const body = JSON.stringify({key: b64(from), range_end: b64(SECRETS_END), limit: PAGE});
					const page = (await etcdPostJson(endpoint, '/v3/kv/range', {agent, credentials, idleTimeoutMs: timeoutMs, body, maxBytes: 64 * 1024 * 1024})) as {
						kvs?: Array<{key?: string; value?: string}>;
						more?: boolean;
					};
					const kvs = page.kvs ?? [];
					countValues(kvs.map((kv) => Buffer.from(kv.value ?? '', 'base64')), counts);
					if (!page.more || kvs.length === 0) break;
					// The next page starts right after the last key of this one.
					from = Buffer.concat([Buffer.from(kvs[kvs.length - 1]!.key ?? '', 'base64'), Buffer.from([0])]);
				}
				return {endpoint, ...counts};
			} catch (e) {
				if (!(e instanceof EtcdRequestError)) throw e;
				last = e;
			}
		}
	} finally {
		agent.destroy();
	}
	return {endpoint: null, total: 0, byKey: [], plaintext: 0, other: 0, error: last ? `${last.message} (${last.hint})` : 'no etcd endpoint in the profile'};
}

/** The line under the table. */
export function storedSecretsLine(stored: StoredSecrets): string {
	if (stored.endpoint === null) return `stored Secrets: not counted: ${stored.error ?? 'no etcd endpoint answered'}`;
	const parts = [...stored.byKey.map((k) => `${k.count} ${k.provider} ${k.keyName}`), `${stored.plaintext} plaintext`, ...(stored.other > 0 ? [`${stored.other} unrecognised`] : [])];
	return `stored Secrets (etcd ${stored.endpoint}): ${stored.total}: ${parts.join(', ')}`;
}

/** Plaintext in etcd is worth a warning: anyone with the disk or a snapshot reads them. */
export function storedSecretsProblems(stored: StoredSecrets | undefined): Problem[] {
	if (stored === undefined || stored.plaintext === 0) return [];
	return [
		{
			severity: 'warning',
			node: null,
			component: 'apiserver',
			message: `${stored.plaintext} of ${stored.total} Secrets are stored in plaintext in etcd (written before encryption was turned on)`,
			hint: 'rewrite them through the API, which encrypts them: `kubectl get secrets -A -o json | kubectl replace -f -`',
		},
	];
}
