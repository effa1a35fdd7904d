import {CONTROL_PLANE} from '../cluster/services.js';
import {renderHaproxy, renderNginxStream, WORKER_PROXY_FILES} from '../render/worker-proxy.js';
import {chmodSync, copyFileSync, constants, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, unlinkSync, type Stats} from 'node:fs';
import {dirname, join, relative, sep} from 'node:path';
import {UserError} from '../errors.js';
import {makeDirectory} from '../make-directory.js';
import type {Plan, PlannedFile} from './types.js';
import {writeFileAtomic} from '../state/state-dir.js';

/**
 * `render --out DIR`: every node's files under DIR/<node>/<absolute path> with their target
 * modes, DIR/<node>/manifest.json, and DIR/admin.kubeconfig (0600). Returns the file count.
 * Nothing is written through a symbolic link below DIR: key-holding files would land
 * wherever the link points (the paths themselves are absolute and normalised, profile/values.ts).
 */
export function writeRenderOutput(plan: Plan, outDir: string): number {
	try {
		return writeAll(plan, outDir);
	} catch (error) {
		if (error instanceof UserError) throw error;
		// fs errors name the call and the path: "EACCES: permission denied, open '/out/…'".
		if ((error as NodeJS.ErrnoException).code) throw new UserError(`cannot write the output in ${outDir}: ${(error as Error).message}`, 'choose an --out directory you can write');
		throw error;
	}
}

function writeAll(plan: Plan, outDir: string): number {
	makeDirectory(outDir, 0o700, '--out directory');
	const tree = new RealTree(outDir);
	let count = 0;
	for (const nodePlan of plan.nodes) {
		const root = join(outDir, nodePlan.node.name);
		for (const dir of nodePlan.directories) {
			tree.directory(join(root, dir.path));
			chmodSync(join(root, dir.path), dir.mode);
		}
		for (const file of nodePlan.files) {
			const target = join(root, file.path);
			tree.file(target);
			placeFile(file, target);
			count++;
		}
		tree.file(join(root, 'manifest.json'));
		const manifest = {
			node: nodePlan.node.name,
			kubernetesRelease: plan.kubernetesRelease,
			directories: nodePlan.directories.map((d) => ({path: d.path, mode: octal(d.mode)})),
			files: [...nodePlan.files]
				.sort((a, b) => byCodePoint(a.path, b.path))
				.map((f) => ({path: f.path, mode: octal(f.mode), sha256: f.sha256, size: f.size, step: f.step, secret: f.secret, services: f.services})),
		};
		writeIfChanged(join(root, 'manifest.json'), Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), 0o644);
	}
	tree.file(join(outDir, 'admin.kubeconfig'));
	writeIfChanged(join(outDir, 'admin.kubeconfig'), Buffer.from(plan.adminKubeconfig), 0o600);
	// For a node-local proxy on workers: the current masters, re-written by every render.
	const masters = plan.nodes.map((n) => n.node);
	const port = CONTROL_PLANE['kube-apiserver'].port;
	for (const [name, text] of [[WORKER_PROXY_FILES.nginx, renderNginxStream(masters, port)], [WORKER_PROXY_FILES.haproxy, renderHaproxy(masters, port)]] as const) {
		tree.file(join(outDir, name));
		writeIfChanged(join(outDir, name), Buffer.from(text), 0o644);
	}
	return count;
}

/**
 * Directories below `top` created one level at a time, each checked to be a real directory
 * (lstat, not stat): a symbolic link anywhere below `top` is refused, not followed.
 */
class RealTree {
	readonly #checked = new Set<string>();

	constructor(private readonly top: string) {}

	/** `path` (below top) and every directory between exist as real directories. */
	directory(path: string): void {
		let at = this.top;
		for (const part of relative(this.top, path).split(sep).filter(Boolean)) {
			at = join(at, part);
			if (this.#checked.has(at)) continue;
			const stat = lstatOrUndefined(at);
			if (stat === undefined) mkdirSync(at);
			else if (stat.isSymbolicLink()) refuseLink(at);
			else if (!stat.isDirectory()) throw new UserError(`render --out: ${at} is not a directory`, 'remove it or choose another --out');
			this.#checked.add(at);
		}
	}

	/** The directories of `path` are real, and `path` is not a link (a file or nothing yet). */
	file(path: string): void {
		this.directory(dirname(path));
		if (lstatOrUndefined(path)?.isSymbolicLink()) refuseLink(path);
	}
}

function refuseLink(path: string): never {
	throw new UserError(
		`render --out: ${path} is a symbolic link (to ${readlinkSync(path)}); render writes only real directories and files below --out`,
		'remove the link, or render into a new directory',
	);
}

function lstatOrUndefined(path: string): Stats | undefined {
	try {
		return lstatSync(path);
	} catch {
		return undefined;
	}
}

function placeFile(file: PlannedFile, target: string): void {
	if (file.content !== undefined) {
		writeIfChanged(target, file.content, file.mode);
		return;
	}
	// Binaries (hundreds of MB): a hard link when the source already has the target mode
	// (chmod on a link would change the source), otherwise a copy (reflinked where supported).
	const source = file.localPath!;
	const sourceStat = statSync(source);
	const existing = statOrUndefined(target);
	// Already the same file (a link), or a copy made after the source last changed.
	if (existing && existing.size === sourceStat.size && (existing.mode & 0o777) === file.mode) {
		if (existing.ino === sourceStat.ino && existing.dev === sourceStat.dev) return;
		if (existing.mtimeMs >= sourceStat.mtimeMs) return;
	}
	try {
		unlinkSync(target);
	} catch {
		// absent
	}
	if ((sourceStat.mode & 0o777) === file.mode) {
		try {
			linkSync(source, target);
			return;
		} catch {
			// another filesystem: copy
		}
	}
	copyFileSync(source, target, constants.COPYFILE_FICLONE);
	chmodSync(target, file.mode);
}

/** Re-rendering into the same directory rewrites only what changed (and fixes modes). */
function writeIfChanged(path: string, content: Buffer, mode: number): void {
	const existing = statOrUndefined(path);
	if (existing?.isFile() && existing.size === content.length && readFileSync(path).equals(content)) {
		if ((existing.mode & 0o777) !== mode) chmodSync(path, mode);
		return;
	}
	writeFileAtomic(path, content, mode);
}

function statOrUndefined(path: string): Stats | undefined {
	try {
		return statSync(path);
	} catch {
		return undefined;
	}
}

/**
 * Manifest order: plain code-point order, the same on every machine (localeCompare depends
 * on the ICU locale, and its first call costs ~20 ms of collator setup on every render).
 */
function byCodePoint(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function octal(mode: number): string {
	return `0${mode.toString(8)}`;
}
