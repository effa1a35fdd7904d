import type {Duplex, Readable} from 'node:stream';
// ssh2 is CommonJS: Node's ESM loader exposes only its default export.
import ssh2 from 'ssh2';
import type {Client, SFTPWrapper} from 'ssh2';
import {prepareHostKeyCheck, type HostKeyPolicy} from './host-key-check.js';
import {planAuth} from './ssh-auth.js';
import {loadSshConfig, resolveSshHost, type ResolvedSshHost, type SshConfigSource} from './ssh-config.js';
import {connectionLost, SshError, translateConnectError} from './ssh-errors.js';
import {execRaw, holdRaw, openChannel, type HoldOutcome} from './ssh-exec.js';
import {uploadAtomically, uploadManyAtomically, type UploadContext} from './ssh-upload.js';
import {sh, type ShellCommand} from './shell.js';
import {openTcp} from './tcp-connect.js';
import type {ContentFile, ExecOptions, ExecResult, Transport, UploadOptions, UploadSource} from './transport.js';

/**
 * The Transport over one kept ssh2 connection per node (plus one per ProxyJump hop).
 *
 * From a profile node:
 *   connectSsh(
 *     {node: n.name, host: n.ssh?.host ?? n.ip, user: n.ssh?.user ?? profile.ssh.user,
 *      port: n.ssh?.port ?? profile.ssh.port, identityFile: n.ssh?.identityFile ?? profile.ssh.identityFile},
 *     {hostKeys: {acceptNewHostKeys: flags.acceptNewHostKeys, confirmHostKey: wizardPrompt},
 *      sudoPassword: process.env.K8S_MASTER_SETUP_SUDO_PASSWORD})
 * Explicit user/port/identityFile act like `ssh` command-line options and win over
 * ~/.ssh/config; leave them undefined to let the config decide.
 */
export interface SshTarget {
	/** Node name, for messages. */
	node: string;
	/** Address or ~/.ssh/config alias. */
	host: string;
	user?: string;
	port?: number;
	identityFile?: string;
	/** `[user@]host[:port][,…]`, overriding ProxyJump from ~/.ssh/config. */
	proxyJump?: string;
}

export interface SshConnectOptions {
	hostKeys: HostKeyPolicy;
	/** For sudo when the login user is not root. Sent on stdin only when sudo asks. */
	sudoPassword?: string;
	sshConfig?: SshConfigSource;
	/** Default process.env.SSH_AUTH_SOCK; false: do not use an agent. */
	agentSocket?: string | false;
	/** Passphrase for encrypted identity files. */
	passphrase?: string;
	/** TCP connect, and SSH handshake up to the host key when there is a prompt, all of it without one (default 20 s; the CLI's --connect-timeout). */
	readyTimeoutMs?: number;
	/** Keepalive every N ms (default 15 s); the connection counts as dead after 4 unanswered. */
	keepaliveIntervalMs?: number;
	/** Gives up a connection still being made (TCP or handshake); one made already stays. */
	signal?: AbortSignal;
	/** The deadline of a command that sets none (default COMMAND_TIMEOUT_MS). */
	commandTimeoutMs?: number;
}

/**
 * Every remote command has a deadline: a node whose commands stall (a hung NFS mount under
 * a path, a wedged systemd) ends the step with a timeout naming the node instead of holding
 * the run for ever. Reading state, stat, journal tails and placing small files take well
 * under a second on a healthy node.
 */
export const COMMAND_TIMEOUT_MS = 60_000;
/** Hashing files in full (the binaries, about 400 MB: a few seconds on a slow disk). */
const HASH_TIMEOUT_MS = 5 * 60_000;
/** A command fed a binary on stdin: as long as the binaries step may take (runner.ts). */
const STREAM_TIMEOUT_MS = 20 * 60_000;

const DEFAULT_READY_TIMEOUT = 20_000;
/** With an interactive host key prompt the handshake waits for a human. */
const PROMPT_READY_TIMEOUT = 10 * 60_000;

