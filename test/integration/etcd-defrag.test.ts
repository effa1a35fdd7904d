// `etcd defrag` against a real three-member etcd on loopback (127.0.0.11-13, free ports), with
// TLS from the project's own PKI (ensurePki of a stacked profile: the etcd CA, each member's
// server and peer certificates, the tool's client certificate), read back from the state
// directory as the command does (etcdClientCredentials) and used through the real HTTPS code
// (httpsDefragCluster over httpsEtcdProbe and etcd-https.ts). Free pages are made first: a few
// MB written, deleted and compacted; a NOSPACE alarm is raised by hand, as a full database
// would. Then a dry run (nothing shrinks), then the run with --disarm-nospace.
import {spawn, type ChildProcess} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync} from 'node:fs';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {judgeEtcdCluster, leaderOf, type EtcdClusterView} from '../../source/etcd/cluster-gate.js';
import {httpsEtcdProbe} from '../../source/etcd/https-etcd-probe.js';
import type {EtcdMember} from '../../source/etcd/members.js';
import {ensurePki} from '../../source/pki/ensure.js';
import {etcdPeerStem, etcdServerStem} from '../../source/pki/etcd-specs.js';
import type {Profile} from '../../source/profile/schema.js';
import {defragEtcd, httpsDefragCluster} from '../../source/run/etcd-defrag/defrag.js';
import {outcomeReport, type DefragOutcome} from '../../source/run/etcd-defrag/defrag-plan.js';
import {etcdAgent, etcdPostJson, type EtcdClientCredentials} from '../../source/snapshot/etcd-https.js';
import {etcdClientCredentials} from '../../source/snapshot/take.js';
import {StateDir} from '../../source/state/state-dir.js';
import {cannotRun} from '../require-or-skip.js';
import {stackedProfile} from '../unit/etcd/fixtures.js';

const RELEASE_DIR = '/var/cache/k8s-master-setup/etcd/v3.6.16';
const ETCD = join(RELEASE_DIR, 'etcd');
const missing = existsSync(join(RELEASE_DIR, '.complete')) && existsSync(ETCD) ? undefined : `no etcd at ${ETCD} (scripts/build-etcd.sh 3.6.16 builds it; ${RELEASE_DIR}/.complete marks it whole)`;

const KEYS = 320;
const VALUE_BYTES = 16 * 1024;
const MiB = 1024 * 1024;

