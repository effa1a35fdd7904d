import {randomBytes} from 'node:crypto';
import {chmodSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, join} from 'node:path';
import {makeDirectory} from '../make-directory.js';

/**
 * The per-profile state directory: what the tool generates and must keep (the CA when it
 * created it, every key and certificate, the encryption key, the binaries cache). Mode 0700,
 * files 0600, created on first use and reused ever after. A deferred StateDir (dry runs, and
 * every preparation until its checks pass) reads the directory and holds its writes in memory.
 *
 * Default: $XDG_STATE_HOME/k8s-master-setup/<profile name>, or
 * ~/.local/state/k8s-master-setup/<profile name> when XDG_STATE_HOME is unset.
 */
export function defaultStateDir(profileName: string, env: NodeJS.ProcessEnv = process.env): string {
	const base = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
	return join(base, 'k8s-master-setup', profileName);
}

/**
 * What any profile may reuse about local files (the sha256, release and flags of a
 * Kubernetes binary, by path, size, mtime and inode; zstd copies of the binaries, see
 * plan/zstd-copies.ts): $XDG_CACHE_HOME/k8s-master-setup, or ~/.cache/k8s-master-setup.
 * Nothing secret goes there; deleting it only costs time.
 */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
	const base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith('/') ? env.XDG_CACHE_HOME : join(homedir(), '.cache');
	return join(base, 'k8s-master-setup');
}

export class StateDir {
	/** Writes held in memory until commit() (a deferred state directory), in the order made. */
	#pending: Map<string, string | Buffer> | undefined;

	private constructor(
		readonly path: string,
		deferred: boolean,
	) {
		this.#pending = deferred ? new Map() : undefined;
	}

	/** Create (0700) or reuse the directory. Call only once the profile is known to be valid. */
	static open(path: string): StateDir {
		createStateDirectory(path);
		return new StateDir(path, false);
	}

	/**
	 * Read what the directory holds (nothing when it does not exist yet) and keep every write
	 * in memory until commit(): a dry run, a refused profile or an unconfirmed apply leaves
	 * the disk as it was, yet plans with the keys and certificates it would create.
	 */
	static deferred(path: string): StateDir {
		return new StateDir(path, true);
	}

	/** Names of the files written but not committed yet. */
	get uncommitted(): string[] {
		return [...(this.#pending?.keys() ?? [])];
	}

	/** Create the directory and write what was held, in the order written; from then on writes go to disk. */
	commit(): void {
		const pending = this.#pending;
		if (pending === undefined) return;
		createStateDirectory(this.path);
		for (const [name, content] of pending) {
			writeFileAtomic(this.file(name), content, 0o600, {durable: true, dirMode: 0o700});
			// Dropped one by one: after a failed write, what was not written is still held.
			pending.delete(name);
		}
		this.#pending = undefined;
	}

	file(name: string): string {
		return join(this.path, name);
	}

	/** The content of a state file, or undefined when it does not exist. */
	read(name: string): string | undefined {
		const held = this.#pending?.get(name);
		if (held !== undefined) return held.toString();
		try {
			return readFileSync(this.file(name), 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw error;
		}
	}

	/** Atomically (temp file, fsync, rename) write a 0600 file; its directory is created 0700. */
	write(name: string, content: string | Buffer): void {
		if (this.#pending) {
			this.#pending.set(name, content);
			return;
		}
		writeFileAtomic(this.file(name), content, 0o600, {durable: true, dirMode: 0o700});
	}

	/** Remove a state file (a journal whose work is done); nothing when it does not exist. */
	remove(name: string): void {
		this.#pending?.delete(name);
		if (this.#pending === undefined) rmSync(this.file(name), {force: true});
	}

	/**
	 * Keep a copy of a file about to be replaced under backup/<timestamp>-<name>, so existing
	 * material is never silently lost (e.g. a certificate re-issued for a new SAN).
	 */
	backup(name: string, now = new Date()): string | undefined {
		const old = this.read(name);
		if (old === undefined) return undefined;
		const stamp = now.toISOString().replace(/[:.]/g, '-');
		const target = join('backup', `${stamp}-${name.replace(/\//g, '_')}`);
		this.write(target, old);
		return target;
	}
}

function createStateDirectory(path: string): void {
	makeDirectory(path, 0o700, 'state directory');
	// An existing directory may have been created with a looser umask: tighten it.
	if ((statSync(path).mode & 0o777) !== 0o700) chmodSync(path, 0o700);
}

/**
 * Write `content` to a temporary name beside `path`, then rename it into place: readers see
 * the old file or the new one, never half of one. `durable` adds an fsync before the rename
 * (state files: losing a CA key to a crash would be worse than the few ms it costs).
 */
export function writeFileAtomic(
	path: string,
	content: string | Buffer,
	mode: number,
	options: {durable?: boolean; dirMode?: number} = {},
): void {
	makeDirectory(dirname(path), options.dirMode ?? 0o755);
	const temp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
	const fd = openSync(temp, 'wx', mode);
	try {
		writeSync(fd, typeof content === 'string' ? Buffer.from(content) : content);
		if (options.durable) fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	// The umask may have narrowed the mode given to open(); set it exactly.
	chmodSync(temp, mode);
	renameSync(temp, path);
}