export async function connectSsh(target: SshTarget, options: SshConnectOptions): Promise<Transport> {
	const config = loadSshConfig(options.sshConfig);
	const resolved = resolveSshHost(
		{host: target.host, user: target.user, port: target.port, identityFile: target.identityFile, proxyJump: target.proxyJump},
		config,
		options.sshConfig,
	);
	const clients: Client[] = [];
	try {
		let via: {client: Client; name: string} | undefined;
		for (const hop of resolved.proxyJumps) {
			// Each bastion is resolved through the config too (its User, Port, IdentityFile).
			const hopResolved = resolveSshHost({host: hop.host, user: hop.user, port: hop.port}, config, options.sshConfig);
			const client = await connectClient(target.node, hopResolved, options, via);
			clients.push(client);
			via = {client, name: `${hopResolved.user}@${hopResolved.hostName}:${hopResolved.port}`};
		}
		const client = await connectClient(target.node, resolved, options, via);
		clients.push(client);
		return new SshTransport(target.node, resolved.user, client, clients, options.sudoPassword, options.commandTimeoutMs ?? COMMAND_TIMEOUT_MS);
	} catch (error) {
		for (const client of clients.reverse()) client.end();
		throw error;
	}
}

async function connectClient(
	node: string,
	host: ResolvedSshHost,
	options: SshConnectOptions,
	via: {client: Client; name: string} | undefined,
): Promise<Client> {
	const auth = planAuth({
		user: host.user,
		identityFiles: host.identityFiles,
		identityFilesConfigured: host.identityFilesConfigured,
		agentSocket: options.agentSocket,
		passphrase: options.passphrase,
	});
	const attempt = {node, host: host.hostName, port: host.port, user: host.user, ...(via ? {via: via.name} : {})};
	const explain = (error: unknown) =>
		translateConnectError(error, {
			...attempt,
			methodsTried: auth.methodsTried,
			identityFiles: auth.identityFiles,
			identityProblems: auth.identityProblems,
			candidateIdentityFiles: host.identityFiles,
		});
	const timeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT;

	const hostKeys = await prepareHostKeyCheck(node, host.hostName, host.port, options.hostKeys, host.hostKeyAlias);
	let sock: Duplex;
	try {
		sock = via ? await forwardOut(via.client, host.hostName, host.port) : await openTcp(host.hostName, host.port, timeoutMs, options.signal);
	} catch (error) {
		throw explain(error);
	}

	const client = new ssh2.Client();
	return new Promise<Client>((resolve, reject) => {
		let ready = false;
		// With a host-key prompt ssh2's readyTimeout is a human's time, so until the server
		// shows its host key the connect timeout is kept here: a server that accepts TCP and
		// never answers is given up after timeoutMs, prompt or not.
		const untilHostKey = options.hostKeys.confirmHostKey
			? setTimeout(() => {
					client.destroy();
					reject(explain(Object.assign(new Error(`no SSH host key within ${timeoutMs} ms`), {code: 'ETIMEDOUT'})));
				}, timeoutMs)
			: undefined;
		const hostVerifier: typeof hostKeys.hostVerifier = (key, verify) => {
			clearTimeout(untilHostKey);
			hostKeys.hostVerifier(key, verify);
		};
		// Destroyed mid-handshake (end() would wait for a server that may never answer), the
		// client rejects through 'close' below.
		const abort = () => client.destroy();
		if (options.signal?.aborted) {
			clearTimeout(untilHostKey);
			sock.destroy();
			reject(explain(Object.assign(new Error('connecting was given up'), {code: 'ABORT_ERR'})));
			return;
		}
		options.signal?.addEventListener('abort', abort, {once: true});
		client.once('ready', () => {
			ready = true;
			clearTimeout(untilHostKey);
			options.signal?.removeEventListener('abort', abort);
			resolve(client);
		});
		client.on('error', (error: Error & {level?: string}) => {
			// ssh2 reports an unusable agent or key as an error, then goes on to the next method.
			if (error.level === 'agent' || /^Error signing data/.test(error.message)) {
				auth.identityProblems.push(`${error.level === 'agent' ? 'agent' : 'key'}: ${error.message}`);
				return;
			}
			if (!ready) reject(hostKeys.refusal() ?? explain(error));
			// After ready, errors surface through the failing exec/SFTP call ('close' follows).
		});
		client.once('close', () => {
			clearTimeout(untilHostKey);
			options.signal?.removeEventListener('abort', abort);
			if (!ready) reject(hostKeys.refusal() ?? explain(new Error('connection closed during the handshake')));
		});
		client.connect({
			sock,
			username: host.user,
			authHandler: auth.handler,
			hostVerifier,
			algorithms: {serverHostKey: hostKeys.serverHostKey as never},
			readyTimeout: options.hostKeys.confirmHostKey ? PROMPT_READY_TIMEOUT : timeoutMs,
			keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
			keepaliveCountMax: 4,
		});
	});
}

