import {execFileSync} from 'node:child_process';
import {createHash, randomBytes} from 'node:crypto';
import {mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {zstdCopies} from '../../source/plan/zstd-copies.js';
import {cannotRun} from '../require-or-skip.js';

const hasZstd = (() => {
	try {
		execFileSync('zstd', ['-V'], {stdio: 'ignore'});
		return true;
	} catch {
		return false;
	}
})();

/** Compressible like a binary: repeated text with random stretches. */
function binaryLike(size: number): Buffer {
	const parts: Buffer[] = [];
	for (let n = 0; n < size; n += 4096) parts.push(n % 3 === 0 ? randomBytes(4096) : Buffer.from('kube-apiserver symbol table '.repeat(147)).subarray(0, 4096));
	return Buffer.concat(parts).subarray(0, size);
}

describe.skipIf(cannotRun('zstd-copies.test.ts', hasZstd ? undefined : 'the zstd command is not installed (Debian package zstd; .ci/run installs it)'))('zstd copies of the binaries in the user cache', () => {
	let dir: string;
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	function setup(size = 3 << 20) {
		dir = mkdtempSync(join(tmpdir(), 'k8s-zstd-'));
		const localPath = join(dir, 'kube-apiserver');
		const data = binaryLike(size);
		writeFileSync(localPath, data);
		return {localPath, data, sha256: createHash('sha256').update(data).digest('hex'), cache: join(dir, 'cache')};
	}

	it('makes a smaller copy that decompresses to the same bytes, once', async () => {
		const {localPath, data, sha256, cache} = setup();
		const copy = await zstdCopies(cache)({localPath, sha256});
		expect(copy?.path).toBe(join(cache, 'zstd', `${sha256}.zst`));
		expect(copy!.size).toBeLessThan(data.length * 0.6);
		expect(execFileSync('zstd', ['-dc', copy!.path], {maxBuffer: 64 << 20}).equals(data)).toBe(true);
		const inode = statSync(copy!.path).ino;
		// Another run (a new process, the same cache): the copy is reused, not made again.
		const again = await zstdCopies(cache)({localPath, sha256});
		expect(again).toEqual(copy);
		expect(statSync(again!.path).ino).toBe(inode);
		expect(readdirSync(join(cache, 'zstd'))).toEqual([`${sha256}.zst`]);
	});

	it('keeps nothing when the file no longer has the planned hash', async () => {
		const {localPath, cache} = setup();
		const stale = createHash('sha256').update('the binary as it was planned').digest('hex');
		expect(await zstdCopies(cache)({localPath, sha256: stale})).toBeUndefined();
		expect(readdirSync(join(cache, 'zstd'))).toEqual([]);
	});

	it('answers undefined without zstd or without a cache directory', async () => {
		const {localPath, sha256, cache} = setup(64 * 1024);
		expect(await zstdCopies(cache, 'zstd-not-installed-here')({localPath, sha256})).toBeUndefined();
		expect(await zstdCopies(undefined)({localPath, sha256})).toBeUndefined();
		// A cache path that cannot be a directory (a file is in the way).
		writeFileSync(join(dir, 'file'), 'x');
		expect(await zstdCopies(join(dir, 'file'))({localPath, sha256})).toBeUndefined();
		expect(readFileSync(join(dir, 'file'), 'utf8')).toBe('x');
	});

	it('checks a cached copy against the planned sha256 and makes a poisoned one again', async () => {
		const {localPath, data, sha256, cache} = setup(256 * 1024);
		const copy = await zstdCopies(cache)({localPath, sha256});
		// A valid zstd stream of other bytes under the binary's name: the node's frame check would pass it.
		const poison = execFileSync('zstd', ['-q', '-c'], {input: Buffer.from('#!/bin/sh\necho owned\n')});
		writeFileSync(copy!.path, poison);
		const again = await zstdCopies(cache)({localPath, sha256});
		expect(again?.path).toBe(copy!.path);
		expect(readFileSync(again!.path).equals(poison)).toBe(false);
		expect(execFileSync('zstd', ['-dc', again!.path], {maxBuffer: 64 << 20}).equals(data)).toBe(true);
		// Damaged (cut short) the same.
		writeFileSync(copy!.path, readFileSync(copy!.path).subarray(0, 100));
		const third = await zstdCopies(cache)({localPath, sha256});
		expect(execFileSync('zstd', ['-dc', third!.path], {maxBuffer: 64 << 20}).equals(data)).toBe(true);
	});
});
