import {describe, expect, it} from 'vitest';
import {parseEtcdVersion} from '../../../source/etcd/etcd-version.js';
import {describeSupportedEtcd, judgeEtcdVersion} from '../../../source/etcd/supported-etcd.js';
import {SUPPORTED_VERSIONS} from '../../../source/profile/constants.js';

const v = (text: string) => parseEtcdVersion(`etcd Version: ${text}\nGit SHA: 1a2b3c4\nGo Version: go1.24.9\nGo OS/Arch: linux/amd64\n`);

describe('etcd --version', () => {
	it('reads the version and platform of etcd, etcdctl and etcdutl', () => {
		expect(v('3.6.5')).toEqual({major: 3, minor: 6, patch: 5, text: '3.6.5', osArch: 'linux/amd64'});
		expect(parseEtcdVersion('etcdctl version: 3.5.21\nAPI version: 3.5\n')).toEqual({major: 3, minor: 5, patch: 21, text: '3.5.21'});
		expect(parseEtcdVersion('etcdutl version: 3.6.0-rc.2\nAPI version: 3.6\n')?.text).toBe('3.6.0-rc.2');
		expect(parseEtcdVersion('Kubernetes v1.35.0')).toBeUndefined();
	});
});

describe('supported etcd', () => {
	it('every Kubernetes minor takes 3.5.15+ or 3.6.x, and 3.7.x from 1.34 (kubeadm 1.37 ships it and lists it for 1.34-1.36)', () => {
		for (const k of SUPPORTED_VERSIONS) {
			const with37 = Number(k.split('.')[1]) >= 34;
			expect(describeSupportedEtcd(k)).toBe(with37 ? '3.5.15+ or 3.6.x or 3.7.x' : '3.5.15+ or 3.6.x');
			expect(judgeEtcdVersion(v('3.5.15'), k, '/srv/etcd')).toBeUndefined();
			expect(judgeEtcdVersion(v('3.6.0'), k, '/srv/etcd')).toBeUndefined();
			expect(judgeEtcdVersion(v('3.7.3'), k, '/srv/etcd') === undefined).toBe(with37);
		}
	});

	it('refuses 3.4 and older, an old 3.5 patch and an unknown minor, naming etcd.binaries and the fix', () => {
		const old = judgeEtcdVersion(v('3.4.34'), '1.35', '/srv/etcd');
		expect(old?.problem).toMatch(/^etcd\.binaries: etcd 3\.4\.34 in \/srv\/etcd is not supported with Kubernetes 1\.35 \(3\.5\.15\+ or 3\.6\.x or 3\.7\.x\): .*end of life/);
		expect(old?.hint).toMatch(/point etcd\.binaries at an etcd-v3\.7\.x-linux-amd64\.tar\.gz/);
		expect(judgeEtcdVersion(v('3.5.14'), '1.31', '/srv/etcd')?.problem).toMatch(/needs 3\.5\.15\+ or 3\.6\.x/);
		expect(judgeEtcdVersion(v('3.7.0'), '1.33', '/srv/etcd')?.problem).toMatch(/knows etcd 3\.5\.15\+ or 3\.6\.x for Kubernetes 1\.33, not 3\.7/);
		expect(judgeEtcdVersion(v('3.8.0'), '1.37', '/srv/etcd')?.problem).toMatch(/knows etcd 3\.5\.15\+ or 3\.6\.x or 3\.7\.x .*not 3\.8/);
		expect(judgeEtcdVersion(v('3.6.0-rc.1'), '1.37', '/srv/etcd')?.problem).toMatch(/pre-release/);
		expect(judgeEtcdVersion(undefined, '1.37', '/srv/etcd')?.problem).toMatch(/did not print an etcd version/);
		expect(judgeEtcdVersion(parseEtcdVersion('etcd Version: 3.6.5\nGo OS/Arch: darwin/arm64\n'), '1.37', '/srv/etcd')?.problem).toMatch(/built for darwin\/arm64/);
	});
});
