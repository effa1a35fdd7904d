// `etcd restore`: the pure plan (bump, keys, facts, lines), its node scripts run in a real
// sh on temporary directories (a data dir with a space and a quote in its name), and the
// phases over in-memory nodes that keep each master's data dirs and running units, so the
// order (nothing stopped before every master built its restored data; the apiservers only
// after the members serve) and every way back can fail.
import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import type {EtcdClusterView} from '../../source/etcd/cluster-gate.js';
import {etcdMember} from '../../source/etcd/members.js';
import type {ManagedUnit} from '../../source/run/node-session.js';
import type {ServiceName} from '../../source/cluster/services.js';
import {checkRestoreNodes, restoreEtcd, type RestoreNode} from '../../source/run/etcd-restore/restore.js';
import {
	DEFAULT_REVISION_BUMP,
	discardScript,
	judgeRestoreFacts,
	keptDir,
	missingKeys,
	parseRestoreFacts,
	prepareScript,
	putBackScript,
	restoreDir,
	restoreFactsScript,
	restorePlanLines,
	restoreStamp,
	restoreToken,
	revisionBump,
	swapScript,
	type RestoreFacts,
	type RestoreValues,
} from '../../source/run/etcd-restore/restore-plan.js';
import {checkSnapshotFile} from '../../source/run/etcd-restore/snapshot-file.js';
import {clearRestoreJournal, openRestore, restoreRefusal, writeRestoreJournal} from '../../source/run/etcd-restore/restore-journal.js';
import {createHash} from 'node:crypto';

const members = ['lab-m1', 'lab-m2', 'lab-m3'].map((name, i) => etcdMember({name, ip: `198.18.0.${11 + i}`}));

describe('the restore plan', () => {
	it('bumps the revision by etcd\'s default, or past the writes since the snapshot when they are more', () => {
		expect(revisionBump(500, undefined)).toBe(DEFAULT_REVISION_BUMP);
		expect(revisionBump(500, 90_000)).toBe(DEFAULT_REVISION_BUMP);
		expect(revisionBump(10, 2_000_000_010)).toBe(2_000_000_000 + DEFAULT_REVISION_BUMP);
	});

	it('a stamp and a token of the restore\'s own', () => {
		const stamp = restoreStamp(new Date('2026-12-07T12:30:05.123Z'));
		expect(stamp).toBe('20261207T123005Z');
		expect(restoreToken('prod', stamp)).toBe('prod-restored-20261207T123005Z');
		expect(keptDir('/var/lib/etcd/', stamp)).toBe('/var/lib/etcd.before-restore-20261207T123005Z');
	});

	it('names the keys a snapshot\'s Secrets need that the encryption config no longer has', () => {
		const config = [{provider: 'aescbc', name: 'key2'}];
		expect(missingKeys([{provider: 'aescbc', name: 'key1'}, {provider: 'aescbc', name: 'key2'}, {provider: 'identity', name: ''}], config)).toEqual([{provider: 'aescbc', name: 'key1'}]);
		expect(missingKeys([{provider: 'aescbc', name: 'key2'}], config)).toEqual([]);
	});

	it('refuses a node without etcdutl or without room for the restored data', () => {
		expect(judgeRestoreFacts('lab-m1', {etcdutl: false, data: true, freeKb: 1e9}, 1000, '/opt/k8s/bin/etcdutl')?.problem).toContain('lab-m1: /opt/k8s/bin/etcdutl is not there');
		expect(judgeRestoreFacts('lab-m2', {etcdutl: true, data: true, freeKb: 100 * 1024}, 100 * 1024 * 1024, 'e')?.problem).toBe('lab-m2: 100 MiB free beside the etcd data dir, the restore needs about 250 MiB');
		expect(judgeRestoreFacts('lab-m3', {etcdutl: true, data: true, freeKb: 300 * 1024}, 100 * 1024 * 1024, 'e')).toBeUndefined();
	});

	it('says what is lost, by revision when the cluster answers', () => {
		const snapshot = {path: '/s/etcd.db', size: 2048, revision: 100, takenAt: '2026-12-07T10:00:00Z', etcdRelease: '3.6.16', encryptionKeys: []};
		const lines = restorePlanLines({snapshot, members, dataDir: '/var/lib/etcd', stamp: 'S', currentRevision: 160});
		expect(lines).toContainEqual('  lost: every change made since the snapshot: 60 revision(s) of writes (the cluster is at revision 160, the snapshot at 100)');
		expect(lines.join('\n')).toContain('/var/lib/etcd moves to /var/lib/etcd.before-restore-S (kept)');
		// After an earlier restore's bump the difference is no count of writes.
		const bumped = restorePlanLines({snapshot, members, dataDir: '/var/lib/etcd', stamp: 'S', currentRevision: 100 + DEFAULT_REVISION_BUMP + 5});
		expect(bumped.join('\n')).toContain('an earlier restore bumped the revision, so how many writes is not known');
		const unknown = restorePlanLines({snapshot: {path: '/s/x.db', size: 2048, revision: 100}, members, dataDir: '/var/lib/etcd', stamp: 'S'});
		expect(unknown.join('\n')).toMatch(/the cluster does not answer now[\s\S]*the snapshot has no sidecar/);
	});
});

