// What is kept beside a snapshot: its name in the state directory, and a JSON sidecar that
// says what it is (sha256, size, revision, when, which etcd release and endpoint) and which
// encryption keys, by name, are needed to read the Secrets in it. A snapshot's Secrets are
// as the apiserver stored them (`k8s:enc:aescbc:v1:key1:…`): restored without that key they
// are unreadable. Key values never go in here. Pure.
import {parse} from 'yaml';

/** One snapshot taken, as the sidecar records it and takeEtcdSnapshot returns it. */
export interface SnapshotRecord {
	/** Absolute path of the snapshot file (etcd's database plus its trailing sha256, as etcdctl saves it). */
	path: string;
	/** Absolute path of the JSON sidecar. */
	sidecarPath: string;
	/** sha256 of the whole file, as `sha256sum` prints it. */
	sha256: string;
	/** Bytes of the file. */
	size: number;
	/** etcd's revision in the snapshot (what `etcdutl snapshot status` reports). */
	revision: number;
	/** When it was taken, ISO 8601 UTC. */
	takenAt: string;
	/** The release of the etcd member that sent it (`/v3/maintenance/status` version). */
	etcdRelease: string;
	/** The storage version etcd sent with the snapshot, when it did. */
	storageVersion?: string;
	/** The endpoint it came from. */
	endpoint: string;
	/** The cluster and member ids from that member's status (hex, as etcdctl shows them). */
	clusterId?: string;
	memberId?: string;
	/** Names of the encryption keys the apiserver writes and reads Secrets with, in the config's order. */
	encryptionKeys: EncryptionKeyName[];
}

export interface EncryptionKeyName {
	/** aescbc, aesgcm, secretbox, kms */
	provider: string;
	name: string;
}

export const SNAPSHOT_DIR = 'snapshots';

/** `20261201T134500Z`: a UTC time that sorts as text and fits a file name. */
export function utcStamp(at: Date): string {
	return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

/** `etcd-20261201T134500Z-rev12345.db`: sorts by time, says its revision. */
export function snapshotFileName(takenAt: Date, revision: number): string {
	return `etcd-${utcStamp(takenAt)}-rev${revision}.db`;
}

/** The sidecar of `etcd-….db` is `etcd-….json`. */
export function sidecarFileName(snapshotFile: string): string {
	return snapshotFile.replace(/\.db$/, '.json');
}

/** The sidecar's text: the record without local paths except the file's own name. */
export function sidecarJson(record: SnapshotRecord): string {
	const {path, sidecarPath: _sidecar, ...rest} = record;
	const file = path.slice(path.lastIndexOf('/') + 1);
	return `${JSON.stringify({file, ...rest}, null, 2)}\n`;
}

/**
 * The keys, by provider and name, that an EncryptionConfiguration gives the resources that
 * hold Secrets (`secrets`, `*.`, `*.*`), in order: the first writes, all of them read.
 * `identity` has no key and reads what was stored unencrypted.
 */
export function encryptionKeyNames(configYaml: string): EncryptionKeyName[] {
	const config = parse(configYaml) as {resources?: Array<{resources?: string[]; providers?: Array<Record<string, unknown>>}>} | null;
	const names: EncryptionKeyName[] = [];
	for (const entry of config?.resources ?? []) {
		if (!(entry.resources ?? []).some((r) => r === 'secrets' || r === '*.' || r === '*.*')) continue;
		for (const provider of entry.providers ?? []) {
			for (const [kind, settings] of Object.entries(provider)) {
				const s = settings as {keys?: Array<{name?: unknown}>; name?: unknown} | null;
				if (kind === 'kms' && typeof s?.name === 'string') names.push({provider: kind, name: s.name});
				for (const key of s?.keys ?? []) if (typeof key.name === 'string') names.push({provider: kind, name: key.name});
			}
		}
	}
	return names;
}
