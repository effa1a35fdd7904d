// `status --encryption`: how the Secrets are stored in etcd (snapshot/stored-secrets-count.ts
// counts them by key name), as a line under the table and a warning for plaintext.
import {countStoredSecrets, countValues, storedAs} from '../snapshot/stored-secrets-count.js';
import type {Problem, StoredSecrets} from './json-schema.js';

export {countStoredSecrets, countValues, storedAs};

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
