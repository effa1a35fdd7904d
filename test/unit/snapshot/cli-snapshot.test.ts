import {readdirSync, writeFileSync} from 'node:fs';
import type {Server} from 'node:https';
import {join} from 'node:path';
import {execa} from 'execa';
import {stringify} from 'yaml';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {baseProfile, cliPath, ensureBuilt, workspace} from '../render/fixtures.js';
import {closedPort, fakeEtcd, pkiFor} from './fake-etcd.js';

// `k8s-master-setup snapshot` (the built CLI) against a stand-in for etcd's gateway on
// loopback: the exit codes, what it prints, and what it keeps.
const KEY = Buffer.alloc(32, 5).toString('base64');

describe('k8s-master-setup snapshot (built CLI)', () => {
	const pki = pkiFor('etcd');
	let server: Server;
	let endpoint: string;
	let refused: string;
	beforeAll(async () => {
		ensureBuilt();
		const fake = await fakeEtcd(pki, 'whole');
		server = fake.server;
		endpoint = fake.url;
		refused = await closedPort();
	}, 180_000);
	afterAll(() => server?.close());

	/** A workspace whose profile brings the etcd client files (no apply needed) and a kept encryption key. */
	function prepared(endpoints: string[]) {
		const ws = workspace();
		for (const [name, pem] of [['etcd-ca.pem', pki.ca], ['client.pem', pki.client.cert], ['client-key.pem', pki.client.key]] as const) writeFileSync(join(ws.dir, name), pem);
		const profile = baseProfile({etcd: {endpoints, caFile: join(ws.dir, 'etcd-ca.pem'), certFile: join(ws.dir, 'client.pem'), keyFile: join(ws.dir, 'client-key.pem')}} as never);
		writeFileSync(ws.file, stringify(profile));
		return ws;
	}
	const snapshot = (file: string, stateDir: string) => execa('node', [cliPath, 'snapshot', '--profile-file', file, '--state-dir', stateDir], {reject: false, all: true});

	it('takes the snapshot from the first endpoint that answers, exit 0, printing no secret', async () => {
		const ws = prepared([refused, endpoint]);
		const state = join(ws.dir, 'state');
		await execa('mkdir', ['-p', state]);
		writeFileSync(join(state, 'encryption-key'), `${KEY}\n`, {mode: 0o600});
		const run = await snapshot(ws.file, state);
		expect(run.exitCode, run.all).toBe(0);
		const files = readdirSync(join(state, 'snapshots'));
		expect(files.filter((f) => f.endsWith('-rev402.db'))).toHaveLength(1);
		expect(run.stdout).toContain(`etcd snapshot: ${join(state, 'snapshots', files.find((f) => f.endsWith('.db'))!)}`);
		expect(run.stdout).toContain(`from ${endpoint} (etcd 3.6.16)`);
		expect(run.stdout).toContain('encryption key(s): aescbc:key1');
		expect(run.all).not.toContain(KEY);
		expect(run.all).not.toContain('PRIVATE KEY');
	});

	it('exit 1 naming the endpoint and the fix when no endpoint gives one', async () => {
		const ws = prepared([refused]);
		const run = await snapshot(ws.file, join(ws.dir, 'state'));
		expect(run.exitCode, run.all).toBe(1);
		expect(run.stderr).toContain(`${refused}: ECONNREFUSED`);
		expect(run.stderr).toContain('check that etcd runs on that host');
	});

	it('exit 2 for invalid input: no profile, or no etcd client certificate yet', async () => {
		const none = await execa('node', [cliPath, 'snapshot'], {reject: false, all: true});
		expect(none.exitCode, none.all).toBe(2);
		expect(none.stderr).toContain('no profile given');
		const ws = workspace(baseProfile({etcd: {endpoints: [endpoint]}} as never));
		const fresh = await snapshot(ws.file, ws.stateDir);
		expect(fresh.exitCode, fresh.all).toBe(2);
		expect(fresh.stderr).toContain(`${join(ws.stateDir, 'ca.pem')} does not exist`);
		expect(fresh.stderr).toContain('run `k8s-master-setup apply` for the profile first');
	});
});