function forwardOut(client: Client, host: string, port: number): Promise<Duplex> {
	return new Promise((resolve, reject) => {
		client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
			if (error) {
				// The bastion could not open the TCP connection: say so like a refused connect.
				reject(Object.assign(new Error(`the bastion could not connect to ${host}:${port}: ${error.message}`), {code: 'ECONNREFUSED'}));
			} else {
				resolve(channel);
			}
		});
	});
}

/**
 * sshd refuses channels beyond MaxSessions (10 by default) per connection with "Channel
 * open failure". Steps that run side by side on one node (uploads of three steps, service
 * starts, health checks) share one connection, so exec channels wait their turn here; the
 * one SFTP channel, kept open, counts once more, and so does the lock's (holdRaw): 8 of 10.
 */
const MAX_EXEC_CHANNELS = 6;

class ChannelLimit {
	#active = 0;
	readonly #waiting: Array<() => void> = [];
	constructor(private readonly max: number) {}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.#active >= this.max) await new Promise<void>((resolve) => this.#waiting.push(resolve));
		else this.#active++;
		try {
			return await fn();
		} finally {
			const next = this.#waiting.shift();
			if (next) next();
			else this.#active--;
		}
	}
}

class SshTransport implements Transport {
	#closed = false;
	readonly #channels = new ChannelLimit(MAX_EXEC_CHANNELS);
	#lost: string | undefined;
	#sftp: Promise<SFTPWrapper> | undefined;
	readonly #closedEvent: Promise<void>;

	constructor(
		readonly node: string,
		readonly user: string,
		private readonly client: Client,
		/** Every hop, bastions first; closed last-to-first. */
		private readonly clients: Client[],
		private readonly sudoPassword: string | undefined,
		private readonly commandTimeoutMs: number,
	) {
		let markClosed = () => {};
		this.#closedEvent = new Promise((resolve) => (markClosed = resolve));
		client.on('close', () => {
			markClosed();
			this.#lost ??= this.#closed ? 'closed by us' : 'closed by the server or the network';
			this.#sftp = undefined;
		});
		client.on('error', (error) => {
			this.#lost ??= error.message;
		});
	}

	#ensureUp(): void {
		if (this.#lost !== undefined || this.#closed) {
			throw connectionLost(this.node, this.#lost ?? 'closed');
		}
	}

