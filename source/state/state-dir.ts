import {randomBytes} from 'node:crypto';
import {chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync} from 'node:fs';
import {homedir} from 'node:os';
import {dirname, join} from 'node:path';

/**
 * The per-profile state directory: what the tool generates and must keep (the CA when it
 * created it, every key and certificate, the encryption key, the binaries cache). Mode 0700,
 * files 0600, created on first use and reused ever after.
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
	private constructor(readonly path: string) {}

	/** Create (0700) or reuse the directory. Call only once the profile is known to be valid. */
	static open(path: string): StateDir {
		mkdirSync(path, {recursive: true, mode: 0o700});
		// An existing directory may have been created with a looser umask: tighten it.
		if ((statSync(path).mode & 0o777) !== 0o700) chmodSync(path, 0o700);
		return new StateDir(path);
	}

	file(name: string): string {
		return join(this.path, name);
	}

	/** The content of a state file, or undefined when it does not exist. */
	read(name: string): string | undefined {
		try {
			return readFileSync(this.file(name), 'utf8');
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
			throw error;
		}
	}

	/** Atomically (temp file, fsync, rename) write a 0600 file; its directory is created 0700. */
	write(name: string, content: string | Buffer): void {
		writeFileAtomic(this.file(name), content, 0o600, {durable: true, dirMode: 0o700});
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
	mkdirSync(dirname(path), {recursive: true, mode: options.dirMode ?? 0o755});
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