describe('the node scripts, in a real sh', () => {
	let dir: string;
	afterEach(() => rmSync(dir, {recursive: true, force: true}));
	const sh = (script: string) => execFileSync('sh', ['-c', script], {encoding: 'utf8'});

	function values(): RestoreValues {
		dir = mkdtempSync(join(tmpdir(), 'k8s-restore-'));
		// A stand-in etcdutl that records its arguments one per line and makes the data dir it is given.
		const etcdutl = join(dir, 'bin', "etcd util's");
		mkdirSync(join(dir, 'bin'));
		writeFileSync(etcdutl, `#!/bin/sh\nprintf '%s\\n' "$@" > ${JSON.stringify(join(dir, 'args'))}\nwhile [ $# -gt 0 ]; do [ "$1" = --data-dir ] && mkdir -p "$2/member/snap"; shift; done\n`);
		chmodSync(etcdutl, 0o755);
		return {stamp: '20261207T120000Z', token: 'prod-restored-20261207T120000Z', members, dataDir: join(dir, "data dir's $(x)"), etcdutl, bump: DEFAULT_REVISION_BUMP};
	}

	it('prepare builds <dataDir>.restore with the member\'s own name and peer URL, every value one word', () => {
		const v = values();
		mkdirSync(restoreDir(v.dataDir) + '/left-over', {recursive: true});
		sh(prepareScript(v, members[1]!));
		const args = readFileSync(join(dir, 'args'), 'utf8').trim().split('\n');
		expect(args).toEqual([
			'snapshot', 'restore', '/var/lib/k8s-master-setup/restore/snapshot.db', '--data-dir', restoreDir(v.dataDir), '--name', 'lab-m2',
			'--initial-cluster', 'lab-m1=https://198.18.0.11:2380,lab-m2=https://198.18.0.12:2380,lab-m3=https://198.18.0.13:2380',
			'--initial-cluster-token', 'prod-restored-20261207T120000Z', '--initial-advertise-peer-urls', 'https://198.18.0.12:2380', '--bump-revision', '1000000000', '--mark-compacted',
		]);
		expect(existsSync(join(restoreDir(v.dataDir), 'left-over'))).toBe(false);
		expect(existsSync(join(restoreDir(v.dataDir), 'member'))).toBe(true);
	});

	it('swap keeps the old data and puts the restored in place; run again it changes nothing; put back undoes it', () => {
		const v = values();
		mkdirSync(join(v.dataDir, 'member'), {recursive: true});
		writeFileSync(join(v.dataDir, 'member', 'old'), 'old');
		mkdirSync(join(restoreDir(v.dataDir), 'member'), {recursive: true});
		writeFileSync(join(restoreDir(v.dataDir), 'member', 'new'), 'new');
		sh(swapScript(v));
		expect(existsSync(join(v.dataDir, 'member', 'new'))).toBe(true);
		expect(existsSync(join(keptDir(v.dataDir, v.stamp), 'member', 'old'))).toBe(true);
		expect(existsSync(restoreDir(v.dataDir))).toBe(false);
		sh(swapScript(v));
		expect(existsSync(join(v.dataDir, 'member', 'new'))).toBe(true);
		expect(existsSync(join(keptDir(v.dataDir, v.stamp), 'member', 'old'))).toBe(true);
		sh(putBackScript(v));
		expect(existsSync(join(v.dataDir, 'member', 'old'))).toBe(true);
		expect(existsSync(join(`${v.dataDir}.failed-restore-${v.stamp}`, 'member', 'new'))).toBe(true);
		expect(existsSync(keptDir(v.dataDir, v.stamp))).toBe(false);
	});

	it('swap fails when no restored data is in place (never an empty member) and never overwrites a kept dir; discard removes the restored dir', () => {
		const v = values();
		expect(() => sh(swapScript(v))).toThrow();
		mkdirSync(join(v.dataDir, 'member'), {recursive: true});
		mkdirSync(join(restoreDir(v.dataDir), 'member'), {recursive: true});
		mkdirSync(join(keptDir(v.dataDir, v.stamp), 'member'), {recursive: true});
		writeFileSync(join(keptDir(v.dataDir, v.stamp), 'member', 'only-copy'), 'x');
		expect(() => sh(swapScript(v))).toThrow(/exists already/);
		expect(existsSync(join(keptDir(v.dataDir, v.stamp), 'member', 'only-copy'))).toBe(true);
		mkdirSync(join(restoreDir(v.dataDir), 'member'), {recursive: true});
		sh(discardScript(v));
		expect(existsSync(restoreDir(v.dataDir))).toBe(false);
	});

	it('the facts script says whether etcdutl and the data are there and the free space beside it', () => {
		const v = values();
		expect(parseRestoreFacts(sh(restoreFactsScript(v)))).toMatchObject({etcdutl: true, data: false, freeKb: expect.any(Number)});
		mkdirSync(join(v.dataDir, 'member'), {recursive: true});
		expect(parseRestoreFacts(sh(restoreFactsScript({...v, etcdutl: join(dir, 'none')})))).toMatchObject({etcdutl: false, data: true});
		// Read only: a data dir whose parent is not there is not made, and no free space is said.
		const absent = join(dir, 'absent', 'etcd');
		expect(parseRestoreFacts(sh(restoreFactsScript({...v, dataDir: absent})))).toEqual({etcdutl: true, data: false});
		expect(existsSync(join(dir, 'absent'))).toBe(false);
	});
});

