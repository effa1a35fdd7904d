import {mkdtempSync, readFileSync, rmSync, statSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, canRunLab, cli, e2eWork, get, labScript, labWithCluster, sha256File, type AdminCreds} from './apply-support.js';
import {labPaths} from './lab.js';

/**
 * `snapshot` on the lab: an etcd snapshot through etcd's own API from the lab's converged
 * cluster, checked with etcd's own offline tool (etcdutl, built with etcd): it reads the
 * file, reports the revision the sidecar recorded and the size of the database in it, and
 * restores it (which checks etcd's sha256 at the end of the file).
 */
const skip = cannotRun('e2e snapshot', canRunLab());

interface Sidecar {
	file: string;
	sha256: string;
	size: number;
	revision: number;
	takenAt: string;
	etcdRelease: string;
	endpoint: string;
	encryptionKeys: Array<{provider: string; name: string}>;
}

describe.skipIf(skip)('an etcd snapshot of the lab', () => {
	let env: Record<string, string>;
	let admin: AdminCreds;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');

	beforeAll(async () => {
		env = await labWithCluster(profilePath, stateDir);
		admin = adminCreds(join(stateDir, 'admin.kubeconfig'));
	});

	it('is a file etcdutl reads, with the recorded revision, sha256 and size, and restores', async () => {
		// A Secret, so the snapshot holds one encrypted with the key the sidecar names.
		const ip = (env.LAB_NODES ?? '').match(/lab-m1=(\S+)/)?.[1];
		const secret = {apiVersion: 'v1', kind: 'Secret', metadata: {name: 'e2e-snapshot-secret'}, stringData: {password: 'hunter2'}};
		const created = await get(`https://${ip}:6443/api/v1/namespaces/default/secrets`, admin, {method: 'POST', body: JSON.stringify(secret)});
		expect([201, 409], created.body).toContain(created.status);
		const stored = await execa('bash', [labScript, 'etcdctl', 'get', '/registry/secrets/default/e2e-snapshot-secret', '--print-value-only'], {encoding: 'buffer'});
		const prefix = /^k8s:enc:(\w+):v1:([^:]+):/.exec(Buffer.from(stored.stdout).toString('latin1'));

		const run = await execa('node', [cli, 'snapshot', '--profile-file', profilePath, '--state-dir', stateDir], {reject: false, all: true});
		expect(run.exitCode, run.all).toBe(0);
		const path = /^etcd snapshot: (\S+)$/m.exec(run.stdout)?.[1] ?? '';
		const sidecar = JSON.parse(readFileSync(path.replace(/\.db$/, '.json'), 'utf8')) as Sidecar;
		console.log(`snapshot: ${sidecar.file}, ${sidecar.size} bytes from ${sidecar.endpoint}`);
		expect(path).toBe(join(stateDir, 'snapshots', sidecar.file));
		expect(sidecar.file).toMatch(new RegExp(`^etcd-\\d{8}T\\d{6}Z-rev${sidecar.revision}\\.db$`));
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(statSync(dirname(path)).mode & 0o777).toBe(0o700);
		expect(sidecar.endpoint).toBe(`https://${ip}:2379`);
		expect(sidecar.etcdRelease).toBe('3.6.16');
		expect(sidecar.sha256).toBe(sha256File(path));
		expect(sidecar.size).toBe(statSync(path).size);
		// The key the stored Secret names is among those the sidecar says its Secrets need.
		expect(prefix, 'the Secret is stored encrypted').not.toBeNull();
		expect(sidecar.encryptionKeys).toContainEqual({provider: prefix?.[1], name: prefix?.[2]});
		expect(run.all).not.toContain(readFileSync(join(stateDir, 'encryption-key'), 'utf8').trim());

		const status = await execa(labPaths.etcdutl, ['snapshot', 'status', path, '-w', 'json']);
		const reported = JSON.parse(status.stdout) as {revision: number; totalKey: number; totalSize: number; version: string};
		console.log(`etcdutl snapshot status: ${status.stdout}`);
		expect(reported.revision).toBe(sidecar.revision);
		// The file is the database and etcd's 32-byte sha256 of it, as etcdctl snapshot save keeps it.
		expect(reported.totalSize).toBe(sidecar.size - 32);
		expect(reported.totalKey).toBeGreaterThan(100);

		// Restore checks that sha256 (no --skip-hash-check): the file is whole.
		const work = mkdtempSync(join(tmpdir(), 'snapshot-restore-'));
		try {
			const restored = await execa(labPaths.etcdutl, ['snapshot', 'restore', path, '--data-dir', join(work, 'data')], {reject: false, all: true});
			expect(restored.exitCode, restored.all).toBe(0);
		} finally {
			rmSync(work, {recursive: true, force: true});
		}
	});
});
