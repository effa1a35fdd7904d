import {execFileSync} from 'node:child_process';
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {locateEtcdBinaries, pickEtcdFiles, readEtcdVersion} from '../../../source/etcd/etcd-binaries.js';
import {tempDir} from '../render/fixtures.js';

function fakeEtcd(dir: string, names = ['etcd', 'etcdctl', 'etcdutl'], version = '3.6.5'): void {
	mkdirSync(dir, {recursive: true});
	for (const name of names) {
		writeFileSync(join(dir, name), `#!/bin/sh\necho "${name === 'etcd' ? 'etcd Version' : `${name} version`}: ${version}"\necho "Go OS/Arch: linux/amd64"\n`);
		chmodSync(join(dir, name), 0o755);
	}
	writeFileSync(join(dir, 'README.md'), 'etcd\n');
}

describe('pickEtcdFiles', () => {
	it('takes etcd, etcdctl and etcdutl from the release tarball\'s top directory', () => {
		const listing = ['etcd-v3.6.5-linux-amd64/', 'etcd-v3.6.5-linux-amd64/README.md', 'etcd-v3.6.5-linux-amd64/etcdctl', 'etcd-v3.6.5-linux-amd64/Documentation/etcd', 'etcd-v3.6.5-linux-amd64/etcd', 'etcd-v3.6.5-linux-amd64/etcdutl'];
		expect(pickEtcdFiles(listing)).toEqual({dir: 'etcd-v3.6.5-linux-amd64', names: ['etcd', 'etcdctl', 'etcdutl']});
		expect(pickEtcdFiles(['./etcd', './etcdctl'])).toEqual({dir: '', names: ['etcd', 'etcdctl']});
	});

	it('refuses a listing without etcd, or with two', () => {
		expect(pickEtcdFiles(['kubernetes/server/bin/kube-apiserver'])).toMatchObject({problem: expect.stringMatching(/holds no etcd binary/)});
		expect(pickEtcdFiles(['a/etcd', 'b/etcd'])).toMatchObject({problem: 'holds more than one etcd (a/etcd, b/etcd)'});
	});
});

describe('locateEtcdBinaries', () => {
	it('extracts the three from a release tarball once, and reads the version', async () => {
		const work = tempDir('etcd-bin-');
		fakeEtcd(join(work, 'etcd-v3.6.5-linux-amd64'));
		const tarball = join(work, 'etcd-v3.6.5-linux-amd64.tar.gz');
		execFileSync('tar', ['-czf', tarball, '-C', work, 'etcd-v3.6.5-linux-amd64']);
		const dirs = {into: join(work, 'cache')};
		const {files} = locateEtcdBinaries(tarball, dirs);
		expect(Object.keys(files)).toEqual(['etcd', 'etcdctl', 'etcdutl']);
		expect(files.etcd.startsWith(join(work, 'cache'))).toBe(true);
		expect(readFileSync(files.etcdctl!, 'utf8')).toContain('etcdctl version');
		expect(locateEtcdBinaries(tarball, dirs).files).toEqual(files);
		expect((await readEtcdVersion(files.etcd))?.text).toBe('3.6.5');
	});

	it('takes a directory as it is, etcdutl only when present', () => {
		const dir = join(tempDir('etcd-bin-'), 'bin');
		fakeEtcd(dir, ['etcd', 'etcdctl'], '3.5.21');
		expect(locateEtcdBinaries(dir, {}).files).toEqual({etcd: join(dir, 'etcd'), etcdctl: join(dir, 'etcdctl')});
	});

	it('names etcd.binaries when the source is missing or holds no etcd', () => {
		const dir = tempDir('etcd-bin-');
		expect(() => locateEtcdBinaries(join(dir, 'nope'), {})).toThrow(/^etcd\.binaries: .* does not exist/);
		expect(() => locateEtcdBinaries(dir, {})).toThrow(/^etcd\.binaries: .* holds no etcd binary/);
	});
});