describe('the mark of a restore under way', () => {
	let dir: string;
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	it('makes apply refuse while it is there, naming the restore to run again; none once it is cleared', () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-restore-journal-'));
		const again = (snapshot: string) => `etcd restore --snapshot ${snapshot}`;
		expect(restoreRefusal(openRestore(dir), again)).toBeUndefined();
		writeRestoreJournal(dir, {stamp: '20261207T120000Z', snapshot: '/s/etcd-rev9.db', startedAt: '2026-12-07T12:00:00Z'});
		const refusal = restoreRefusal(openRestore(dir), again);
		expect(refusal?.problem).toContain('an etcd restore begun at 2026-12-07T12:00:00Z did not finish');
		expect(refusal?.hint).toContain('`etcd restore --snapshot /s/etcd-rev9.db`');
		expect(refusal?.hint).toContain('<dataDir>.before-restore-20261207T120000Z');
		writeFileSync(join(dir, 'etcd', 'restore.json'), 'not json');
		expect(restoreRefusal(openRestore(dir), again)?.problem).toContain('cannot be read');
		clearRestoreJournal(dir);
		expect(openRestore(dir)).toBeUndefined();
	});
});

describe('the snapshot file', () => {
	let dir: string;
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	it('refuses a file whose sha256 at its end does not match, and one that is not there', () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-restore-file-'));
		const db = Buffer.alloc(8192, 7);
		const file = join(dir, 'etcd.db');
		writeFileSync(file, Buffer.concat([db, createHash('sha256').update(Buffer.from('other')).digest()]));
		expect(() => checkSnapshotFile(file)).toThrow(/the sha256 at its end does not match/);
		expect(() => checkSnapshotFile(join(dir, 'none.db'))).toThrow(/no such file/);
		// The sum right, but not a bolt database.
		writeFileSync(file, Buffer.concat([db, createHash('sha256').update(db).digest()]));
		expect(() => checkSnapshotFile(file)).toThrow(/not an etcd database/);
	});
});

