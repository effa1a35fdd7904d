import {createHash, randomBytes} from 'node:crypto';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {readFile, writeFile, mkdir} from 'node:fs/promises';
import {basename, join} from 'node:path';
import {afterAll, beforeAll, expect, it} from 'vitest';
import type {Transport} from '../../source/remote/transport.js';
import {SshError} from '../../source/remote/ssh-errors.js';
import {connectTo, describeWithSshd, knownHostsFor, startCuttableRelay, startSshd, tempDir, type Sshd} from './sshd-fixture.js';

describeWithSshd('ssh transport as root against a real sshd', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let knownHosts: string;
	let transport: Transport;

	beforeAll(async () => {
		sshd = await startSshd();
		work = await tempDir('transport');
		knownHosts = await knownHostsFor(work.path, sshd);
		transport = await connectTo(sshd, 'root', knownHosts);
	});
	afterAll(async () => {
		await transport?.close();
		await sshd?.stop();
		await work?.remove();
	});

	it('runs commands, feeds stdin and reports exit codes', async () => {
		expect(await transport.exec('echo hello; echo oops >&2; exit 3')).toEqual({code: 3, stdout: 'hello\n', stderr: 'oops\n'});
		expect((await transport.exec('cat', {stdin: 'from stdin'})).stdout).toBe('from stdin');
		expect((await transport.exec('id -un')).stdout.trim()).toBe('root');
	});

	it('never loses the exit status of fast commands, even run many at once', async () => {
		// A fast command's whole exchange can arrive in one TCP segment, before the caller's
		// 'exit' listener exists; the exit status must still be read (it used to be "connection lost").
		for (let round = 0; round < 8; round++) {
			// 8 at a time: below sshd's default MaxSessions (10), as the runner stays.
			const results = await Promise.all(Array.from({length: 8}, (_, i) => transport.exec(i % 2 ? 'true' : 'exit 3', {sudo: false})));
			expect(results.map((r) => r.code)).toEqual(Array.from({length: 8}, (_, i) => (i % 2 ? 0 : 3)));
		}
	});

	it('times a command out', async () => {
		await expect(transport.exec('sleep 5', {timeoutMs: 300})).rejects.toMatchObject({kind: 'timeout'});
	});

	it('uploads in-memory content with mode and owner, creating the directory', async () => {
		const target = join(work.path, 'etc', 'kubernetes', 'encryption-config.yaml');
		const content = Buffer.from('kind: EncryptionConfiguration\n# it\'s "quoted" $HOME `x`\n');
		const progress: number[] = [];
		await transport.upload({content}, target, {mode: 0o600, owner: 'root:root', onProgress: (sent) => progress.push(sent)});
		expect(await readFile(target)).toEqual(content);
		expect(statSync(target).mode & 0o7777).toBe(0o600);
		expect(statSync(target).uid).toBe(0);
		expect(progress.at(-1)).toBe(content.length);
		expect(readdirSync(join(work.path, 'etc', 'kubernetes'))).toEqual(['encryption-config.yaml']);
	});

	it('places several small files in one command, each with its mode', async () => {
		const dir = join(work.path, 'many');
		const files = Array.from({length: 20}, (_, i) => ({targetPath: join(dir, i % 2 ? 'cert' : '.', `f${i}.pem`), content: randomBytes(1500 + i * 100), mode: i % 2 ? 0o600 : 0o644}));
		await transport.uploadMany?.(files);
		for (const f of files) {
			expect(await readFile(f.targetPath)).toEqual(f.content);
			expect(statSync(f.targetPath).mode & 0o7777).toBe(f.mode);
			expect(statSync(f.targetPath).uid).toBe(0);
		}
		expect(readdirSync(join(dir, 'cert')).sort()).toEqual(files.filter((_, i) => i % 2).map((f) => basename(f.targetPath)).sort());
	});

	it('streams a local file, sets 0755, and sha256 matches the local hash', async () => {
		const local = join(work.path, 'kube-scheduler');
		const data = randomBytes(5 * 1024 * 1024 + 123);
		await writeFile(local, data);
		const target = join(work.path, 'opt', 'k8s', 'bin', 'kube-scheduler');
		let last = 0;
		await transport.upload({localPath: local}, target, {mode: 0o755, onProgress: (sent, total) => {
			expect(total).toBe(data.length);
			last = sent;
		}});
		expect(last).toBe(data.length);
		expect((await readFile(target)).equals(data)).toBe(true);
		expect(statSync(target).mode & 0o7777).toBe(0o755);

		const localHash = createHash('sha256').update(data).digest('hex');
		const odd = join(work.path, "odd name's $file");
		await writeFile(odd, 'x');
		const hashes = await transport.sha256([target, join(work.path, 'absent'), odd]);
		expect(hashes.get(target)).toBe(localHash);
		expect(hashes.get(join(work.path, 'absent'))).toBeUndefined();
		expect(hashes.get(odd)).toBe(createHash('sha256').update('x').digest('hex'));
		expect(await transport.sha256([])).toEqual(new Map());
	});

	it('reads remote files, undefined when absent', async () => {
		const path = join(work.path, 'binary.bin');
		const bytes = randomBytes(70_000);
		await writeFile(path, bytes);
		expect((await transport.readFile(path))?.equals(bytes)).toBe(true);
		expect(await transport.readFile(join(work.path, 'nope'))).toBeUndefined();
	});

	it('replaces an existing file in one rename (the inode changes, the old content is never truncated)', async () => {
		const target = join(work.path, 'replace', 'kubeconfig');
		await mkdir(join(work.path, 'replace'), {recursive: true});
		await writeFile(target, 'old');
		const inodeBefore = statSync(target).ino;
		await transport.upload({content: Buffer.from('new')}, target, {mode: 0o644});
		expect(await readFile(target, 'utf8')).toBe('new');
		expect(statSync(target).ino).not.toBe(inodeBefore);
	});

	it('keeps the old file when the connection dies mid-upload; the retry removes the stale temp and completes', async () => {
		const relay = await startCuttableRelay(sshd.port);
		const dir = join(work.path, 'cut');
		await mkdir(dir, {recursive: true});
		const target = join(dir, 'kube-apiserver');
		await writeFile(target, 'old binary');
		const local = join(work.path, 'big.bin');
		const data = randomBytes(48 * 1024 * 1024);
		await writeFile(local, data);
		try {
			// known_hosts for the relay port: the same host key under [127.0.0.1]:relayPort.
			const relayKnownHosts = join(work.path, 'known_hosts.relay');
			await writeFile(relayKnownHosts, `[127.0.0.1]:${relay.port} ${sshd.hostPublicKey}\n`);
			const flaky = await connectTo(sshd, 'root', relayKnownHosts, {target: {port: relay.port}});
			let cut = false;
			const upload = flaky.upload({localPath: local}, target, {
				mode: 0o755,
				onProgress: (sent, total) => {
					if (!cut && sent > total / 4) {
						cut = true;
						relay.cutAll();
					}
				},
			});
			const error = await upload.then(() => undefined, (e: unknown) => e);
			expect(cut).toBe(true);
			expect(error).toBeInstanceOf(SshError);
			expect((error as SshError).kind).toBe('connection-lost');
			await expect(flaky.exec('true')).rejects.toMatchObject({kind: 'connection-lost'});
			await flaky.close();

			expect(await readFile(target, 'utf8')).toBe('old binary');
			const leftovers = readdirSync(dir).filter((name) => name.includes('.k8s-master-setup.tmp.'));
			expect(leftovers).toHaveLength(1); // the dead connection could not clean up; the next upload does

			await transport.upload({localPath: local}, target, {mode: 0o755});
			expect((await readFile(target)).equals(data)).toBe(true);
			expect(readdirSync(dir)).toEqual(['kube-apiserver']);
		} finally {
			await relay.stop();
		}
	});

	it('opens TCP connections from the node (forward)', async () => {
		const channel = await transport.forward!('127.0.0.1', sshd.port);
		const banner = await new Promise<string>((resolve) => channel.once('data', (d: Buffer) => resolve(d.toString())));
		expect(banner).toMatch(/^SSH-2.0-OpenSSH/);
		channel.destroy();
	});

	it('refuses to work after close', async () => {
		const second = await connectTo(sshd, 'root', knownHosts);
		await second.close();
		await expect(second.exec('true')).rejects.toMatchObject({kind: 'connection-lost'});
		await expect(second.upload({content: Buffer.from('x')}, join(work.path, 'never'), {mode: 0o644})).rejects.toMatchObject({kind: 'connection-lost'});
		expect(existsSync(join(work.path, 'never'))).toBe(false);
	});
});

describeWithSshd('ssh transport against an sshd with the default MaxSessions (10)', () => {
	let sshd: Sshd;
	let work: Awaited<ReturnType<typeof tempDir>>;
	let transport: Transport;

	beforeAll(async () => {
		sshd = await startSshd({extraConfig: ['MaxSessions 10']});
		work = await tempDir('sessions');
		transport = await connectTo(sshd, 'root', await knownHostsFor(work.path, sshd));
	});
	afterAll(async () => {
		await transport?.close();
		await sshd?.stop();
		await work?.remove();
	});

	it('runs more commands at once than sshd allows sessions, uploading meanwhile, without a failure', async () => {
		// The runner's steps share one connection per node: 16 commands at once (sshd refuses
		// an 11th session, and frees a slot a moment after a close) plus an SFTP upload.
		for (let round = 0; round < 5; round++) {
			const upload = transport.upload({content: randomBytes(300_000)}, join(work.path, `up-${round}`), {mode: 0o644});
			const results = await Promise.all(Array.from({length: 16}, (_, i) => transport.exec(`exit ${i % 3}`, {sudo: false})));
			expect(results.map((r) => r.code)).toEqual(Array.from({length: 16}, (_, i) => i % 3));
			await upload;
		}
	});
});
