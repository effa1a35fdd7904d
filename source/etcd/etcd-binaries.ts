// Where the etcd binaries of etcd.binaries are: an official etcd-vX.Y.Z-linux-amd64.tar.gz
// (its files sit in one top directory), or a directory holding them. pickEtcdFiles decides
// from a listing alone (pure); locateEtcdBinaries is the I/O edge, extracting a tarball
// with the same cache as the Kubernetes binaries (plan/binaries.ts).
import {execFile} from 'node:child_process';
import {accessSync, constants, readdirSync, statSync} from 'node:fs';
import {join, posix} from 'node:path';
import {promisify} from 'node:util';
import {UserError} from '../errors.js';
import {extractTarball, listTarball, type ExtractionDirs} from '../plan/binaries.js';
import {parseEtcdVersion, type EtcdVersion} from './etcd-version.js';

/** etcd is required; etcdctl and etcdutl are taken when present (a 3.4 tarball has no etcdutl). */
export const ETCD_BINARY_NAMES = ['etcd', 'etcdctl', 'etcdutl'] as const;
export type EtcdBinaryName = (typeof ETCD_BINARY_NAMES)[number];

export interface EtcdFilePick {
	/** The directory of the files inside the listing ('' for the top), without a trailing "/". */
	dir: string;
	names: EtcdBinaryName[];
}

const HINT = 'give an official etcd-vX.Y.Z-linux-amd64.tar.gz (github.com/etcd-io/etcd/releases) or a directory holding etcd, etcdctl and etcdutl';

/**
 * Which files to take from a listing (tar -tzf member paths, or a directory's names): the
 * shallowest `etcd` at the top or one directory down, and etcdctl/etcdutl beside it.
 */
export function pickEtcdFiles(entries: readonly string[]): EtcdFilePick | {problem: string; hint: string} {
	const paths = entries.map((e) => e.replace(/^(\.\/)+/, '')).filter((e) => e !== '' && !e.endsWith('/'));
	const candidates = paths.filter((p) => posix.basename(p) === 'etcd' && p.split('/').length <= 2);
	if (candidates.length === 0) return {problem: 'holds no etcd binary (at the top or in one directory, as the release tarball has it)', hint: HINT};
	const depth = Math.min(...candidates.map((p) => p.split('/').length));
	const shallowest = candidates.filter((p) => p.split('/').length === depth);
	if (shallowest.length > 1) return {problem: `holds more than one etcd (${shallowest.join(', ')})`, hint: 'give the tarball or directory of one etcd release'};
	const dir = posix.dirname(shallowest[0]!) === '.' ? '' : posix.dirname(shallowest[0]!);
	const present = new Set(paths);
	const names = ETCD_BINARY_NAMES.filter((n) => present.has(dir === '' ? n : `${dir}/${n}`));
	return {dir, names};
}

export interface EtcdBinaries {
	/** Local paths of the files to place on every master; etcd always. */
	files: Partial<Record<EtcdBinaryName, string>> & {etcd: string};
}

/** The etcd binaries of `source` (etcd.binaries), a tarball extracted once into `dirs`. */
export function locateEtcdBinaries(source: string, dirs: ExtractionDirs): EtcdBinaries {
	let stat;
	try {
		stat = statSync(source);
	} catch {
		throw new UserError(`etcd.binaries: ${source} does not exist`, HINT);
	}
	let dir: string;
	let names: EtcdBinaryName[];
	if (stat.isDirectory()) {
		const pick = pickEtcdFiles(readdirSync(source));
		if ('problem' in pick) throw new UserError(`etcd.binaries: ${source} ${pick.problem}`, pick.hint);
		dir = source;
		names = pick.names;
	} else if (/\.(tar\.gz|tgz)$/.test(source)) {
		const pick = pickEtcdFiles(listTarball(source, 'etcd.binaries', HINT));
		if ('problem' in pick) throw new UserError(`etcd.binaries: ${source} ${pick.problem}`, pick.hint);
		const members = pick.names.map((n) => (pick.dir === '' ? n : `${pick.dir}/${n}`));
		dir = extractTarball(source, stat, dirs, {members, stripComponents: pick.dir === '' ? 0 : pick.dir.split('/').length, field: 'etcd.binaries', hint: HINT});
		names = pick.names;
	} else {
		throw new UserError(`etcd.binaries: ${source} is neither a directory nor a .tar.gz`, HINT);
	}
	const files = {} as EtcdBinaries['files'];
	for (const name of names) {
		const path = join(dir, name);
		try {
			accessSync(path, constants.X_OK);
		} catch {
			throw new UserError(`etcd.binaries: ${name} in ${source} is not executable`, HINT);
		}
		files[name] = path;
	}
	return {files};
}

const run = promisify(execFile);

/** `etcd --version` of a local binary, parsed; undefined when it prints none (judgeEtcdVersion says so). */
export async function readEtcdVersion(etcdPath: string): Promise<EtcdVersion | undefined> {
	try {
		const {stdout} = await run(etcdPath, ['--version'], {timeout: 20_000});
		return parseEtcdVersion(stdout);
	} catch {
		return undefined;
	}
}
