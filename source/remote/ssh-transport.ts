import type {Readable} from 'node:stream';
import type {Client} from 'ssh2';
import {ChannelLimit, MAX_EXEC_CHANNELS} from './channel-limit.js';
import {connectClient, forwardOut, type ConnectClientOptions} from './ssh-connect.js';
import {loadSshConfig, resolveSshHost, type SshConfigSource} from './ssh-config.js';
import {connectionLost, SshError} from './ssh-errors.js';
import {execRaw, holdRaw, type HoldOutcome} from './ssh-exec.js';
import {uploadAtomically, uploadManyAtomically} from './ssh-upload.js';
import {SshUploadSession} from './ssh-upload-session.js';
import {sh, type ShellCommand} from './shell.js';
import type {ContentFile, ExecOptions, ExecResult, Transport, UploadOptions, UploadSource} from './transport.js';

// connectSsh and the Transport it returns: commands through exec channels (as root via sudo,
// each with a deadline, at most MAX_EXEC_CHANNELS at once), uploads and the lock's held
// command. Making each connection: ssh-connect.ts; what uploads share: ssh-upload-session.ts.

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

/** The host key policy, authentication and deadlines of connecting: ssh-connect.ts. */
export interface SshConnectOptions extends ConnectClientOptions {
	/** For sudo when the login user is not root. Sent on stdin only when sudo asks. */
	sudoPassword?: string;
	sshConfig?: SshConfigSource;
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

class SshTransport implements Transport {
	#closed = false;
	readonly #channels = new ChannelLimit(MAX_EXEC_CHANNELS);
	#lost: string | undefined;
	readonly #closedEvent: Promise<void>;
	readonly #uploads: SshUploadSession;

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
		});
		client.on('error', (error) => {
			this.#lost ??= error.message;
		});
		this.#uploads = new SshUploadSession({
			node,
			user,
			client,
			channels: this.#channels,
			closed: this.#closedEvent,
			ensureUp: () => this.#ensureUp(),
			alive: () => this.#lost === undefined && !this.#closed,
			exec: (command, options) => this.exec(command, options),
			mustRun: (command, stdin, timeoutMs) => this.#mustRun(command, stdin, timeoutMs),
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
		await uploadAtomically(this.#uploads.context(), source, targetPath, options);
	}

	async uploadMany(files: readonly ContentFile[]): Promise<void> {
		this.#ensureUp();
		await uploadManyAtomically(this.#uploads.context(), files);
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
		if (this.#lost === undefined) await this.#uploads.removeStaging();
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
