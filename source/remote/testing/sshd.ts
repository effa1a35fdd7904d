import {execFile, spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {existsSync} from 'node:fs';
import {chmod, mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {createServer, connect, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';

/**
 * A real OpenSSH sshd on a loopback port, with its own host key, client key and
 * authorized_keys in a temp directory: for the integration tests and the upload
 * benchmark. Needs root (sshd must switch users) and /usr/sbin/sshd.
 */

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

/** Why the real-sshd suite cannot run here, or undefined when it can. */
export function sshdUnavailableReason(): string | undefined {
	if (process.getuid?.() !== 0) return 'not running as root (sshd must switch users; CI runs as root)';
	if (!existsSync(SSHD)) return `${SSHD} is missing (apt-get install openssh-server)`;
	if (!existsSync('/usr/bin/ssh-keygen')) return 'ssh-keygen is missing (apt-get install openssh-client)';
	return undefined;
}

export interface SshdOptions {
	/** Host key type for ssh-keygen -t (default ed25519). */
	hostKeyType?: 'ed25519' | 'ecdsa' | 'rsa';
	/** Extra sshd_config lines. */
	extraConfig?: string[];
	/** Reuse another fixture's client key (ProxyJump tests: one key for both). */
	clientKeyFrom?: Sshd;
}

export interface Sshd {
	host: '127.0.0.1';
	port: number;
	dir: string;
	/** Private key accepted for every user (authorized_keys is shared). */
	clientKey: string;
	/** `ssh-ed25519 AAAA…` of the host key. */
	hostPublicKey: string;
	/** The host key blob (what ssh2's hostVerifier receives). */
	hostKeyBlob: Buffer;
	/** A known_hosts line for this sshd (`[127.0.0.1]:PORT type key`). */
	knownHostsLine(): string;
	stop(): Promise<void>;
}

async function keygen(type: string, file: string, comment: string): Promise<void> {
	await run('ssh-keygen', ['-q', '-t', type, ...(type === 'rsa' ? ['-b', '2048'] : []), '-N', '', '-C', comment, '-f', file]);
}

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
		});
	});
}

/** Resolves once the port answers with an SSH banner. */
async function waitForBanner(port: number, child: ChildProcess, log: () => string, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`sshd exited with ${child.exitCode}:\n${log()}`);
		const ok = await new Promise<boolean>((resolve) => {
			const socket = connect({host: '127.0.0.1', port});
			socket.once('data', (data) => {
				socket.destroy();
				resolve(data.toString().startsWith('SSH-'));
			});
			socket.once('error', () => resolve(false));
		});
		if (ok) return;
		await new Promise((r) => setTimeout(r, 50));
	}
	throw new Error(`sshd did not answer on port ${port}:\n${log()}`);
}