	async #execRaw(command: ShellCommand, options: Omit<ExecOptions, 'stdin'> & {stdin?: ExecOptions['stdin'] | Readable} = {}) {
		this.#ensureUp();
		const sudo = (options.sudo ?? true) && this.user !== 'root';
		return this.#channels.run(() =>
			execRaw(this.client, command, {
				node: this.node,
				user: this.user,
				sudo,
				closed: this.#closedEvent,
				...(this.sudoPassword !== undefined ? {sudoPassword: this.sudoPassword} : {}),
				...(options.stdin !== undefined ? {stdin: options.stdin} : {}),
				timeoutMs: options.timeoutMs ?? this.commandTimeoutMs,
			}),
		);
	}

	async exec(command: ShellCommand, options: ExecOptions = {}): Promise<ExecResult> {
		const result = await this.#execRaw(command, options);
		return {code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8')};
	}

	/** Runs as root; a non-zero exit becomes an error with the stderr tail. */
	async #mustRun(command: ShellCommand, stdin?: Readable, timeoutMs?: number): Promise<Buffer> {
		const result = await this.#execRaw(command, {...(stdin !== undefined ? {stdin} : {}), ...(timeoutMs !== undefined ? {timeoutMs} : {})});
		if (result.code !== 0) {
			const stderr = result.stderr.toString('utf8').trim();
			throw new SshError(this.node, 'remote-command', `command failed (exit ${result.code}): ${command.slice(0, 200)}${stderr ? `\n${stderr.slice(-1000)}` : ''}`);
		}
		return result.stdout;
	}

	async sha256(paths: readonly string[]): Promise<Map<string, string | undefined>> {
		const hashes = new Map<string, string | undefined>();
		if (paths.length === 0) return hashes;
		// One line per path, in order ("-" when absent): no parsing of sha256sum's escaped file names.
		const stdout = await this.#mustRun(
			sh`for p in ${paths}; do if [ -f "$p" ]; then sha256sum < "$p" | cut -c1-64 || echo -; else echo -; fi; done`,
			undefined,
			HASH_TIMEOUT_MS,
		);
		const lines = stdout.toString('utf8').split('\n');
		for (const [index, path] of paths.entries()) {
			const line = lines[index]?.trim();
			hashes.set(path, line && /^[0-9a-f]{64}$/.test(line) ? line : undefined);
		}
		return hashes;
	}

	async readFile(path: string): Promise<Buffer | undefined> {
		const result = await this.#execRaw(sh`if [ -f ${path} ]; then exec cat -- ${path}; else exit 3; fi`);
		if (result.code === 3) return undefined;
		if (result.code !== 0) {
			throw new SshError(this.node, 'remote-command', `cannot read ${path} (exit ${result.code}): ${result.stderr.toString('utf8').trim().slice(-500)}`);
		}
		return result.stdout;
	}

	async upload(source: UploadSource, targetPath: string, options: UploadOptions): Promise<void> {
		this.#ensureUp();
		await uploadAtomically(this.#uploadContext(), source, targetPath, options);
	}

	async uploadMany(files: readonly ContentFile[]): Promise<void> {
		this.#ensureUp();
		await uploadManyAtomically(this.#uploadContext(), files);
	}

	#uploadContext(): UploadContext {
		return {
			node: this.node,
			user: this.user,
			sftp: () => this.#openSftp(),
			run: async (command, stdin) => {
				await this.#mustRun(command, stdin, stdin === undefined ? undefined : STREAM_TIMEOUT_MS);
			},
			hasZstd: () => this.#hasZstd(),
			stagingDir: () => this.#stagingDir(),
			alive: () => this.#lost === undefined && !this.#closed,
			closed: this.#closedEvent,
		};
	}

	#zstd: Promise<boolean> | undefined;

	#hasZstd(): Promise<boolean> {
		this.#zstd ??= this.exec(sh`command -v zstd >/dev/null 2>&1`).then(
			(result) => result.code === 0,
			() => {
				this.#zstd = undefined; // asked again on the next upload
				return false;
			},
		);
		return this.#zstd;
	}

	#staging: Promise<string> | undefined;

	#stagingDir(): Promise<string> {
		// As the login user, not root: SFTP (running as that user) must be able to write there.
		this.#staging ??= this.exec(sh`mktemp -d /tmp/k8s-master-setup.XXXXXXXX`, {sudo: false}).then((result) => {
			const dir = result.stdout.trim();
			if (result.code !== 0 || !dir.startsWith('/tmp/')) {
				this.#staging = undefined;
				throw new SshError(this.node, 'remote-command', `cannot make a staging directory in /tmp as ${this.user}: ${result.stderr.trim()}`);
			}
			return dir;
		});
		return this.#staging;
	}

	#openSftp(): Promise<SFTPWrapper> {
		this.#ensureUp();
		// One SFTP session per connection, opened on first use and shared by all uploads.
		// The channel counts against MaxSessions like an exec one: opened through the same
		// limit and retry (see openExec), it then stays open outside the limit.
		if (this.#sftp) return this.#sftp;
		const opening = this.#channels
			.run(() => openChannel<SFTPWrapper>(this.node, (callback) => this.client.sftp(callback)))
			.then((sftp) => {
				sftp.on('close', () => {
					this.#sftp = undefined;
				});
				return sftp;
			})
			.catch((error: unknown) => {
				this.#sftp = undefined;
				throw error; // openChannel's connectionLost, with ssh2's reason
			});
		this.#sftp = opening;
		return opening;
	}

	hold(command: ShellCommand, options: {timeoutMs?: number} = {}): Promise<HoldOutcome> {
		this.#ensureUp();
		return holdRaw(this.client, command, {node: this.node, timeoutMs: options.timeoutMs ?? this.commandTimeoutMs, closed: this.#closedEvent});
	}

	forward(host: string, port: number): Promise<Readable & NodeJS.WritableStream> {
		this.#ensureUp();
		return forwardOut(this.client, host, port);
	}

	async close(): Promise<void> {
		if (this.#closed) return;
		if (this.#staging && this.#lost === undefined) {
			const dir = await this.#staging.catch(() => undefined);
			if (dir) await this.exec(sh`rm -rf -- ${dir}`, {sudo: false}).catch(() => undefined);
		}
		this.#closed = true;
		for (const client of [...this.clients].reverse()) {
			await new Promise<void>((resolve) => {
				if ((client as unknown as {_sock?: {destroyed?: boolean}})._sock?.destroyed) {
					resolve();
					return;
				}
				const timer = setTimeout(() => {
					client.destroy();
					resolve();
				}, 5000);
				client.once('close', () => {
					clearTimeout(timer);
					resolve();
				});
				client.end();
			});
		}
	}
}
