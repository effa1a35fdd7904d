// How the Secrets are stored in etcd, counted by the prefix of each raw value
// (`k8s:enc:<provider>:v1:<key name>:`; plaintext is the apiserver's protobuf `k8s\0` or
// JSON). Read through etcd's own API (its gRPC gateway, range requests paged by key) with the
// etcd client certificate the apiservers use: no etcdctl on a node, nothing decrypted, no
// value printed or kept beyond its prefix. For `status --encryption` and for an encryption
// rotation's proof that no value is left under the old key.
import {etcdAgent, etcdPostJson, EtcdRequestError, type EtcdClientCredentials} from './etcd-https.js';

export interface StoredCounts {
	total: number;
	byKey: Array<{provider: string; keyName: string; count: number}>;
	plaintext: number;
	other: number;
}

/** The counts and the endpoint they were read from; endpoint null with the error when none answered. */
export interface StoredSecretsCount extends StoredCounts {
	endpoint: string | null;
	error?: string;
}

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
export function countValues(values: Iterable<Buffer>, into: StoredCounts = {total: 0, byKey: [], plaintext: 0, other: 0}): StoredCounts {
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

export const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

/** Pages through every Secret on the first endpoint that answers. */
export async function countStoredSecrets(endpoints: readonly string[], credentials: EtcdClientCredentials, timeoutMs: number): Promise<StoredSecretsCount> {
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


/** The raw value of one etcd key from the first endpoint that answers; undefined when the key does not exist. */
export async function readStoredValue(endpoints: readonly string[], credentials: EtcdClientCredentials, key: string, timeoutMs: number): Promise<Buffer | undefined> {
	const agent = etcdAgent(credentials);
	let last: EtcdRequestError | undefined;
	try {
		for (const endpoint of endpoints) {
			try {
				const page = (await etcdPostJson(endpoint, '/v3/kv/range', {agent, credentials, idleTimeoutMs: timeoutMs, body: JSON.stringify({key: b64(key)}), maxBytes: 8 * 1024 * 1024})) as {
					kvs?: Array<{value?: string}>;
				};
				const value = page.kvs?.[0]?.value;
				return value === undefined ? undefined : Buffer.from(value, 'base64');
			} catch (e) {
				if (!(e instanceof EtcdRequestError)) throw e;
				last = e;
			}
		}
	} finally {
		agent.destroy();
	}
	throw last ?? new EtcdRequestError('', 'no etcd endpoint in the profile', 'add etcd.endpoints to the profile');
}
