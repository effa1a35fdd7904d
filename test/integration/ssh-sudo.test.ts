import {readdirSync, statSync, writeFileSync} from 'node:fs';
import {chmod, mkdir, readFile} from 'node:fs/promises';
import {join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {SshError} from '../../source/remote/ssh-errors.js';
import {formatError} from '../../source/errors.js';
import {connectTo, createTestUser, describeWithSshd, knownHostsFor, startSshd, tempDir, type Sshd, type TestUser} from './sshd-fixture.js';

describeWithSshd('a non-root login works through sudo', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;
	let nopasswd: TestUser;
	let withPassword: TestUser;
	let noSudo: TestUser;

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('sudo');
		knownHosts = await knownHostsFor(work.path, sshd);
		[nopasswd, withPassword, noSudo] = await Promise.all([createTestUser('nopasswd'), createTestUser('password'), createTestUser('none')]);
	});
	afterAll(async () => {
		await Promise.all([nopasswd?.remove(), withPassword?.remove(), noSudo?.remove()]);
		await sshd?.stop();
		await work?.remove();
	});

	it('NOPASSWD: runs as root, and uploads root-owned files into root-only directories', async () => {
		const transport = await connectTo(sshd, nopasswd.name, knownHosts);
		try {
			expect(transport.user).toBe(nopasswd.name);
			expect((await transport.exec('id -un')).stdout.trim()).toBe('root');
			expect((await transport.exec('id -un', {sudo: false})).stdout.trim()).toBe(nopasswd.name);
			expect((await transport.exec('cat', {stdin: 'piped'})).stdout).toBe('piped');

			const target = join(work.path, 'etc', 'kubernetes', 'cert', 'ca-key.pem');
			await transport.upload({content: Buffer.from('KEY')}, target, {mode: 0o600, owner: 'root:root'});
			expect(await readFile(target, 'utf8')).toBe('KEY');
			const info = statSync(target);
			expect([info.mode & 0o7777, info.uid, info.gid]).toEqual([0o600, 0, 0]);
			expect((await transport.sha256([target])).get(target)).toMatch(/^[0-9a-f]{64}$/);
			expect((await transport.readFile(target))?.toString()).toBe('KEY');
		} finally {
			await transport.close();
		}
	});

	it('uploads straight into reachable directories, and through a private staging dir into 0700 ones', async () => {
		const user = nopasswd.name;
		const stagingDirs = () => readdirSync('/tmp').filter((name) => name.startsWith('k8s-master-setup.') && statSync(join('/tmp', name)).uid !== 0);
		const open = join(work.path, 'open');
		await mkdir(open, {mode: 0o755});
		await chmod(open, 0o755);
		await chmod(work.path, 0o711); // traversable, as /etc is
		const transport = await connectTo(sshd, user, knownHosts);
		try {
			await transport.upload({content: Buffer.from('direct')}, join(open, 'a.yaml'), {mode: 0o644});
			expect(await readFile(join(open, 'a.yaml'), 'utf8')).toBe('direct');
			expect(stagingDirs()).toEqual([]);

			// Content goes through one command as root: a 0700 directory needs no staging.
			const closed = join(work.path, 'closed');
			await mkdir(closed, {mode: 0o700});
			await transport.upload({content: Buffer.from('as root')}, join(closed, 'b.key'), {mode: 0o600});
			expect(await readFile(join(closed, 'b.key'), 'utf8')).toBe('as root');
			expect(stagingDirs()).toEqual([]);

			// A file over SFTP (a binary, no zstd copy) runs as the login user: staged.
			const local = join(work.path, 'open', 'local-binary');
			writeFileSync(local, 'staged');
			await transport.upload({localPath: local}, join(closed, 'c.bin'), {mode: 0o755});
			expect(await readFile(join(closed, 'c.bin'), 'utf8')).toBe('staged');
			expect(readdirSync(closed).sort()).toEqual(['b.key', 'c.bin']);
			expect(stagingDirs()).toHaveLength(1);
		} finally {
			await transport.close();
			await chmod(work.path, 0o700);
		}
		expect(stagingDirs()).toEqual([]);
	});

	it('password sudo: the password goes to sudo only, never into the command stdin or output', async () => {
		const transport = await connectTo(sshd, withPassword.name, knownHosts, {sudoPassword: withPassword.password});
		try {
			const first = await transport.exec('id -un; cat', {stdin: 'payload'});
			expect(first).toEqual({code: 0, stdout: 'root\npayload', stderr: ''});
			// A second command, possibly with sudo's cached credentials: stdin still clean.
			const second = await transport.exec('cat', {stdin: 'again'});
			expect(second.stdout).toBe('again');
			expect(JSON.stringify([first, second])).not.toContain(withPassword.password);

			const target = join(work.path, 'opt', 'k8s', 'bin', 'kubectl');
			await transport.upload({content: Buffer.from('#!/bin/sh\n')}, target, {mode: 0o755});
			expect(statSync(target).uid).toBe(0);
			expect(statSync(target).mode & 0o7777).toBe(0o755);

			// Several files in one script on the shell's stdin, after sudo has read the password.
			const files = ['a.pem', 'b.pem'].map((n) => ({targetPath: join(work.path, 'etc', n), content: Buffer.from(`content of ${n}\n`), mode: 0o600}));
			await transport.uploadMany?.(files);
			for (const f of files) {
				expect(await readFile(f.targetPath)).toEqual(f.content);
				expect(statSync(f.targetPath).uid).toBe(0);
			}
		} finally {
			await transport.close();
		}
	});

	it('password sudo without a password: a clear error that says how to give one', async () => {
		const transport = await connectTo(sshd, withPassword.name, knownHosts);
		try {
			const error = await transport.exec('true').then(() => undefined, (e: unknown) => e);
			expect(error).toBeInstanceOf(SshError);
			expect((error as SshError).kind).toBe('sudo-password-required');
			expect(formatError(error)).toMatch(/master1: sudo on the node needs a password/);
			expect(formatError(error)).toContain('K8S_MASTER_SETUP_SUDO_PASSWORD');
		} finally {
			await transport.close();
		}
	});

	it('a wrong sudo password is refused without being shown', async () => {
		const transport = await connectTo(sshd, withPassword.name, knownHosts, {sudoPassword: 'not-the-password'});
		try {
			const error = await transport.exec('true').then(() => undefined, (e: unknown) => e);
			expect((error as SshError).kind).toBe('sudo-password-wrong');
			expect(formatError(error)).not.toContain('not-the-password');
		} finally {
			await transport.close();
		}
	});

	it('a user without sudo rights gets told so', async () => {
		const transport = await connectTo(sshd, noSudo.name, knownHosts, {sudoPassword: noSudo.password});
		try {
			const error = await transport.exec('true').then(() => undefined, (e: unknown) => e);
			expect((error as SshError).kind).toBe('sudo-denied');
			expect(formatError(error)).toContain(`${noSudo.name} may not use sudo`);
		} finally {
			await transport.close();
		}
	});
});
