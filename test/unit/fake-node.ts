import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import type {ContentFile, ExecOptions, ExecResult, Transport, UploadOptions, UploadSource} from '../../source/remote/transport.js';
import type {ServiceName} from '../../source/plan/types.js';

/**
 * An in-memory node for runner tests: a file system, three systemd services and a log of
 * every command. It answers the runner's few remote commands the way a real node would;
 * the real transport is exercised against sshd in test/integration and on the lab.
 */
export class FakeNode {
	files = new Map<string, {content: Buffer; mode: number}>();
	active = new Map<ServiceName, boolean>();
	enabled = new Map<ServiceName, boolean>();
	restarts: Array<{service: string; at: number}> = [];
	commands: string[] = [];
	cacheWrites = 0;
	uploads: string[] = [];
	/** Target paths of each uploadMany call, in order. */
	batches: string[][] = [];
	/** Facts the preflight script reports; clockOffsetSeconds is how far the node's clock is ahead of this machine's. */
	facts = {systemd: true, arch: 'x86_64', availKib: 50_000_000, listeners: [] as string[], etcdReachable: true, clockOffsetSeconds: 0};
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
	/** Called on every restart, before the service is up again. */
	onRestart?: (service: ServiceName) => void;
	/** Awaited before a command is answered (to hold one command until another arrives). */
	beforeAnswer?: (command: string) => Promise<void>;

	constructor(readonly name: string) {}

	transport(): Transport {
		return new FakeTransport(this);
	}
}

class FakeTransport implements Transport {
	readonly user = 'root';
	constructor(private readonly fake: FakeNode) {}
	get node(): string {
		return this.fake.name;
	}

	async exec(command: string, _options?: ExecOptions): Promise<ExecResult> {
		this.fake.commands.push(command);
		await this.fake.beforeAnswer?.(command);
		// `{ reload if needed; } && systemctl enable X ... && systemctl restart X --no-block`: one round trip, three commands.
		if (command.includes(' && systemctl ')) {
			for (const part of command.split(' && ')) {
				const r = this.execOne(part);
				if (r.code !== 0) return r;
			}
			return {code: 0, stdout: '', stderr: ''};
		}
		return this.execOne(command);
	}

	private execOne(command: string): ExecResult {
		const f = this.fake;
		const ok = (stdout = ''): ExecResult => ({code: 0, stdout, stderr: ''});
		if (command.includes('echo "systemd')) {
			const lines = [
				`systemd ${f.facts.systemd ? 'yes' : 'no'}`,
				`arch ${f.facts.arch}`,
				`epoch ${Math.round(Date.now() / 1000) + f.facts.clockOffsetSeconds}`,
				`avail ${f.facts.availKib}`,
				...f.facts.listeners.map((l) => `listen ${l}`),
			];
			for (const m of command.matchAll(/echo etcd (\S+) yes/g)) lines.push(`etcd ${m[1]} ${f.facts.etcdReachable ? 'yes' : 'no'}`);
			return ok([...new Set(lines)].join('\n'));
		}
		if (command.startsWith("printf '%s %s %s %s")) {
			const out = (['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((s) => {
				const marker = f.files.get(`/var/lib/k8s-master-setup/applied/${s}`)?.content.toString().trim() ?? 'none';
				return `${s} ${f.active.get(s) ? 'active' : 'inactive'} ${f.enabled.get(s) ? 'enabled' : 'disabled'} ${marker}`;
			});
			return ok(out.join('\n'));
		}
		const restart = /^systemctl restart (\S+)/.exec(command);
		if (restart) {
			const s = restart[1] as ServiceName;
			f.onRestart?.(s);
			f.restarts.push({service: s, at: Date.now()});
			f.active.set(s, !f.broken.has(s));
			return ok();
		}
		const enable = /^systemctl enable (\S+)/.exec(command);
		if (enable) {
			f.enabled.set(enable[1] as ServiceName, true);
			return ok();
		}
		const show = /^systemctl show (\S+)/.exec(command);
		if (show) {
			const s = show[1] as ServiceName;
			const n = f.nRestarts.get(s) ?? (f.broken.has(s) ? 3 : 0);
			return ok(f.broken.has(s) ? `ActiveState=failed\nSubState=failed\nNRestarts=${n}` : `ActiveState=active\nSubState=running\nNRestarts=${n}`);
		}
		const journal = /^journalctl -u (\S+)/.exec(command);
		if (journal) return ok(f.broken.get(journal[1] as ServiceName) ?? '');
		const marker = /printf '%s\\n' ([0-9a-f]{64}) > (\S+)\.tmp/.exec(command);
		if (marker) {
			f.files.set(marker[2] as string, {content: Buffer.from(`${marker[1]}\n`), mode: 0o644});
			return ok();
		}
		// The hash cache: this fake keeps none, so every file is hashed through sha256().
		if (command.includes('@@stat')) {
			const stats = [...this.fake.files].map(([path, f], i) => `${path}|${f.content.length}|0|${i}`);
			return ok(`@@stat\n${stats.join('\n')}\n`);
		}
		if (command.includes('sha256-cache')) {
			this.fake.cacheWrites++;
			return ok();
		}
		// The fake's systemd has no loaded unit state to compare: the reload-if-needed guard is a no-op here (the lab runs the real one).
		if (command.startsWith('{ [ "$(systemctl show -p LoadState -p NeedDaemonReload') || command.startsWith('mkdir -p')) return ok();
		return {code: 127, stdout: '', stderr: `fake node: unknown command: ${command}`};
	}

	async sha256(paths: readonly string[]): Promise<Map<string, string | undefined>> {
		return new Map(paths.map((p) => {
			const file = this.fake.files.get(p);
			return [p, file ? createHash('sha256').update(file.content).digest('hex') : undefined];
		}));
	}

	async readFile(path: string): Promise<Buffer | undefined> {
		return this.fake.files.get(path)?.content;
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

	async close(): Promise<void> {}
}