/** A port nothing listens on at `host` (bound, then released). */
async function freePort(host: string): Promise<number> {
	const server = createServer();
	await new Promise<void>((resolve) => server.listen(0, host, resolve));
	const {port} = server.address() as {port: number};
	await new Promise<void>((resolve) => server.close(() => resolve()));
	return port;
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

describe.skipIf(cannotRun('etcd defrag (real etcd)', missing))('etcd defrag against a real three-member etcd', () => {
	let dir: string;
	let profile: Profile;
	let members: EtcdMember[];
	let credentials: EtcdClientCredentials;
	const processes: ChildProcess[] = [];
	const names = () => profile.nodes.map((n) => n.name);

	/** Each member's log, for a failure's message. */
	const logs = () => members.map((m) => `--- ${m.name}\n${readFileSync(join(dir, `${m.name}.log`), 'utf8').split('\n').slice(-15).join('\n')}`).join('\n');

	async function view(): Promise<EtcdClusterView> {
		const probe = httpsEtcdProbe(members, credentials);
		try {
			return await probe.view();
		} finally {
			probe.close();
		}
	}

	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-etcd-defrag-'));
		// The schema refuses loopback node IPs (other masters could not reach them): parsed
		// with the fixtures' IPs, then moved to loopback for the certificates and the members.
		const parsed = stackedProfile();
		profile = {...parsed, nodes: parsed.nodes.map((n, i) => ({...n, name: `lab-m${i + 1}`, ip: `127.0.0.${11 + i}`}))};
		const stateDir = join(dir, 'state');
		await ensurePki(profile, StateDir.open(stateDir));
		credentials = etcdClientCredentials(profile, stateDir);
		members = await Promise.all(
			profile.nodes.map(async (n) => ({name: n.name, ip: n.ip, clientUrl: `https://${n.ip}:${await freePort(n.ip)}`, peerUrl: `https://${n.ip}:${await freePort(n.ip)}`})),
		);
		const state = (stem: string) => join(stateDir, stem);
		for (const m of members) {
			const log = openSync(join(dir, `${m.name}.log`), 'w');
			const flags = {
				name: m.name,
				'data-dir': join(dir, m.name),
				'listen-client-urls': m.clientUrl,
				'advertise-client-urls': m.clientUrl,
				'listen-peer-urls': m.peerUrl,
				'initial-advertise-peer-urls': m.peerUrl,
				'initial-cluster': members.map((x) => `${x.name}=${x.peerUrl}`).join(','),
				'initial-cluster-state': 'new',
				'initial-cluster-token': `defrag-test-${process.pid}`,
				'client-cert-auth': 'true',
				'cert-file': state(`${etcdServerStem(m.name)}.pem`),
				'key-file': state(`${etcdServerStem(m.name)}-key.pem`),
				'trusted-ca-file': state('etcd/ca.pem'),
				'peer-client-cert-auth': 'true',
				'peer-cert-file': state(`${etcdPeerStem(m.name)}.pem`),
				'peer-key-file': state(`${etcdPeerStem(m.name)}-key.pem`),
				'peer-trusted-ca-file': state('etcd/ca.pem'),
				// On loopback a member dials its peers from 127.0.0.1, not from its own address, so
				// the peer certificate (issued for the member's IP) would not match its source.
				'peer-skip-client-san-verification': 'true',
				// A test's data need not survive a power cut: no fsync keeps the writes quick.
				'unsafe-no-fsync': 'true',
				'log-level': 'warn',
			};
			processes.push(spawn(ETCD, Object.entries(flags).map(([k, v]) => `--${k}=${v}`), {stdio: ['ignore', log, log]}));
			closeSync(log);
		}
		const started = Date.now();
		for (let problem = judgeEtcdCluster(await view(), names()); problem !== undefined; problem = judgeEtcdCluster(await view(), names())) {
			if (Date.now() - started > 30_000) throw new Error(`the test etcd did not come up within 30 s: ${problem}\n${logs()}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		// Free pages: KEYS values written, then deleted and compacted away (physically).
		const agent = etcdAgent(credentials);
		const post = (path: string, body: object) => etcdPostJson(members[0]!.clientUrl, path, {agent, credentials, idleTimeoutMs: 10_000, body: JSON.stringify(body)});
		try {
			for (let i = 0; i < KEYS; i += 32) {
				await Promise.all(Array.from({length: 32}, (_, j) => post('/v3/kv/put', {key: b64(`/defrag/${i + j}`), value: randomBytes(VALUE_BYTES).toString('base64')})));
			}
			const deleted = (await post('/v3/kv/deleterange', {key: b64('/defrag/'), range_end: b64('/defrag0')})) as {header: {revision: string}; deleted: string};
			expect(Number(deleted.deleted)).toBe(KEYS);
			await post('/v3/kv/compaction', {revision: deleted.header.revision, physical: true});
			// `physical` waits on the member asked alone; the others apply the compaction on their own
			// time, and bbolt hands freed pages back only at a later write transaction: a small put each
			// round until every member counts them free (before the alarm, which refuses puts).
			const freed = async (m: EtcdMember) => {
				const status = (await etcdPostJson(m.clientUrl, '/v3/maintenance/status', {agent, credentials, idleTimeoutMs: 10_000, body: '{}'})) as {dbSize: string; dbSizeInUse: string};
				return Number(status.dbSizeInUse) < Number(status.dbSize) / 4;
			};
			for (const waitStarted = Date.now(); !(await Promise.all(members.map(freed))).every(Boolean); ) {
				if (Date.now() - waitStarted > 20_000) throw new Error(`the compaction did not free the pages on every member within 20 s\n${logs()}`);
				await post('/v3/kv/put', {key: b64('/defrag-tick'), value: b64(String(Date.now()))});
				await new Promise((resolve) => setTimeout(resolve, 200));
			}
			// What a database at its quota does: the alarm raised for one member (by its id).
			const m2 = (await view()).statuses.find((s) => s.name === 'lab-m2');
			await post('/v3/maintenance/alarm', {action: 'ACTIVATE', memberID: m2?.ok ? m2.memberId : '', alarm: 'NOSPACE'});
		} finally {
			agent.destroy();
		}
	}, 90_000);

	afterAll(async () => {
		await Promise.all(
			processes.map(
				(p) =>
					new Promise<void>((resolve) => {
						if (p.exitCode !== null || p.signalCode !== null) return resolve();
						p.once('exit', () => resolve());
						p.kill('SIGTERM');
					}),
			),
		);
		if (dir) rmSync(dir, {recursive: true, force: true});
	});

	it('the dry run prints the order, followers then the leader, with sizes; nothing shrinks', async () => {
		const before = await view();
		const cluster = httpsDefragCluster(members, credentials);
		try {
			const outcome = await defragEtcd({cluster, expected: names(), say: () => undefined, dryRun: true, disarmNospace: true});
			expect(outcome.result).toBe('planned');
			if (outcome.result !== 'planned') return;
			expect(outcome.order.at(-1)).toMatchObject({name: leaderOf(before)!.name, role: 'leader'});
			expect(outcome.nospace).toEqual(['lab-m2']);
			for (const m of outcome.order) {
				expect(m.dbSizeBytes, m.name).toBeGreaterThan((KEYS * VALUE_BYTES) / 2);
				expect(m.dbSizeInUseBytes, m.name).toBeLessThan(m.dbSizeBytes! / 4);
			}
			console.log(outcomeReport(outcome, 'k8s-master-setup etcd defrag').lines.join('\n'));
		} finally {
			cluster.close();
		}
		const sizes = (v: EtcdClusterView) => v.statuses.map((s) => (s.ok ? s.dbSizeBytes : undefined));
		expect(sizes(await view())).toEqual(sizes(before));
	});

	it('defragments every member, the leader last, each database shrinks; NOSPACE disarmed after the last; the cluster healthy after', async () => {
		const before = await view();
		// The plain gate refuses a NOSPACE cluster; defrag's does not (that is what it is for).
		expect(judgeEtcdCluster(before, names())).toMatch(/NOSPACE/);
		const leader = leaderOf(before)!.name;
		const lines: string[] = [];
		const cluster = httpsDefragCluster(members, credentials);
		let outcome: DefragOutcome;
		const started = performance.now();
		try {
			outcome = await defragEtcd({cluster, expected: names(), say: (line) => lines.push(line), disarmNospace: true});
		} finally {
			cluster.close();
		}
		console.log(`${lines.join('\n')}\n${outcomeReport(outcome, 'k8s-master-setup etcd defrag').lines.join('\n')}\n(${Math.round(performance.now() - started)} ms in all)`);
		expect(outcome, logs()).toMatchObject({result: 'done', nospace: ['lab-m2'], disarmed: true});
		if (outcome.result !== 'done') return;
		expect(outcome.done.map((d) => d.name).sort()).toEqual(names());
		expect(outcome.done.at(-1)!.name).toBe(leader);
		expect(lines.slice(1)).toEqual(outcome.done.map((d) => expect.stringMatching(new RegExp(`^${d.name}: defragmented, db \\d+\\.\\d MiB → \\d+\\.\\d (KiB|MiB) \\(\\d+\\.\\d s\\)$`))));
		const after = await view();
		expect(judgeEtcdCluster(after, names())).toBeUndefined();
		for (const d of outcome.done) {
			const was = before.statuses.find((s) => s.name === d.name);
			const now = after.statuses.find((s) => s.name === d.name);
			expect(d.beforeBytes).toBe(was?.ok ? was.dbSizeBytes : undefined);
			expect(now?.ok && now.dbSizeBytes, d.name).toBeLessThan(d.beforeBytes! / 4);
		}
	});
});
