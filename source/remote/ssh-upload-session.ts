import type {Readable} from 'node:stream';
import type {Client, SFTPWrapper} from 'ssh2';
import type {ChannelLimit} from './channel-limit.js';
import {SshError} from './ssh-errors.js';
import {openChannel} from './ssh-exec.js';
import type {UploadContext} from './ssh-upload.js';
import {sh, type ShellCommand} from './shell.js';
import type {ExecOptions, ExecResult} from './transport.js';

// What the uploads of one connection share, each made on first use and kept: the SFTP
// session, whether the node has zstd, and the login user's staging directory in /tmp
// (removed when the connection is closed). The upload steps themselves: ssh-upload.ts.

/** A command fed a binary on stdin: as long as the binaries step may take (runner.ts). */
const STREAM_TIMEOUT_MS = 20 * 60_000;

export interface UploadConnection {
	node: string;
	user: string;
	client: Client;
	channels: ChannelLimit;
	closed: Promise<void>;
	/** Throws when the connection is lost or closed. */
	ensureUp(): void;
	alive(): boolean;
	exec(command: ShellCommand, options?: ExecOptions): Promise<ExecResult>;
	/** Runs as root; a non-zero exit becomes an error. */
	mustRun(command: ShellCommand, stdin?: Readable, timeoutMs?: number): Promise<Buffer>;
}

export class SshUploadSession {
	#sftp: Promise<SFTPWrapper> | undefined;
	#zstd: Promise<boolean> | undefined;
	#staging: Promise<string> | undefined;

	constructor(private readonly connection: UploadConnection) {
		connection.client.on('close', () => {
			this.#sftp = undefined;
		});
	}

	context(): UploadContext {
		const c = this.connection;
		return {
			node: c.node,
			user: c.user,
			sftp: () => this.#openSftp(),
			run: async (command, stdin) => {
				await c.mustRun(command, stdin, stdin === undefined ? undefined : STREAM_TIMEOUT_MS);
			},
			hasZstd: () => this.#hasZstd(),
			stagingDir: () => this.#stagingDir(),
			alive: () => c.alive(),
			closed: c.closed,
		};
	}

	/** Removes the staging directory, if one was made; on a connection that still works. */
	async removeStaging(): Promise<void> {
		if (!this.#staging) return;
		const dir = await this.#staging.catch(() => undefined);
		if (dir) await this.connection.exec(sh`rm -rf -- ${dir}`, {sudo: false}).catch(() => undefined);
	}

	#hasZstd(): Promise<boolean> {
		this.#zstd ??= this.connection.exec(sh`command -v zstd >/dev/null 2>&1`).then(
			(result) => result.code === 0,
			() => {
				this.#zstd = undefined; // asked again on the next upload
				return false;
			},
		);
		return this.#zstd;
	}

	#stagingDir(): Promise<string> {
		// As the login user, not root: SFTP (running as that user) must be able to write there.
		this.#staging ??= this.connection.exec(sh`mktemp -d /tmp/k8s-master-setup.XXXXXXXX`, {sudo: false}).then((result) => {
			const dir = result.stdout.trim();
			if (result.code !== 0 || !dir.startsWith('/tmp/')) {
				this.#staging = undefined;
				throw new SshError(this.connection.node, 'remote-command', `cannot make a staging directory in /tmp as ${this.connection.user}: ${result.stderr.trim()}`);
			}
			return dir;
		});
		return this.#staging;
	}

	#openSftp(): Promise<SFTPWrapper> {
		this.connection.ensureUp();
		// One SFTP session per connection, opened on first use and shared by all uploads.
		// The channel counts against MaxSessions like an exec one: opened through the same
		// limit and retry (see openExec in ssh-exec.ts), it then stays open outside the limit.
		if (this.#sftp) return this.#sftp;
		const opening = this.connection.channels
			.run(() => openChannel<SFTPWrapper>(this.connection.node, (callback) => this.connection.client.sftp(callback)))
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
}
