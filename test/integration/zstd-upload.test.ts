import {execFileSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {readdirSync, statSync} from 'node:fs';
import {mkdir, readFile, readdir, symlink, truncate, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {SshError} from '../../source/remote/ssh-errors.js';
import {connectTo, createTestUser, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd, type TestUser} from './sshd-fixture.js';

/**
 * Binaries sent zstd-compressed through one command's stdin (ssh-upload.ts), against a
 * real sshd and the real zstd: as root, through password sudo, damaged on the way, and to
 * a node without zstd (plain SFTP then).
 */
describeWithSshd('binaries sent zstd-compressed', () => {
	let sshd: Sshd;
	let noZstd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;
	let sudoUser: TestUser;
	let data: Buffer;
	let local: string;
	let copy: {path: string; size: number};

	async function zstdCopyOf(content: Buffer, name: string): Promise<{path: string; size: number}> {
		const raw = join(work.path, `${name}.raw`);
		await writeFile(raw, content);
		execFileSync('zstd', ['-1', '-q', '-f', raw, '-o', join(work.path, `${name}.zst`)]);
		return {path: join(work.path, `${name}.zst`), size: statSync(join(work.path, `${name}.zst`)).size};
	}

	beforeAll(async () => {
		work = await tempDir('zstd');
		// A PATH with everything of /usr/bin but zstd: the node of a minimal Debian install.
		const bin = join(work.path, 'bin-without-zstd');
		await mkdir(bin);
		for (const name of await readdir('/usr/bin')) if (!name.includes('zstd')) await symlink(join('/usr/bin', name), join(bin, name));
		[sshd, noZstd, sudoUser] = await Promise.all([startSshd(), startSshd({extraConfig: [`SetEnv PATH=${bin}:/usr/sbin:/sbin`]}), createTestUser('password')]);
		knownHosts = await knownHostsFor(work.path, sshd, noZstd);
		data = Buffer.concat([randomBytes(1 << 20), Buffer.alloc(6 << 20, 'kube-apiserver '), randomBytes(12345)]);
		local = join(work.path, 'kube-apiserver');
		await writeFile(local, data);
		copy = await zstdCopyOf(data, 'apiserver');
		expect(copy.size).toBeLessThan(data.length / 3);
	});
	afterAll(async () => {
		await sudoUser?.remove();
		await Promise.all([sshd?.stop(), noZstd?.stop()]);
		await work?.remove();
	});

	it('as root: the target gets the decompressed bytes, mode set, progress in uncompressed bytes, no temp left', async () => {
		const transport = await connectTo(sshd, 'root', knownHosts);
		try {
			const dir = join(work.path, 'root', 'opt', 'k8s', 'bin');
			let last = 0;
			await transport.upload({localPath: local, zstd: copy}, join(dir, 'kube-apiserver'), {
				mode: 0o755,
				onProgress: (sent, total) => {
					expect(total).toBe(data.length);
					expect(sent).toBeGreaterThanOrEqual(last);
					last = sent;
				},
			});
			expect(last).toBe(data.length);
			expect((await readFile(join(dir, 'kube-apiserver'))).equals(data)).toBe(true);
			expect(statSync(join(dir, 'kube-apiserver')).mode & 0o7777).toBe(0o755);
			expect(readdirSync(dir)).toEqual(['kube-apiserver']);

			// What travels is the compressed copy: a copy of other bytes is what arrives.
			const other = randomBytes(4096);
			await transport.upload({localPath: local, zstd: await zstdCopyOf(other, 'other')}, join(dir, 'other'), {mode: 0o644});
			expect((await readFile(join(dir, 'other'))).equals(other)).toBe(true);
		} finally {
			await transport.close();
		}
	});

	it('a damaged copy fails the upload with zstd\'s reason and leaves the old file as it was', async () => {
		const transport = await connectTo(sshd, 'root', knownHosts);
		try {
			const dir = join(work.path, 'damaged');
			await mkdir(dir);
			await writeFile(join(dir, 'kube-apiserver'), 'old binary');
			const cut = await zstdCopyOf(data, 'cut');
			await truncate(cut.path, Math.floor(cut.size / 2));
			const error = await transport.upload({localPath: local, zstd: {path: cut.path, size: cut.size}}, join(dir, 'kube-apiserver'), {mode: 0o755}).then(() => undefined, (e: unknown) => e);
			expect(error).toBeInstanceOf(SshError);
			expect((error as SshError).kind).toBe('remote-command');
			expect((error as Error).message).toMatch(/kube-apiserver is unchanged: .*(premature end|end of file|truncated)/i);
			expect((error as SshError).hint).toContain(cut.path);
			expect(await readFile(join(dir, 'kube-apiserver'), 'utf8')).toBe('old binary');
			expect(readdirSync(dir)).toEqual(['kube-apiserver']);
			expect((await transport.exec('true')).code).toBe(0); // the connection is fine

			// A copy deleted between planning and sending: an error, not a wait for ever.
			const gone = transport.upload({localPath: local, zstd: {path: join(work.path, 'deleted.zst'), size: 100}}, join(dir, 'kube-apiserver'), {mode: 0o755});
			await expect(gone).rejects.toThrow(/deleted\.zst|ENOENT/);
			expect(await readFile(join(dir, 'kube-apiserver'), 'utf8')).toBe('old binary');
		} finally {
			await transport.close();
		}
	});

	it('through password sudo: root-owned in a root-only directory, the password nowhere', async () => {
		const transport = await connectTo(sshd, sudoUser.name, knownHosts, {sudoPassword: sudoUser.password});
		try {
			const dir = join(work.path, 'sudo', 'bin');
			await mkdir(dir, {recursive: true, mode: 0o700});
			await transport.upload({localPath: local, zstd: copy}, join(dir, 'kube-apiserver'), {mode: 0o755});
			expect((await readFile(join(dir, 'kube-apiserver'))).equals(data)).toBe(true);
			const info = statSync(join(dir, 'kube-apiserver'));
			expect([info.uid, info.mode & 0o7777]).toEqual([0, 0o755]);
			expect(readdirSync('/tmp').filter((n) => n.startsWith('k8s-master-setup.'))).toEqual([]); // no staging copy needed
		} finally {
			await transport.close();
		}
	});

	it('to a node without zstd the plain file goes over SFTP', async () => {
		const transport = await connectTo(noZstd, 'root', knownHosts);
		try {
			expect((await transport.exec('command -v zstd')).code).not.toBe(0);
			const target = join(work.path, 'plain', 'kube-apiserver');
			await transport.upload({localPath: local, zstd: copy}, target, {mode: 0o755});
			expect((await readFile(target)).equals(data)).toBe(true);
		} finally {
			await transport.close();
		}
	});
});
