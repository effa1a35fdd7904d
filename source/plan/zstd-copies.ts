import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, createWriteStream} from 'node:fs';
import {readdir, rename, rm, stat, utimes} from 'node:fs/promises';
import {join} from 'node:path';
import {pipeline} from 'node:stream/promises';
import {makeDirectory} from '../make-directory.js';

/**
 * zstd-compressed copies of the Kubernetes binaries, kept in the user cache directory by
 * sha256 and sent instead of the binaries to nodes that have zstd (see ssh-upload.ts).
 * Go binaries shrink to about a quarter at level 3, so a first install moves ~95 MB per
 * node instead of ~370 MB, and the client spends its CPU on a quarter of the SSH
 * encryption. Each binary is compressed once per machine (level 3, all cores: ~0.6 s for
 * kube-apiserver), by the zstd command; without it, or without a writable cache, the
 * binaries go as they are.
 *
 * The file is hashed as it is fed to zstd and the copy is kept only when that hash is the
 * one the plan was made with: a binary replaced between planning and compressing never
 * lands in the cache under the old hash. A copy found in the cache is decompressed and
 * hashed before it is used (0.8 s of one core for kube-apiserver's 119 MB, measured here;
 * asked for only when a binary is about to be sent): a damaged or replaced entry — any
 * other valid zstd stream would pass the node's own frame check — is made again.
 */
export interface ZstdCopy {
	path: string;
	size: number;
}

export type ZstdCopies = (file: {localPath: string; sha256: string}) => Promise<ZstdCopy | undefined>;

/** Copies not used for this long are removed when a new one is made. */
const KEEP_UNUSED_MS = 30 * 24 * 3600 * 1000;

export function zstdCopies(cacheDir: string | undefined, zstdCommand = 'zstd'): ZstdCopies {
	if (cacheDir === undefined) return async () => undefined;
	const dir = join(cacheDir, 'zstd');
	const copies = new Map<string, Promise<ZstdCopy | undefined>>();
	// One compression at a time, in the order asked for (the order the uploads need them):
	// zstd uses every core for one file already.
	let queue: Promise<unknown> = Promise.resolve();
	let unavailable = false;
	return (file) => {
		let copy = copies.get(file.sha256);
		if (!copy) {
			copy = queue.then(async () => {
				if (unavailable) return undefined;
				try {
					return await ensureCopy(dir, file, zstdCommand);
				} catch (error) {
					// zstd missing or failing, the cache not writable: send the binary as it is.
					if ((error as NodeJS.ErrnoException).code === 'ENOENT' && (error as {syscall?: string}).syscall?.startsWith('spawn')) unavailable = true;
					return undefined;
				}
			});
			queue = copy;
			copies.set(file.sha256, copy);
		}
		return copy;
	};
}

async function ensureCopy(dir: string, file: {localPath: string; sha256: string}, zstdCommand: string): Promise<ZstdCopy | undefined> {
	const path = join(dir, `${file.sha256}.zst`);
	const existing = await stat(path).catch(() => undefined);
	if (existing) {
		if (await decompressesTo(path, file.sha256, zstdCommand)) {
			const now = new Date();
			await utimes(path, now, now).catch(() => undefined); // marks it used, for pruning
			return {path, size: existing.size};
		}
		await rm(path, {force: true}); // made again below
	}
	makeDirectory(dir, 0o755, 'cache directory'); // a failure: the binaries go uncompressed
	const temp = `${path}.tmp.${process.pid}.${Date.now()}`;
	const zstd = spawn(zstdCommand, ['-3', '-T0', '-q', '-c'], {stdio: ['pipe', 'pipe', 'ignore']});
	try {
		const hash = createHash('sha256');
		const exited = new Promise<number>((resolve, reject) => {
			zstd.once('error', reject);
			zstd.once('close', (code) => resolve(code ?? 1));
		});
		const input = createReadStream(file.localPath, {highWaterMark: 1024 * 1024});
		input.on('data', (chunk) => hash.update(chunk));
		await Promise.all([pipeline(input, zstd.stdin), pipeline(zstd.stdout, createWriteStream(temp, {mode: 0o644})), exited.then((code) => {
			if (code !== 0) throw new Error(`zstd exited with ${code}`);
		})]);
		if (hash.digest('hex') !== file.sha256) return undefined; // changed since it was planned
		await rename(temp, path);
		await pruneUnused(dir);
		return {path, size: (await stat(path)).size};
	} catch (error) {
		zstd.kill();
		throw error;
	} finally {
		await rm(temp, {force: true});
	}
}

/** Whether the copy decompresses to bytes with this sha256 (false for a damaged stream too). */
async function decompressesTo(path: string, sha256: string, zstdCommand: string): Promise<boolean> {
	const zstd = spawn(zstdCommand, ['-dcq', '--', path], {stdio: ['ignore', 'pipe', 'ignore']});
	const hash = createHash('sha256');
	const exited = new Promise<number>((resolve, reject) => {
		zstd.once('error', reject);
		zstd.once('close', (code) => resolve(code ?? 1));
	});
	zstd.stdout.on('data', (chunk: Buffer) => hash.update(chunk));
	return (await exited) === 0 && hash.digest('hex') === sha256;
}

async function pruneUnused(dir: string): Promise<void> {
	const cutoff = Date.now() - KEEP_UNUSED_MS;
	for (const name of await readdir(dir).catch(() => [] as string[])) {
		const path = join(dir, name);
		const info = await stat(path).catch(() => undefined);
		if (info && info.mtimeMs < cutoff) await rm(path, {force: true});
	}
}
