import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import type {ServiceName} from '../../source/plan/types.js';
import type {ContentFile, UploadOptions, UploadSource} from '../../source/remote/transport.js';
import {APPLIED_DIR} from '../../source/run/remote-state.js';
import type {NodeSession, UnitState} from '../../source/run/node-session.js';
import {parseServiceState} from '../../source/run/remote-state.js';
import {SERVICES} from '../../source/plan/types.js';

/**
 * An in-memory node for runner tests: a file system, three systemd services and a log of
 * every operation the runner asked for. It implements the runner's typed node operations
 * (source/run/node-session.ts) the way a real node answers them; the SSH implementation
 * and its scripts are exercised in a real sh, against sshd in test/integration and on
 * the lab.
 */
export class FakeNode {
	files = new Map<string, {content: Buffer; mode: number}>();
	active = new Map<ServiceName, boolean>();
	enabled = new Map<ServiceName, boolean>();
	restarts: Array<{service: string; at: number}> = [];
	/** Every operation, in order: `readState`, `restart kube-apiserver`, `ensureDirectories`, … */
	calls: string[] = [];
	cacheWrites = 0;
	uploads: string[] = [];
	/** Target paths of each uploadMany call, in order. */
	batches: string[][] = [];
	/** What the preflight reads; clockOffsetSeconds is how far the node's clock is ahead of this machine's. */
	/** What each component's binary reports (`--version`); none installed by default. */
	versions = new Map<ServiceName, string | undefined>();
	facts = {systemd: true, arch: 'x86_64', availKib: 50_000_000, listeners: [] as Array<{port: number; process: string}>, etcdReachable: true, clockOffsetSeconds: 0};
	/** systemd's NRestarts per service, when a test sets it (else 3 for a broken one, 0). */
	nRestarts = new Map<ServiceName, number>();
	/** Services that fail to start (the journal tail is returned). */
	broken = new Map<ServiceName, string>();
	/** Make the next upload of a path drop the connection once. */
	dropOnUpload = new Set<string>();
	/** Uploads of these paths fail for good (a full disk). */
	failOnUpload = new Set<string>();
	/** Uploads of these paths take this long (ms), like a large binary on a real link. */
	uploadDelayMs = new Map<string, number>();
	/** Kept generations: id → path → the file as it was (undefined: absent). */
	generations = new Map<string, Map<string, {content: Buffer; mode: number} | undefined>>();
	/** Putting a generation back fails (a read-only file system). */
	failRestore = false;
	/** Called on every restart, before the service is up again. */
	onRestart?: (service: ServiceName) => void;
	/** Awaited before an operation is answered (to hold one until another arrives). */
	beforeAnswer?: (call: string) => Promise<void>;

	constructor(readonly name: string) {}

	session(): NodeSession {
		return new FakeSession(this);
	}
}

class FakeSession implements NodeSession {
	constructor(private readonly fake: FakeNode) {}
	get node(): string {
		return this.fake.name;
	}

	private async called(call: string): Promise<void> {
		this.fake.calls.push(call);
		await this.fake.beforeAnswer?.(call);
	}

	async preflight(profile: Parameters<NodeSession['preflight']>[0], node: Parameters<NodeSession['preflight']>[1]) {
		await this.called('preflight');
		const f = this.fake.facts;
		const {apiserverEtcdEndpoints} = await import('../../source/render/etcd-endpoints.js');
		return {
			systemd: f.systemd,
			arch: f.arch,
			hostname: this.fake.name,
			epochSeconds: Math.round(Date.now() / 1000) + f.clockOffsetSeconds,
			availableKib: f.availKib,
			listeners: f.listeners,
			etcd: new Map(apiserverEtcdEndpoints(profile, node).map((url) => [url, f.etcdReachable])),
			versions: new Map(this.fake.versions),
		};
	}

	async readState(plan: Parameters<NodeSession['readState']>[0]) {
		await this.called('readState');
		const hashes = new Map(plan.files.map((p) => [p.path, this.hashOf(p.path)] as const));
		// The service state as the node script prints it, parsed by the real parser.
		const lines = SERVICES.map((s) => {
			const marker = this.fake.files.get(`${APPLIED_DIR}/${s}`)?.content.toString().trim() ?? 'none';
			return `${s} ${this.fake.active.get(s) ? 'active' : 'inactive'} ${this.fake.enabled.get(s) ? 'enabled' : 'disabled'} ${marker}`;
		});
		// This fake keeps no hash cache: every present file counts as hashed in full.
		return {hashes, hashMisses: [...hashes.values()].filter(Boolean).length, ...parseServiceState(lines.join('\n'))};
	}

