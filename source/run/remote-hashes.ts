import {sh, shJoin, type ShellCommand} from '../remote/shell.js';
import type {Transport} from '../remote/transport.js';

/**
 * sha256 of planned files on a node without re-reading 330 MB of binaries on every run:
 * the node keeps a small cache of `path size mtime inode sha256` lines written by this tool
 * after a run; a file whose size, mtime and inode still match is not hashed again (rsync's
 * quick check). Any write through our uploads renames a new inode into place, and any other
 * edit changes the mtime, so a stale entry cannot match.
 */
export const HASH_CACHE = '/var/lib/k8s-master-setup/sha256-cache';

interface Stat {
	size: string;
	mtime: string;
	inode: string;
}

export function statScript(paths: readonly string[]): ShellCommand {
	return sh`cat ${HASH_CACHE} 2>/dev/null; echo '@@stat'; for p in ${paths}; do [ -f "$p" ] && stat -c '%n|%s|%Y|%i' -- "$p"; done; true`;
}

export function parseStatOutput(stdout: string): {cache: Map<string, Stat & {sha256: string}>; stats: Map<string, Stat>} {
	const [cacheText = '', statText = ''] = stdout.split('@@stat\n');
	const cache = new Map<string, Stat & {sha256: string}>();
	for (const line of cacheText.split('\n')) {
		const [path, size, mtime, inode, sha256] = line.split('|');
		if (path && size && mtime && inode && sha256 && /^[0-9a-f]{64}$/.test(sha256)) cache.set(path, {size, mtime, inode, sha256});
	}
	const stats = new Map<string, Stat>();
	for (const line of statText.split('\n')) {
		const [path, size, mtime, inode] = line.split('|');
		if (path && size && mtime && inode) stats.set(path, {size, mtime, inode});
	}
	return {cache, stats};
}

/** Hashes of `paths` on the node (undefined: absent), and whether any had to be read in full. */
export async function remoteHashes(transport: Transport, paths: readonly string[]): Promise<{hashes: Map<string, string | undefined>; misses: number}> {
	const result = await transport.exec(statScript(paths));
	if (result.code !== 0) throw new Error(`listing files failed: ${result.stderr.trim()}`);
	const {cache, stats} = parseStatOutput(result.stdout);
	const hashes = new Map<string, string | undefined>();
	const unknown: string[] = [];
	for (const path of paths) {
		const stat = stats.get(path);
		const cached = cache.get(path);
		if (!stat) hashes.set(path, undefined);
		else if (cached && cached.size === stat.size && cached.mtime === stat.mtime && cached.inode === stat.inode) hashes.set(path, cached.sha256);
		else unknown.push(path);
	}
	if (unknown.length > 0) for (const [path, sha] of await transport.sha256(unknown)) hashes.set(path, sha);
	return {hashes, misses: unknown.length};
}

/**
 * Record the content of files known to be as planned (matched or just uploaded). Their
 * stat is read on the node in the same command, so the entry describes the file as it is.
 */
export async function recordRemoteHashes(transport: Transport, known: ReadonlyMap<string, string>): Promise<void> {
	if (known.size === 0) return;
	const pairs = [...known].flat();
	const script = shJoin(
		[
			sh`set -e; mkdir -p ${HASH_CACHE.slice(0, HASH_CACHE.lastIndexOf('/'))}`,
			sh`tmp=${HASH_CACHE}.tmp.$$`,
			sh`set -- ${pairs}`,
			sh`: > "$tmp"; while [ $# -ge 2 ]; do [ -f "$1" ] && printf '%s|%s\\n' "$(stat -c '%n|%s|%Y|%i' -- "$1")" "$2" >> "$tmp"; shift 2; done`,
			sh`mv -f "$tmp" ${HASH_CACHE}`,
		],
		'\n',
	);
	const result = await transport.exec(script);
	if (result.code !== 0) throw new Error(`recording file hashes failed: ${result.stderr.trim()}`);
}
