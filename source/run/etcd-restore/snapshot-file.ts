// The snapshot a restore is asked to use, checked on this machine before any node is
// touched: a regular file, etcd's database followed by the sha256 of it (as the `snapshot`
// command and `etcdctl snapshot save` keep it; etcdutl refuses a file whose sum does not
// match, but only on the node, after the upload), the revision read from the database, and
// its sidecar (record.ts) when the `snapshot` command took it: when, from which etcd, and
// which encryption keys its Secrets need. One pass over the file gives both the sum inside
// and the whole file's sha256 (to check each upload).
import {createHash} from 'node:crypto';
import {closeSync, existsSync, openSync, readFileSync, readSync, statSync} from 'node:fs';
import {resolve} from 'node:path';
import {UserError} from '../../errors.js';
import {BoltFormatError, boltRevisionOfFile} from '../../snapshot/bolt-revision.js';
import {sidecarFileName, type EncryptionKeyName} from '../../snapshot/record.js';
import type {SnapshotFacts} from './restore-plan.js';

const SUM_BYTES = 32;

export interface CheckedSnapshot extends SnapshotFacts {
	/** sha256 of the whole file. */
	sha256: string;
}

export function checkSnapshotFile(given: string): CheckedSnapshot {
	const path = resolve(given);
	let size: number;
	try {
		const stat = statSync(path);
		if (!stat.isFile()) throw new UserError(`--snapshot ${given}: not a regular file`, 'give the .db file the `snapshot` command wrote (in <state dir>/snapshots)');
		size = stat.size;
	} catch (error) {
		if (error instanceof UserError) throw error;
		throw new UserError(`--snapshot ${given}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`, 'give the .db file the `snapshot` command wrote (in <state dir>/snapshots)');
	}
	if (size <= SUM_BYTES) throw new UserError(`--snapshot ${given}: ${size} bytes is not an etcd snapshot`, 'give the .db file the `snapshot` command wrote');
	const {whole, inner, trailer} = sums(path, size);
	if (!inner.equals(trailer)) {
		throw new UserError(
			`--snapshot ${given}: the sha256 at its end does not match the database before it: the file is damaged, or it is a copy of a member's db file (which carries no sum)`,
			'use another snapshot (`k8s-master-setup snapshot` takes one from a running cluster); a member\'s raw db file is not restored by this tool',
		);
	}
	let revision: number;
	try {
		revision = boltRevisionOfFile(path);
	} catch (error) {
		if (!(error instanceof BoltFormatError)) throw error;
		throw new UserError(`--snapshot ${given}: not an etcd database (${error.message})`, 'give the .db file the `snapshot` command wrote');
	}
	return {path, size, revision, sha256: whole.toString('hex'), ...sidecarFacts(path, whole.toString('hex'))};
}

function sums(path: string, size: number): {whole: Buffer; inner: Buffer; trailer: Buffer} {
	const whole = createHash('sha256');
	const inner = createHash('sha256');
	const fd = openSync(path, 'r');
	try {
		const buffer = Buffer.alloc(1024 * 1024);
		const innerEnd = size - SUM_BYTES;
		let offset = 0;
		while (offset < size) {
			const n = readSync(fd, buffer, 0, buffer.length, offset);
			if (n === 0) break;
			const chunk = buffer.subarray(0, n);
			whole.update(chunk);
			if (offset < innerEnd) inner.update(chunk.subarray(0, Math.min(n, innerEnd - offset)));
			offset += n;
		}
		const trailer = Buffer.alloc(SUM_BYTES);
		readSync(fd, trailer, 0, SUM_BYTES, innerEnd);
		return {whole: whole.digest(), inner: inner.digest(), trailer};
	} finally {
		closeSync(fd);
	}
}

/** What the sidecar says, when there is one and it is this file's (its sha256 matches). */
function sidecarFacts(path: string, sha256: string): Pick<SnapshotFacts, 'takenAt' | 'etcdRelease' | 'encryptionKeys'> {
	const sidecar = sidecarFileName(path);
	if (sidecar === path || !existsSync(sidecar)) return {};
	let parsed: {sha256?: unknown; takenAt?: unknown; etcdRelease?: unknown; encryptionKeys?: unknown};
	try {
		parsed = JSON.parse(readFileSync(sidecar, 'utf8'));
	} catch {
		return {};
	}
	if (parsed.sha256 !== sha256) return {};
	const keys = Array.isArray(parsed.encryptionKeys)
		? parsed.encryptionKeys.filter((k): k is EncryptionKeyName => typeof k?.provider === 'string' && typeof k?.name === 'string').map((k) => ({provider: k.provider, name: k.name}))
		: undefined;
	return {
		...(typeof parsed.takenAt === 'string' ? {takenAt: parsed.takenAt} : {}),
		...(typeof parsed.etcdRelease === 'string' ? {etcdRelease: parsed.etcdRelease} : {}),
		...(keys ? {encryptionKeys: keys} : {}),
	};
}
