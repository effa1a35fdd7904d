import type {StepName} from '../profile/schema.js';
import {SERVICES, type PlannedFile} from '../plan/types.js';
import {mapLimit} from './concurrency.js';
import {need, type NodeRun, type Outcome} from './node-run.js';
import type {RunnerOptions} from './run-options.js';

const UPLOADS_PER_NODE = 4;

/** A file step: the node's planned files of that step that differ from what is there. */
export async function placeFiles(options: RunnerOptions, run: NodeRun, name: StepName, onPlaced?: (path: string) => void): Promise<Outcome> {
	const files = need(run.changes).files.get(name) ?? [];
	return {changed: await uploadFiles(options, run, name, files, onPlaced)};
}

/** Once per node, shared by the steps that upload at the same time (a failure is retried). */
export function ensureDirectories(run: NodeRun): Promise<void> {
	run.directoriesReady ??= need(run.session)
		.ensureDirectories(run.plan.directories)
		.catch((error: unknown) => {
			run.directoriesReady = undefined;
			throw error;
		});
	return run.directoriesReady;
}

export async function uploadFiles(options: RunnerOptions, run: NodeRun, name: StepName, files: PlannedFile[], onPlaced?: (path: string) => void): Promise<string[]> {
	if (files.length === 0) return [];
	await ensureDirectories(run);
	const session = need(run.session);
	const node = run.plan.node.name;
	const total = files.reduce((n, f) => n + f.size, 0);
	const sent = new Map<string, number>();
	let lastEmit = 0;
	const progress = (path: string, bytes: number, force = false) => {
		sent.set(path, bytes);
		const now = Date.now();
		if (!force && now - lastEmit < 100) return; // a progress event every 100 ms is plenty for a human
		lastEmit = now;
		const bytesSoFar = [...sent.values()].reduce((a, b) => a + b, 0);
		options.emit({type: 'step-progress', at: now, node, step: name, bytes: bytesSoFar, totalBytes: total, message: path});
	};
	const placed = (file: PlannedFile) => {
		run.known.set(file.path, file.sha256);
		run.cacheDirty = true;
		progress(file.path, file.size, true);
		onPlaced?.(file.path);
	};
	// Small files all in one round trip when the session can (one shell on the node
	// instead of one per file); otherwise several at once over the one connection (sshd
	// allows 10 sessions per connection): each is a round trip, bound by latency, not
	// bandwidth. Large files one at a time, in the order they are needed: they share the
	// connection anyway, and the first one is complete (and usable) sooner.
	const large = files.some((f) => f.localPath !== undefined);
	if (!large && files.length > 1 && session.uploadMany) {
		await session.uploadMany(files.map((f) => ({content: f.content as Buffer, targetPath: f.path, mode: f.mode})));
		files.forEach(placed);
		return files.map((f) => f.path);
	}
	const ordered = large ? [...files].sort(byFirstService) : files;
	// Ask for every compressed copy now, in upload order: the next one is made while this one travels.
	const compressed = new Map(ordered.flatMap((f) => (f.localPath && options.zstdCopies ? [[f.path, options.zstdCopies({localPath: f.localPath, sha256: f.sha256})] as const] : [])));
	await mapLimit(ordered, large ? 1 : UPLOADS_PER_NODE, async (file) => {
		const zstd = await compressed.get(file.path);
		await session.upload(file.localPath ? {localPath: file.localPath, ...(zstd ? {zstd} : {})} : {content: file.content}, file.path, {
			mode: file.mode,
			onProgress: (bytes) => progress(file.path, bytes),
		});
		placed(file);
	});
	return files.map((f) => f.path);
}

/** Write the node's hash cache now, if anything is new in it; a failure is only logged. */
export async function recordHashesNow(options: RunnerOptions, run: NodeRun): Promise<void> {
	if (!run.session || !run.cacheDirty) return;
	run.cacheDirty = false;
	await run.session.recordHashes(run.known).catch((e: Error) => {
		options.emit({type: 'log', at: Date.now(), node: run.plan.node.name, line: `could not record file hashes (the next run hashes the files again): ${e.message}`});
	});
}

/**
 * Binaries in the order the services need them; a file no service runs (kubectl) last. A
 * stacked etcd's member binary first of all: every apiserver waits for the etcd cluster.
 */
function byFirstService(a: PlannedFile, b: PlannedFile): number {
	const rank = (f: PlannedFile) => (f.member ? -1 : Math.min(...f.services.map((s) => SERVICES.indexOf(s)), SERVICES.length));
	return rank(a) - rank(b);
}
