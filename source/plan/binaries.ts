import {execFile, spawnSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {createReadStream, existsSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, statSync, accessSync, constants} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {promisify} from 'node:util';
import {UserError} from '../errors.js';
import {makeDirectory} from '../make-directory.js';
import type {Profile} from '../profile/schema.js';
import {defaultCacheDir, writeFileAtomic, type StateDir} from '../state/state-dir.js';

/**
 * Finds the four binaries (a directory, or a kubernetes-server-linux-*.tar.gz extracted
 * once into the machine's cache, see defaultCacheDir: not secret, and no state directory
 * needs to exist for it), reads the release from `kube-apiserver --version` and hashes every
 * file. Version and sha256 are cached by (path, size, mtime, inode) in
 * <state>/binaries/index.json: hashing ~400 MB of binaries on every render would cost
 * seconds, and a changed file always changes its mtime or size. That index is written
 * through the StateDir, so a deferred one (a dry run) keeps it in memory.
 */
export const BINARY_NAMES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'] as const;
export type BinaryName = (typeof BINARY_NAMES)[number];

export interface BinaryFile {
	localPath: string;
	sha256: string;
	size: number;
}

export interface Binaries {
	/** Full release, e.g. v1.37.2. */
	release: string;
	files: Record<BinaryName, BinaryFile>;
	/** Flag names (without "--") each component's own --help lists. */
	acceptedFlags: Partial<Record<Exclude<BinaryName, 'kubectl'>, string[]>>;
}

interface IndexEntry {
	sha256: string;
	version?: string;
	/** Flag names the binary's --help lists: the units are checked against them. */
	flags?: string[];
}

const run = promisify(execFile);
const TARBALL = /\.(tar\.gz|tgz)$/;

const STATE_INDEX = 'binaries/index.json';

export async function locateBinaries(profile: Profile, state: StateDir, sharedCacheDir: string | undefined = defaultCacheDir()): Promise<Binaries> {
	// The same facts, shared by every profile on this machine: a new profile (or a new state
	// directory) for binaries already seen does not hash 400 MB and run three --help again.
	const sharedIndexPath = sharedCacheDir === undefined ? undefined : join(sharedCacheDir, 'binaries-index.json');
	const shared = sharedIndexPath === undefined ? {} : readIndex(sharedIndexPath);
	const index = parseIndex(state.read(STATE_INDEX));
	const dir = binaryDirectory(profile.binaries, extractionDirs(state, sharedCacheDir));
	const files = {} as Record<BinaryName, BinaryFile>;
	const versions = new Map<BinaryName, string>();
	const acceptedFlags: Binaries['acceptedFlags'] = {};
	let changed = false;
	const keys = new Map<string, string>();
	await Promise.all(
		BINARY_NAMES.map(async (name) => {
			const path = join(dir, name);
			const stat = statOrThrow(path, profile.binaries, name);
			const key = `${realpathSync(path)}|${stat.size}|${stat.mtimeMs}|${stat.ino}`;
			keys.set(path, key);
			let entry = index[key];
			if (!entry && shared[key]) {
				entry = {...shared[key]};
				changed = true;
			}
			if (!entry) {
				entry = {sha256: await sha256File(path)};
				changed = true;
			}
			if (name !== 'kubectl' && !entry.version) {
				entry.version = await readVersion(path, profile.binaries);
				changed = true;
			}
			if (name !== 'kubectl' && !entry.flags) {
				entry.flags = await readAcceptedFlags(path);
				changed = true;
			}
			if (name !== 'kubectl' && entry.flags && entry.flags.length > 0) acceptedFlags[name] = entry.flags;
			index[key] = entry;
			files[name] = {localPath: path, sha256: entry.sha256, size: stat.size};
			if (entry.version) versions.set(name, entry.version);
		}),
	);
	for (const name of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) {
		const version = versions.get(name) ?? '';
		const minor = /^v(\d+\.\d+)\./.exec(version)?.[1];
		if (minor !== profile.kubernetesVersion) {
			throw new UserError(
				`binaries: ${name} in ${dir} is ${version || 'of unknown version'}, but kubernetesVersion is "${profile.kubernetesVersion}"`,
				`point binaries at a v${profile.kubernetesVersion}.x kubernetes-server tarball or directory, or set kubernetesVersion: "${minor ?? '1.N'}"`,
			);
		}
	}
	if (changed) state.write(STATE_INDEX, `${JSON.stringify(index, null, 1)}\n`);
	// Also when only the state directory knew them (it was made before the shared cache).
	if (sharedIndexPath !== undefined && [...keys.values()].some((key) => !shared[key])) {
		try {
			writeFileAtomic(sharedIndexPath, `${JSON.stringify({...shared, ...index}, null, 1)}\n`, 0o600, {dirMode: 0o700});
		} catch {
			// a read-only or missing home: the state directory's index still serves this profile
		}
	}
	return {release: versions.get('kube-apiserver')!, files, acceptedFlags};
}

/**
 * Where a tarball is extracted (`into`; without a shared cache, as in tests, a scratch
 * directory removed when the process exits), and where an older version of this tool
 * extracted it (`reuse`: the state directory).
 */
export interface ExtractionDirs {
	into?: string;
	reuse?: string;
}

export function extractionDirs(state: StateDir, sharedCacheDir: string | undefined): ExtractionDirs {
	return {reuse: join(state.path, 'binaries'), ...(sharedCacheDir !== undefined ? {into: join(sharedCacheDir, 'binaries')} : {})};
}

function scratchDir(): string {
	const scratch = mkdtempSync(join(tmpdir(), 'k8s-master-setup-binaries-'));
	process.once('exit', () => rmSync(scratch, {recursive: true, force: true}));
	return scratch;
}

/** The directory holding the four binaries: the profile's directory, or the extracted tarball. */
function binaryDirectory(source: string, dirs: ExtractionDirs): string {
	let stat;
	try {
		stat = statSync(source);
	} catch {
		throw new UserError(`binaries: ${source} does not exist`, 'give a directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, or a kubernetes-server-linux-amd64.tar.gz');
	}
	if (stat.isDirectory()) {
		// An unpacked release keeps them in kubernetes/server/bin.
		const nested = join(source, 'kubernetes', 'server', 'bin');
		return !existsSync(join(source, 'kube-apiserver')) && existsSync(join(nested, 'kube-apiserver')) ? nested : source;
	}
	if (!TARBALL.test(source)) throw new UserError(`binaries: ${source} is neither a directory nor a .tar.gz`, 'give the directory of the binaries or a kubernetes-server-linux-*.tar.gz');
	return extractTarball(source, stat, dirs, KUBERNETES_SERVER_LAYOUT);
}

/** Which members of a release tarball to take, and what to say when that fails. */
export interface TarballLayout {
	/** Member paths inside the tarball, all in one directory. */
	members: string[];
	/** Leading directories dropped (tar --strip-components), so the members land side by side. */
	stripComponents: number;
	/** The profile field named in messages, e.g. `binaries` or `etcd.binaries`. */
	field: string;
	hint: string;
}

const KUBERNETES_SERVER_LAYOUT: TarballLayout = {
	members: BINARY_NAMES.map((n) => `kubernetes/server/bin/${n}`),
	stripComponents: 3,
	field: 'binaries',
	hint: 'give an official kubernetes-server-linux-*.tar.gz (it holds kubernetes/server/bin/kube-apiserver, ...)',
};

/**
 * Extract `layout.members` of a tarball once into the machine's cache, under a key of the
 * tarball's path, size and mtime, and return that directory (an earlier extraction is reused;
 * the first member present there marks it complete, since it is renamed into place whole).
 */
export function extractTarball(tarball: string, stat: {size: number; mtimeMs: number}, dirs: ExtractionDirs, layout: TarballLayout): string {
	const key = createHash('sha256').update(`${realpathSync(tarball)}|${stat.size}|${stat.mtimeMs}`).digest('hex').slice(0, 16);
	const marker = layout.members[0]!.split('/').pop()!;
	if (dirs.reuse !== undefined && existsSync(join(dirs.reuse, key, marker))) return join(dirs.reuse, key);
	const target = join(dirs.into ?? scratchDir(), key);
	if (existsSync(join(target, marker))) return target;
	const temp = `${target}.tmp-${process.pid}`;
	makeDirectory(temp, 0o700, 'binaries cache directory');
	try {
		// Synchronous on purpose: nothing else can proceed without the binaries.
		const {status, stderr} = spawnTar(['-xzf', tarball, '-C', temp, `--strip-components=${layout.stripComponents}`, ...layout.members]);
		if (status !== 0) {
			throw new UserError(`${layout.field}: cannot extract ${tarball}: ${stderr.trim().split('\n').pop() ?? ''}`, layout.hint);
		}
		renameSync(temp, target);
	} finally {
		rmSync(temp, {recursive: true, force: true});
	}
	return target;
}

/** The member paths of a .tar.gz, as tar lists them; throws a UserError naming `field` when tar cannot read it. */
export function listTarball(tarball: string, field: string, hint: string): string[] {
	const result = spawnSync('tar', ['-tzf', tarball], {encoding: 'utf8', maxBuffer: 64 << 20});
	if (result.status !== 0) throw new UserError(`${field}: cannot read ${tarball}: ${(result.stderr ?? String(result.error ?? '')).trim().split('\n').pop() ?? ''}`, hint);
	return result.stdout.split('\n').filter(Boolean);
}

function spawnTar(args: string[]): {status: number | null; stderr: string} {
	const result = spawnSync('tar', args, {encoding: 'utf8'});
	return {status: result.status, stderr: result.stderr ?? String(result.error ?? '')};
}

function statOrThrow(path: string, source: string, name: string) {
	try {
		const stat = statSync(path);
		accessSync(path, constants.X_OK);
		return stat;
	} catch {
		throw new UserError(`binaries: ${name} is missing or not executable in ${source}`, 'the directory or tarball must hold kube-apiserver, kube-controller-manager, kube-scheduler and kubectl');
	}
}

async function readVersion(path: string, source: string): Promise<string> {
	try {
		const {stdout} = await run(path, ['--version'], {timeout: 20_000});
		const match = /v\d+\.\d+\.\d+\S*/.exec(stdout);
		if (match) return match[0];
	} catch {
		// reported below
	}
	throw new UserError(`binaries: "${path} --version" did not print a Kubernetes version`, `check that ${source} holds Linux binaries for this machine's architecture`);
}

/** The flags a binary accepts, from its own --help ("      --secure-port int   ..."). */
async function readAcceptedFlags(path: string): Promise<string[]> {
	try {
		const {stdout, stderr} = await run(path, ['--help'], {timeout: 20_000, maxBuffer: 8 << 20});
		return parseHelpFlags(`${stdout}\n${stderr}`);
	} catch (error) {
		// Some versions exit non-zero on --help; the text is still there.
		const e = error as {stdout?: string; stderr?: string};
		return parseHelpFlags(`${e.stdout ?? ''}\n${e.stderr ?? ''}`);
	}
}

export function parseHelpFlags(help: string): string[] {
	const names = new Set<string>();
	for (const m of help.matchAll(/^\s+(?:-[A-Za-z], )?--([a-z0-9][a-z0-9-]*)/gm)) names.add(m[1] as string);
	return [...names].sort();
}

/** sha256 hex of a local file, streamed. */
export function sha256File(path: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const hash = createHash('sha256');
		createReadStream(path, {highWaterMark: 1 << 20})
			.on('data', (chunk) => hash.update(chunk))
			.on('error', reject)
			.on('end', () => resolve(hash.digest('hex')));
	});
}

function readIndex(path: string): Record<string, IndexEntry> {
	try {
		return parseIndex(readFileSync(path, 'utf8'));
	} catch {
		return {};
	}
}

function parseIndex(text: string | undefined): Record<string, IndexEntry> {
	try {
		return JSON.parse(text ?? '{}') as Record<string, IndexEntry>;
	} catch {
		return {};
	}
}

/**
 * The release of the binaries at `source` (a directory or a kubernetes-server tarball),
 * e.g. v1.37.2, for the wizard to fill in kubernetesVersion. Leaves nothing behind.
 */
export async function readBinariesRelease(source: string): Promise<string> {
	const scratch = mkdtempSync(join(tmpdir(), 'k8s-master-setup-version-'));
	try {
		const dir = binaryDirectory(source, {into: scratch});
		const path = join(dir, 'kube-apiserver');
		statOrThrow(path, source, 'kube-apiserver');
		return await readVersion(path, source);
	} finally {
		rmSync(scratch, {recursive: true, force: true});
	}
}