/** A master as the phases see it: where its data is, which units run, what it was asked. */
class MemoryNode implements RestoreNode {
	data: 'old' | 'restored' | 'none' = 'old';
	kept = false;
	restoreBuilt = false;
	running = new Set<ManagedUnit>(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
	constructor(
		readonly name: string,
		private readonly log: string[],
		private readonly fail: Partial<Record<'prepare' | 'swap', boolean>> = {},
	) {}
	async facts(): Promise<RestoreFacts> {
		return {etcdutl: true, data: true, freeKb: 1e9};
	}
	async placeSnapshot() {
		this.log.push(`${this.name} place`);
	}
	async prepare() {
		if (this.fail.prepare) throw new Error('etcdutl: snapshot file has wrong sha256');
		this.restoreBuilt = true;
		this.log.push(`${this.name} prepare`);
	}
	async stop(units: readonly ManagedUnit[]) {
		for (const u of units) this.running.delete(u);
		this.log.push(`${this.name} stop ${units.join(',')}`);
	}
	async start(units: readonly ManagedUnit[]) {
		for (const u of units) this.running.add(u);
		this.log.push(`${this.name} start ${units.join(',')}`);
	}
	async swap() {
		if (this.running.has('etcd')) throw new Error('swap with etcd running');
		if (this.fail.swap) throw new Error('mv: cannot move');
		this.kept = true;
		this.data = 'restored';
		this.restoreBuilt = false;
	}
	async putBack() {
		if (this.kept) {
			this.data = 'old';
			this.kept = false;
		}
	}
	async discard() {
		this.restoreBuilt = false;
		this.log.push(`${this.name} discard`);
	}
	async journalTail() {
		return 'etcd: journal line';
	}
}

describe('the restore phases', () => {
	const clock = () => {
		let t = 0;
		return {now: () => t, sleep: async (ms: number) => void (t += ms)};
	};
	const timing = {etcdWithinMs: 5000, memberWithinMs: 3000, apiserverWithinMs: 5000, pollMs: 1000};

	/** Healthy when every member runs on the same data; `restoredServes: false` makes the restored members never agree. */
	function cluster(nodes: MemoryNode[], restoredServes = true) {
		return async (): Promise<EtcdClusterView> => {
			const serving = nodes.every((n) => n.running.has('etcd')) && new Set(nodes.map((n) => n.data)).size === 1 && (restoredServes || nodes[0]!.data === 'old');
			return {
				statuses: nodes.map((n, i) => (serving ? {name: n.name, ok: true as const, leader: '1', memberId: String(i + 1), raftIndex: 9, errors: []} : {name: n.name, ok: false as const, detail: 'connection refused'})),
				...(serving ? {members: nodes.map((n, i) => ({id: String(i + 1), name: n.name, peerUrls: [], isLearner: false}))} : {}),
			};
		};
	}

	function setup(options: {fail?: Record<string, Partial<Record<'prepare' | 'swap', boolean>>>; restoredServes?: boolean; apiserverReady?: boolean; schedulerHealthy?: boolean} = {}) {
		const log: string[] = [];
		const nodes = members.map((m) => new MemoryNode(m.name, log, options.fail?.[m.name]));
		const said: string[] = [];
		const input = {
			nodes,
			view: cluster(nodes, options.restoredServes ?? true),
			// A member serves once it runs: started in turn, the next waits for it.
			memberServes: async (name: string) => {
				log.push(`${name} serves?`);
				return nodes.find((n) => n.name === name)!.running.has('etcd');
			},
			healthy: async (name: string, service: ServiceName) => {
				const node = nodes.find((n) => n.name === name)!;
				if (options.apiserverReady === false && service === 'kube-apiserver') return 'HTTP 500';
				if (options.schedulerHealthy === false && service === 'kube-scheduler') return 'connection refused';
				return node.running.has(service) && node.running.has('etcd') && (service === 'kube-apiserver' || node.running.has('kube-apiserver')) ? (true as const) : 'connection refused';
			},
			say: (line: string) => said.push(line),
			journal: {begin: () => log.push('journal begin'), end: () => log.push('journal end')},
			timing,
			clock: clock(),
		};
		return {log, nodes, said, input};
	}

	it('builds every restored dir before anything stops, stops the control plane before etcd, starts the apiservers only once the members serve', async () => {
		const {log, nodes, said, input} = setup();
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'done', cluster: 'etcd: 3 members healthy, lab-m1 leads'});
		const at = (entry: string) => log.indexOf(entry);
		const lastPrepare = Math.max(...nodes.map((n) => at(`${n.name} prepare`)));
		const firstStop = Math.min(...nodes.map((n) => at(`${n.name} stop kube-apiserver,kube-controller-manager,kube-scheduler`)));
		expect(lastPrepare).toBeLessThan(firstStop);
		for (const n of nodes) {
			expect(at(`${n.name} stop kube-apiserver,kube-controller-manager,kube-scheduler`)).toBeLessThan(at(`${n.name} stop etcd`));
			expect(at(`${n.name} start etcd`)).toBeLessThan(at(`${n.name} start kube-apiserver`));
			expect(at(`${n.name} start kube-apiserver`)).toBeLessThan(at(`${n.name} start kube-controller-manager,kube-scheduler`));
			expect(n.data).toBe('restored');
			expect(n.kept).toBe(true);
		}
		expect(said).toContain('lab-m3: kube-apiserver ready');
		expect(said).toContain('lab-m3: kube-scheduler healthy');
		// The members one after another, each once the one before answered.
		expect(at('lab-m1 serves?')).toBeGreaterThan(at('lab-m1 start etcd'));
		expect(at('lab-m2 start etcd')).toBeGreaterThan(at('lab-m1 serves?'));
		expect(at('lab-m3 start etcd')).toBeGreaterThan(at('lab-m2 serves?'));
		// The mark of a restore under way: from before the first stop until the restored members serve.
		expect(at('journal begin')).toBeLessThan(firstStop);
		expect(at('journal begin')).toBeGreaterThan(lastPrepare);
		expect(at('journal end')).toBeGreaterThan(Math.max(...nodes.map((n) => at(`${n.name} start etcd`))));
		expect(at('journal end')).toBeLessThan(Math.min(...nodes.map((n) => at(`${n.name} start kube-apiserver`))));
	});

