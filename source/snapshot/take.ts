// Takes an etcd snapshot through etcd's own API, from this machine: each endpoint of the
// profile in order until one gives a whole snapshot. The file is written to a temporary
// name in <state dir>/snapshots (0700), fsynced, checked (stream complete, etcd's sha256
// matches, the revision read from the database itself), renamed to
// etcd-<UTC time>-rev<revision>.db (0600) and described by a sidecar (record.ts).
// Called by the `snapshot` command, and before a minor upgrade.
import {randomBytes, createHash} from 'node:crypto';
import {chmodSync, closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {etcdClientUrls} from '../etcd/members.js';
import {apiserverStem} from '../pki/cert-specs.js';
import {ETCD_CA, TOOL_ETCD_CLIENT_STEM} from '../pki/etcd-specs.js';
import {UserError} from '../errors.js';
import {makeDirectory} from '../make-directory.js';
import {keptEncryptionConfig} from '../pki/kept-encryption-config.js';
import type {Profile} from '../profile/schema.js';
import {writeFileAtomic} from '../state/state-dir.js';
import {BoltFormatError, boltRevisionOfFile} from './bolt-revision.js';
import {etcdAgent, etcdPost, etcdPostJson, EtcdRequestError, type EtcdClientCredentials} from './etcd-https.js';
import {encryptionKeyNames, sidecarFileName, sidecarJson, snapshotFileName, SNAPSHOT_DIR, type EncryptionKeyName, type SnapshotRecord} from './record.js';
import {SnapshotStream, SnapshotStreamError, type SnapshotProgress} from './stream.js';

export type {SnapshotRecord} from './record.js';
export type {EtcdClientCredentials} from './etcd-https.js';

/**
 * The credentials the profile's apiservers use towards etcd (render/flags.ts: etcd-cafile,
 * etcd-certfile, etcd-keyfile): etcd.caFile or the cluster CA; etcd.certFile/keyFile or the
 * apiserver certificate kept in the state directory. Read-only; exit 2 when one is missing.
 */
export function etcdClientCredentials(profile: Profile, stateDir: string): EtcdClientCredentials {
	if (profile.etcd.mode === 'stacked') return stackedEtcdCredentials(stateDir);
	const ca = profile.etcd.caFile
		? {path: profile.etcd.caFile, source: `etcd.caFile ${profile.etcd.caFile}`}
		: profile.pki.caCert
			? {path: profile.pki.caCert, source: `the cluster CA pki.caCert ${profile.pki.caCert}`}
			: {path: join(stateDir, 'ca.pem'), source: `the cluster CA ${join(stateDir, 'ca.pem')}`};
	// Without etcd.certFile: the first node's apiserver certificate (or, in a state directory of
	// a release before they were per node, the one apiserver certificate it kept).
	const perNode = join(stateDir, `${apiserverStem(profile.nodes[0]!.name)}.pem`);
	const stem = existsSync(perNode) || !existsSync(join(stateDir, 'kubernetes.pem')) ? apiserverStem(profile.nodes[0]!.name) : 'kubernetes';
	const cert = profile.etcd.certFile
		? {path: profile.etcd.certFile, keyPath: profile.etcd.keyFile!, source: `etcd.certFile ${profile.etcd.certFile}`}
		: {path: join(stateDir, `${stem}.pem`), keyPath: join(stateDir, `${stem}-key.pem`), source: `the apiserver certificate ${join(stateDir, `${stem}.pem`)}`};
	for (const path of [ca.path, cert.path, cert.keyPath]) {
		if (!existsSync(path)) {
			throw new UserError(
				`${path} does not exist: the etcd client credentials of this profile are not there`,
				profile.etcd.certFile ? 'check etcd.certFile, etcd.keyFile and etcd.caFile' : 'run `k8s-master-setup apply` for the profile first (it creates the apiserver certificate), or pass the --state-dir it used',
			);
		}
	}
	return {ca: readFileSync(ca.path, 'utf8'), cert: readFileSync(cert.path, 'utf8'), key: readFileSync(cert.keyPath, 'utf8'), caSource: ca.source, certSource: cert.source};
}

/** A stacked etcd (etcd.mode: stacked): its own CA and the tool's client certificate (pki/etcd-specs.ts). */
function stackedEtcdCredentials(stateDir: string): EtcdClientCredentials {
	const ca = join(stateDir, `${ETCD_CA.stem}.pem`);
	const cert = join(stateDir, `${TOOL_ETCD_CLIENT_STEM}.pem`);
	const key = join(stateDir, `${TOOL_ETCD_CLIENT_STEM}-key.pem`);
	for (const path of [ca, cert, key]) {
		if (!existsSync(path)) {
			throw new UserError(
				`${path} does not exist: the etcd client credentials of this profile are not there`,
				'run `k8s-master-setup apply` for the profile first (it creates the etcd CA and the tool\'s etcd client certificate), or pass the --state-dir it used',
			);
		}
	}
	return {ca: readFileSync(ca, 'utf8'), cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8'), caSource: `the etcd CA ${ca}`, certSource: `the tool's etcd client certificate ${cert}`};
}

export interface SnapshotTimeouts {
	/** The status request: the longest wait for its next byte (connecting included). */
	statusMs: number;
	/** The snapshot stream: the longest wait for the next byte (a large database takes minutes as a whole). */
	idleMs: number;
}

export const DEFAULT_SNAPSHOT_TIMEOUTS: SnapshotTimeouts = {statusMs: 10_000, idleMs: 30_000};

export interface TakeSnapshotInput {
	profile: Profile;
	stateDir: string;
	credentials: EtcdClientCredentials;
	signal?: AbortSignal;
	/** Bytes received of the database, per endpoint tried (at every chunk: throttle when showing it). */
	onProgress?: (endpoint: string, progress: SnapshotProgress) => void;
	timeouts?: SnapshotTimeouts;
	now?: () => Date;
}

/** One endpoint that did not give a snapshot, and what would fix it. */
export interface EndpointFailure {
	endpoint: string;
	message: string;
	hint: string;
}

/** No endpoint gave a snapshot: exit 1, each endpoint with its cause and fix. */
export class SnapshotFailedError extends UserError {
	constructor(readonly failures: EndpointFailure[]) {
		super(
			`no etcd snapshot taken; tried ${failures.length} endpoint(s):\n${failures.map((f) => `  ${f.message}\n    fix: ${f.hint}`).join('\n')}`,
			'fix the cause above and run again; nothing was kept (the snapshot directory holds no partial file)',
			1,
		);
		this.name = 'SnapshotFailedError';
	}
}

export async function takeEtcdSnapshot(input: TakeSnapshotInput): Promise<SnapshotRecord> {
	const dir = join(input.stateDir, SNAPSHOT_DIR);
	makeDirectory(dir, 0o700, 'snapshot directory');
	if ((statSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
	const encryptionKeys = keptEncryptionKeyNames(input.stateDir);
	const agent = etcdAgent(input.credentials);
	const failures: EndpointFailure[] = [];
	try {
		for (const endpoint of etcdClientUrls(input.profile)) {
			if (input.signal?.aborted) break;
			try {
				return await snapshotFrom(endpoint, {...input, dir, agent, encryptionKeys});
			} catch (error) {
				if (!(error instanceof EtcdRequestError)) throw error;
				failures.push({endpoint, message: error.message, hint: error.hint});
			}
		}
	} finally {
		agent.destroy();
	}
	if (input.signal?.aborted) throw new UserError('the snapshot was stopped; nothing was kept', 'run the command again to take it', 1);
	throw new SnapshotFailedError(failures);
}

interface EndpointRun extends TakeSnapshotInput {
	dir: string;
	agent: ReturnType<typeof etcdAgent>;
	encryptionKeys: EncryptionKeyName[];
}

async function snapshotFrom(endpoint: string, run: EndpointRun): Promise<SnapshotRecord> {
	const timeouts = run.timeouts ?? DEFAULT_SNAPSHOT_TIMEOUTS;
	const request = {agent: run.agent, credentials: run.credentials, ...(run.signal ? {signal: run.signal} : {})};
	const status = memberStatus(endpoint, await etcdPostJson(endpoint, '/v3/maintenance/status', {...request, idleTimeoutMs: timeouts.statusMs}));
	const takenAt = (run.now ?? (() => new Date()))();
	const temp = join(run.dir, `.partial-${process.pid}-${randomBytes(4).toString('hex')}.db`);
	const fd = openSync(temp, 'wx', 0o600);
	let closed = false;
	try {
		const stream = new SnapshotStream();
		const fileHash = createHash('sha256');
		let size = 0;
		const append = (blobs: Buffer[]) => {
			for (const blob of blobs) {
				writeAll(fd, blob, temp);
				fileHash.update(blob);
				size += blob.length;
			}
		};
		await etcdPost(endpoint, '/v3/maintenance/snapshot', {
			...request,
			idleTimeoutMs: timeouts.idleMs,
			onData: (chunk) => {
				let blobs: Buffer[];
				try {
					blobs = stream.push(chunk);
				} catch (error) {
					throw streamError(endpoint, error);
				}
				append(blobs);
				run.onProgress?.(endpoint, stream.progress);
			},
		});
		let summary;
		try {
			summary = stream.end();
		} catch (error) {
			throw streamError(endpoint, error);
		}
		append(summary.tail);
		fsyncSync(fd);
		closeSync(fd);
		closed = true;
		const revision = revisionOf(endpoint, temp);
		const path = join(run.dir, snapshotFileName(takenAt, revision));
		const record: SnapshotRecord = {
			path,
			sidecarPath: join(run.dir, sidecarFileName(snapshotFileName(takenAt, revision))),
			sha256: fileHash.digest('hex'),
			size,
			revision,
			takenAt: takenAt.toISOString(),
			etcdRelease: status.release,
			...(summary.storageVersion ? {storageVersion: summary.storageVersion} : {}),
			endpoint,
			...(status.clusterId ? {clusterId: status.clusterId} : {}),
			...(status.memberId ? {memberId: status.memberId} : {}),
			encryptionKeys: run.encryptionKeys,
		};
		chmodSync(temp, 0o600);
		renameSync(temp, path);
		syncDirectory(run.dir);
		writeFileAtomic(record.sidecarPath, sidecarJson(record), 0o600, {durable: true, dirMode: 0o700});
		syncDirectory(run.dir);
		return record;
	} finally {
		if (!closed) closeSync(fd);
		rmSync(temp, {force: true});
	}
}

function writeAll(fd: number, bytes: Buffer, path: string): void {
	try {
		for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
	} catch (error) {
		throw new UserError(`cannot write the snapshot to ${path}: ${(error as Error).message}`, 'free space in the state directory (or pass another --state-dir) and run again', 1);
	}
}

/** The rename is durable only once the directory is on disk too. */
function syncDirectory(dir: string): void {
	const fd = openSync(dir, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

function streamError(endpoint: string, error: unknown): unknown {
	if (!(error instanceof SnapshotStreamError)) return error;
	return new EtcdRequestError(endpoint, `${endpoint}: ${error.message}`, 'run the command again; if it repeats with this member, try it alone after checking its health (etcdctl endpoint health) and log (journalctl -u etcd)');
}

function revisionOf(endpoint: string, file: string): number {
	try {
		return boltRevisionOfFile(file);
	} catch (error) {
		if (!(error instanceof BoltFormatError)) throw error;
		throw new EtcdRequestError(endpoint, `${endpoint}: the snapshot is not a readable etcd database: ${error.message}`, 'run the command again; if it repeats, check the member with etcdutl on its data directory (etcdutl snapshot status)');
	}
}

interface MemberStatus {
	release: string;
	clusterId: string | undefined;
	memberId: string | undefined;
}

/** The release and ids from `/v3/maintenance/status` (protojson: uint64 as decimal strings). */
export function memberStatus(endpoint: string, answer: unknown): MemberStatus {
	const a = (answer ?? {}) as {version?: unknown; header?: {cluster_id?: unknown; member_id?: unknown}};
	if (typeof a.version !== 'string' || a.version === '') {
		throw new EtcdRequestError(endpoint, `${endpoint}: /v3/maintenance/status answered without an etcd version`, 'check that the endpoint is an etcd client URL (port 2379 by default)');
	}
	return {release: a.version, clusterId: hexId(a.header?.cluster_id), memberId: hexId(a.header?.member_id)};
}

function hexId(value: unknown): string | undefined {
	if (typeof value !== 'string' || !/^\d+$/.test(value)) return undefined;
	return BigInt(value).toString(16);
}

/**
 * The encryption keys, by name, of the encryption config the tool renders from the key kept
 * in the state directory (the file the apiservers read): those are needed to read the
 * Secrets in a snapshot. None when no key is kept.
 */
export function keptEncryptionKeyNames(stateDir: string): EncryptionKeyName[] {
	const kept = keptEncryptionConfig(stateDir);
	return kept ? encryptionKeyNames(kept.config) : [];
}