export async function startSshd(options: SshdOptions = {}): Promise<Sshd> {
	const reason = sshdUnavailableReason();
	if (reason) throw new Error(`cannot start sshd: ${reason}`);
	const dir = await mkdtemp(join(tmpdir(), 'k8s-master-setup-sshd-'));
	// Non-root test users read authorized_keys from here (sshd reads it as the user).
	await chmod(dir, 0o755);
	await mkdir('/run/sshd', {recursive: true, mode: 0o755}); // sshd's privilege separation directory

	const hostKey = join(dir, 'host_key');
	await keygen(options.hostKeyType ?? 'ed25519', hostKey, 'k8s-master-setup test host');
	let clientKey = join(dir, 'client_key');
	if (options.clientKeyFrom) {
		clientKey = options.clientKeyFrom.clientKey;
	} else {
		await keygen('ed25519', clientKey, 'k8s-master-setup test client');
	}
	const authorizedKeys = join(dir, 'authorized_keys');
	await writeFile(authorizedKeys, await readFile(`${clientKey}.pub`), {mode: 0o644});
	await chmod(authorizedKeys, 0o644);
	const hostPublicKey = (await readFile(`${hostKey}.pub`, 'utf8')).trim().split(/\s+/).slice(0, 2).join(' ');

	for (let attempt = 0; ; attempt++) {
		const port = await freePort();
		const configFile = join(dir, 'sshd_config');
		await writeFile(
			configFile,
			[
				// sshd takes the first value of a keyword: the caller's lines go first.
				...(options.extraConfig ?? []),
				`Port ${port}`,
				'ListenAddress 127.0.0.1',
				`HostKey ${hostKey}`,
				`PidFile ${join(dir, 'sshd.pid')}`,
				`AuthorizedKeysFile ${authorizedKeys}`,
				'StrictModes no',
				'UsePAM no',
				'PermitRootLogin prohibit-password',
				'PasswordAuthentication no',
				'KbdInteractiveAuthentication no',
				'AllowTcpForwarding yes',
				'Subsystem sftp internal-sftp',
				'MaxStartups 50',
				'MaxSessions 50',
				'LogLevel ERROR',
				'',
			].join('\n'),
		);
		let log = '';
		const child = spawn(SSHD, ['-D', '-e', '-f', configFile], {stdio: ['ignore', 'ignore', 'pipe']});
		child.stderr!.on('data', (chunk: Buffer) => {
			log = (log + chunk.toString()).slice(-4000);
		});
		try {
			await waitForBanner(port, child, () => log);
		} catch (error) {
			child.kill('SIGTERM');
			if (attempt < 3 && /Address already in use/.test(log)) continue; // lost the port race
			await rm(dir, {recursive: true, force: true});
			throw error;
		}
		const [type, base64] = hostPublicKey.split(' ');
		return {
			host: '127.0.0.1',
			port,
			dir,
			clientKey,
			hostPublicKey,
			hostKeyBlob: Buffer.from(base64 ?? '', 'base64'),
			knownHostsLine: () => `[127.0.0.1]:${port} ${type} ${base64}`,
			async stop() {
				if (child.exitCode === null) {
					const exited = new Promise((resolve) => child.once('exit', resolve));
					child.kill('SIGTERM');
					await exited;
				}
				await rm(dir, {recursive: true, force: true});
			},
		};
	}
}

export interface TestUser {
	name: string;
	/** Set for a user whose sudo asks for it. */
	password: string;
	remove(): Promise<void>;
}

/**
 * A local user that logs in with the fixture's key and uses sudo: without a password
 * (`NOPASSWD`), with one, or not at all. Removed (with its home and sudoers drop-in)
 * by remove().
 */
export async function createTestUser(sudo: 'nopasswd' | 'password' | 'none'): Promise<TestUser> {
	const name = `k8sms${randomBytes(3).toString('hex')}`;
	const password = randomBytes(12).toString('base64url');
	await run('useradd', ['--create-home', '--shell', '/bin/sh', name]);
	// A password also unlocks the account: sshd without PAM refuses locked ("!") accounts.
	await new Promise<void>((resolve, reject) => {
		const child = spawn('chpasswd', [], {stdio: ['pipe', 'ignore', 'pipe']});
		let stderr = '';
		child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
		child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`chpasswd failed: ${stderr}`))));
		child.stdin.end(`${name}:${password}\n`);
	});
	const dropIn = `/etc/sudoers.d/${name}`;
	if (sudo !== 'none') {
		await writeFile(dropIn, `${name} ALL=(ALL) ${sudo === 'nopasswd' ? 'NOPASSWD: ' : ''}ALL\n`, {mode: 0o440});
	}
	return {
		name,
		password,
		async remove() {
			await rm(dropIn, {force: true});
			await run('userdel', ['--remove', name]).catch(() => undefined);
		},
	};
}

/**
 * A TCP relay in front of a port whose connections the test can cut, as a network
 * failure would: for the "connection dies mid-upload" test.
 */
export interface CuttableRelay {
	port: number;
	cutAll(): void;
	stop(): Promise<void>;
}

export async function startCuttableRelay(targetPort: number): Promise<CuttableRelay> {
	const sockets = new Set<Socket>();
	const server = createServer((inbound) => {
		const outbound = connect({host: '127.0.0.1', port: targetPort});
		for (const socket of [inbound, outbound]) {
			sockets.add(socket);
			socket.on('close', () => sockets.delete(socket));
			socket.on('error', () => undefined);
		}
		inbound.pipe(outbound).pipe(inbound);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : 0;
	return {
		port,
		cutAll() {
			for (const socket of sockets) socket.destroy();
		},
		async stop() {
			for (const socket of sockets) socket.destroy();
			await new Promise<void>((resolve) => server.close(() => resolve()));
		},
	};
}
