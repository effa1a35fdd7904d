import {createHash} from 'node:crypto';
import {mkdtempSync, readdirSync, readFileSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import type {Server} from 'node:https';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {Profile} from '../../../source/profile/schema.js';
import {SnapshotFailedError, takeEtcdSnapshot, type EtcdClientCredentials} from '../../../source/snapshot/take.js';
import {closedPort, fakeEtcd, pkiFor} from './fake-etcd.js';
import {FIXTURE_REVISION, fixtureDatabase} from './gateway-stream.js';

// takeEtcdSnapshot against stand-ins for etcd's gateway on loopback (fake-etcd.ts).
const profileWith = (endpoints: string[]) => ({name: 'lab', etcd: {endpoints}}) as unknown as Profile;

describe('takeEtcdSnapshot', () => {
	const pki = pkiFor('etcd');
	const credentials: EtcdClientCredentials = {ca: pki.ca, ...pki.client, caSource: 'the cluster CA /x/ca.pem', certSource: 'the apiserver certificate /x/kubernetes.pem'};
	const servers: Server[] = [];
	let whole: string;
	let truncated: string;
	let refused: string;

	beforeAll(async () => {
		const a = await fakeEtcd(pki, 'whole');
		const b = await fakeEtcd(pki, 'truncated');
		servers.push(a.server, b.server);
		whole = a.url;
		truncated = b.url;
		refused = await closedPort();
	});
	afterAll(() => servers.forEach((s) => s.close()));

	it('tries the endpoints in order and keeps the first whole snapshot, 0600 in a 0700 directory, with its sidecar', async () => {
		const stateDir = mkdtempSync(join(tmpdir(), 'snapshot-take-'));
		const record = await takeEtcdSnapshot({profile: profileWith([refused, truncated, whole]), stateDir, credentials, now: () => new Date('2026-12-01T13:45:00Z')});
		const dir = join(stateDir, 'snapshots');
		expect(readdirSync(dir).sort()).toEqual(['etcd-20261201T134500Z-rev402.db', 'etcd-20261201T134500Z-rev402.json']);
		expect(statSync(dir).mode & 0o777).toBe(0o700);
		expect(statSync(record.path).mode & 0o777).toBe(0o600);
		expect(statSync(record.sidecarPath).mode & 0o777).toBe(0o600);
		const file = readFileSync(record.path);
		const db = fixtureDatabase();
		// The database and its sha256, as etcdctl snapshot save keeps it (etcdutl restore checks it).
		expect(file.equals(Buffer.concat([db, createHash('sha256').update(db).digest()]))).toBe(true);
		const sidecar = JSON.parse(readFileSync(record.sidecarPath, 'utf8'));
		expect(sidecar).toMatchObject({
			file: 'etcd-20261201T134500Z-rev402.db',
			sha256: createHash('sha256').update(file).digest('hex'),
			size: file.length,
			revision: FIXTURE_REVISION,
			etcdRelease: '3.6.16',
			endpoint: whole,
			clusterId: BigInt('324952591200643719').toString(16),
		});
	});

	it('fails with exit 1 naming every endpoint, its cause and its fix, and keeps nothing', async () => {
		const stateDir = mkdtempSync(join(tmpdir(), 'snapshot-take-'));
		const other = pkiFor('other');
		const stranger: EtcdClientCredentials = {ca: other.ca, ...other.client, caSource: 'etcd.caFile /other/ca.pem', certSource: 'etcd.certFile /other/client.pem'};
		const error = await takeEtcdSnapshot({profile: profileWith([refused, truncated]), stateDir, credentials}).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(SnapshotFailedError);
		const failed = error as SnapshotFailedError;
		expect(failed.exitCode).toBe(1);
		expect(failed.failures.map((f) => f.endpoint)).toEqual([refused, truncated]);
		expect(failed.message).toContain(`${refused}: ECONNREFUSED`);
		expect(failed.message).toMatch(new RegExp(`${truncated}: the stream ended inside a message, after \\d+ of 131072 bytes \\(truncated\\)`));
		expect(readdirSync(join(stateDir, 'snapshots'))).toEqual([]);
		const untrusted = (await takeEtcdSnapshot({profile: profileWith([whole]), stateDir, credentials: stranger}).catch((e: unknown) => e)) as SnapshotFailedError;
		expect(untrusted.failures[0]?.hint).toContain('not trusted by etcd.caFile /other/ca.pem');
		expect(readdirSync(join(stateDir, 'snapshots'))).toEqual([]);
	});
});
