import type {Readable} from 'node:stream';
import type {HoldOutcome} from './ssh-exec.js';
import type {ShellCommand} from './shell.js';

/**
 * One kept connection to one node. The runner, the planner's diff and the status probes
 * talk to nodes only through this, so unit tests can use a recorded fake and the
 * integration tests a real sshd.
 */
export interface ExecResult {
	code: number;
	stdout: string;
	stderr: string;
}

export interface ExecOptions {
	/** Run through sudo when the login user is not root (default true). */
	sudo?: boolean;
	stdin?: string | Buffer;
	timeoutMs?: number;
}

export interface UploadSource {
	/** A local file streamed from disk (binaries), or content held in memory (configs, certs). */
	localPath?: string;
	content?: Buffer;
	/**
	 * The same bytes as localPath, zstd-compressed (a cached copy): sent instead, and
	 * decompressed on the node, when the node has zstd. About a quarter of the bytes for
	 * Kubernetes binaries; without zstd on the node the plain file goes over SFTP.
	 */
	zstd?: {path: string; size: number};
}

export interface UploadOptions {
	mode: number;
	/** Owner, default root:root. */
	owner?: string;
	onProgress?: (sentBytes: number, totalBytes: number) => void;
}

export interface ContentFile {
	content: Buffer;
	targetPath: string;
	mode: number;
	/** Default root:root. */
	owner?: string;
}

export interface Transport {
	readonly node: string;
	/** The login user; sudo is used for it when it is not root. */
	readonly user: string;
	/** Only sh`…` text (shell.ts): every value in it is quoted. */
	exec(command: ShellCommand, options?: ExecOptions): Promise<ExecResult>;
	/** sha256 (hex) of each remote path, undefined where the file does not exist. */
	sha256(paths: readonly string[]): Promise<Map<string, string | undefined>>;
	/** Read a remote file (small text files: for diffs and status). Undefined if absent. */
	readFile(path: string): Promise<Buffer | undefined>;
	/**
	 * Upload to a temporary name in the target's directory, set mode and owner, then
	 * rename into place: the target is never half-written.
	 */
	upload(source: UploadSource, targetPath: string, options: UploadOptions): Promise<void>;
	/**
	 * Several small files from memory at once, each as upload() places it (temp file, then
	 * rename), in one round trip. Optional: without it, callers upload one by one.
	 */
	uploadMany?(files: readonly ContentFile[]): Promise<void>;
	/**
	 * A command kept running, as the login user, until released or until the connection ends
	 * (the lock on the nodes, node-lock.ts). Optional: test fakes go without.
	 */
	hold?(command: ShellCommand, options?: {timeoutMs?: number}): Promise<HoldOutcome>;
	/** A TCP connection from the node to host:port, for HTTPS probes through the node (optional). */
	forward?(host: string, port: number): Promise<Readable & NodeJS.WritableStream>;
	close(): Promise<void>;
}