	private hashOf(path: string): string | undefined {
		const file = this.fake.files.get(path);
		return file ? createHash('sha256').update(file.content).digest('hex') : undefined;
	}

	async readFile(path: string): Promise<Buffer | undefined> {
		await this.called(`readFile ${path}`);
		return this.fake.files.get(path)?.content;
	}

	async ensureDirectories(): Promise<void> {
		await this.called('ensureDirectories');
	}

	async upload(source: UploadSource, targetPath: string, options: UploadOptions): Promise<void> {
		if (this.fake.dropOnUpload.delete(targetPath)) {
			throw Object.assign(new Error('read ECONNRESET'), {code: 'ECONNRESET'});
		}
		const delay = this.fake.uploadDelayMs.get(targetPath);
		if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
		if (this.fake.failOnUpload.has(targetPath)) throw new Error(`cannot write ${targetPath}: No space left on device`);
		const content = source.content ?? readFileSync(source.localPath as string);
		options.onProgress?.(content.length, content.length);
		this.fake.uploads.push(targetPath);
		this.fake.files.set(targetPath, {content, mode: options.mode});
	}

	/** As the SSH transport: all or (with a failing file) none of them placed, in one call. */
	async uploadMany(files: readonly ContentFile[]): Promise<void> {
		this.fake.batches.push(files.map((f) => f.targetPath));
		for (const f of files) {
			if (this.fake.failOnUpload.has(f.targetPath)) throw new Error(`cannot write ${f.targetPath}: No space left on device`);
		}
		for (const f of files) await this.upload({content: f.content}, f.targetPath, {mode: f.mode});
	}

	async restart(service: ServiceName): Promise<void> {
		await this.called(`restart ${service}`);
		const f = this.fake;
		f.enabled.set(service, true);
		f.onRestart?.(service);
		f.restarts.push({service, at: Date.now()});
		f.active.set(service, !f.broken.has(service));
	}

	async stop(service: ServiceName): Promise<void> {
		await this.called(`stop ${service}`);
		this.fake.active.set(service, false);
		this.fake.enabled.set(service, false);
	}

	async enable(service: ServiceName): Promise<void> {
		await this.called(`enable ${service}`);
		this.fake.enabled.set(service, true);
	}

	async unitState(service: ServiceName): Promise<UnitState> {
		await this.called(`unitState ${service}`);
		const f = this.fake;
		const restarts = String(f.nRestarts.get(service) ?? (f.broken.has(service) ? 3 : 0));
		return f.broken.has(service) ? {active: 'failed', sub: 'failed', restarts} : {active: 'active', sub: 'running', restarts};
	}

	async journalTail(service: ServiceName): Promise<string> {
		await this.called(`journalTail ${service}`);
		return this.fake.broken.get(service) ?? '';
	}

	async markApplied(service: ServiceName, digest: string): Promise<void> {
		await this.called(`markApplied ${service}`);
		this.fake.files.set(`${APPLIED_DIR}/${service}`, {content: Buffer.from(`${digest}\n`), mode: 0o644});
	}

	async keepGeneration(id: string, paths: readonly string[]) {
		await this.called(`keepGeneration ${paths.length}`);
		this.fake.generations.set(id, new Map(paths.map((p) => [p, this.fake.files.get(p)] as const)));
		return {id, dir: `/var/lib/k8s-master-setup/generations/${id}`};
	}

	async restoreGeneration(generation: {id: string}): Promise<void> {
		await this.called(`restoreGeneration ${generation.id}`);
		if (this.fake.failRestore) throw new Error(`cp: cannot create regular file: Read-only file system`);
		for (const [path, kept] of this.fake.generations.get(generation.id) ?? []) {
			if (kept) this.fake.files.set(path, kept);
			else this.fake.files.delete(path);
		}
	}

	async recordHashes(): Promise<void> {
		await this.called('recordHashes');
		this.fake.cacheWrites++;
	}

	async close(): Promise<void> {}
}