	it('a node whose etcdutl fails: the restored dirs go, nothing was stopped', async () => {
		const {log, nodes, input} = setup({fail: {'lab-m2': {prepare: true}}});
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'failed', phase: 'prepare', message: 'lab-m2: etcdutl: snapshot file has wrong sha256', undone: true});
		expect(log.some((l) => l.includes(' stop '))).toBe(false);
		expect(log).not.toContain('journal begin');
		for (const n of nodes) expect(n.restoreBuilt).toBe(false);
	});

	it('Ctrl-C while the restored data is built: stopped, the restored dirs go, nothing was stopped', async () => {
		const {log, nodes, input} = setup();
		const controller = new AbortController();
		nodes[0]!.prepare = async function () {
			controller.abort();
			this.restoreBuilt = true;
		};
		const outcome = await restoreEtcd({...input, signal: controller.signal});
		expect(outcome).toEqual({result: 'stopped'});
		expect(log.some((l) => l.includes(' stop '))).toBe(false);
		for (const n of nodes) expect(n.restoreBuilt).toBe(false);
	});

	it('a swap that fails on one master: every master back on its old data, the cluster started as it was', async () => {
		const {nodes, input} = setup({fail: {'lab-m3': {swap: true}}});
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'failed', phase: 'swap', message: 'lab-m3: mv: cannot move', undone: true});
		for (const n of nodes) {
			expect(n.data).toBe('old');
			expect([...n.running].sort()).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler']);
		}
	});

	it('restored members that never serve: the old data back, the old cluster gated and the control plane started', async () => {
		const {log, nodes, input} = setup({restoredServes: false});
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'failed', phase: 'etcd', undone: true, detail: 'etcd: journal line'});
		expect(outcome.result === 'failed' && outcome.message).toMatch(/^the restored members did not serve as one cluster within 5 s: lab-m1: connection refused/);
		for (const n of nodes) {
			expect(n.data).toBe('old');
			expect(n.running.has('kube-apiserver')).toBe(true);
		}
		// The control plane started once, after the old members served again, never on the restored data.
		expect(log.filter((l) => l.endsWith('start kube-apiserver'))).toEqual([]);
		expect(log.filter((l) => l.startsWith('journal'))).toEqual(['journal begin', 'journal end']);
	});

	it('apiservers that do not get ready: reported with the journal, not undone (etcd serves the restored data), the other services not started', async () => {
		const {nodes, input} = setup({apiserverReady: false});
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'failed', phase: 'control-plane', undone: 'not undone: etcd serves the restored data', detail: 'etcd: journal line'});
		for (const n of nodes) {
			expect(n.data).toBe('restored');
			expect(n.running.has('kube-controller-manager')).toBe(false);
		}
	});

	it('a scheduler that does not get healthy: the restore fails naming it, after every apiserver was ready', async () => {
		const {said, input} = setup({schedulerHealthy: false});
		const outcome = await restoreEtcd(input);
		expect(outcome).toMatchObject({result: 'failed', phase: 'control-plane'});
		expect(outcome.result === 'failed' && outcome.message).toMatch(/^lab-m1 kube-scheduler, lab-m2 kube-scheduler, lab-m3 kube-scheduler: not healthy within 5 s/);
		expect(said).toContain('lab-m2: kube-apiserver ready');
		expect(said).toContain('lab-m2: kube-controller-manager healthy');
	});

	it('the mark of a restore under way ends even when the apiservers do not get ready (apply may then help them)', async () => {
		const {log, input} = setup({apiserverReady: false});
		await restoreEtcd(input);
		expect(log.filter((l) => l.startsWith('journal'))).toEqual(['journal begin', 'journal end']);
	});

	it('checks every node before anything: a node that cannot be read is named with a fix', async () => {
		const {nodes} = setup();
		nodes[1]!.facts = async () => {
			throw new Error('connection lost');
		};
		nodes[2]!.facts = async () => ({etcdutl: false, data: true});
		const problems = await checkRestoreNodes(nodes, 1024, '/opt/k8s/bin/etcdutl');
		expect(problems.map((p) => p.problem)).toEqual(['lab-m2: connection lost', 'lab-m3: /opt/k8s/bin/etcdutl is not there: the restore runs etcd\'s etcdutl on each master']);
	});
});
