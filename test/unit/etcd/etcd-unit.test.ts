import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {stackedMembers} from '../../../source/etcd/members.js';
import {etcdFlags, type EtcdFlagContext} from '../../../source/etcd/etcd-flags.js';
import {targetPaths} from '../../../source/render/paths.js';
import {parseExecStartFlags, renderApiserverUnit, renderEtcdUnit} from '../../../source/render/systemd-unit.js';
import type {Profile, StackedEtcd} from '../../../source/profile/schema.js';
import {cannotRun} from '../../require-or-skip.js';
import {tempDir} from '../render/fixtures.js';
import {stackedProfile} from './fixtures.js';

function context(profile: Profile, overrides: Partial<EtcdFlagContext> = {}): EtcdFlagContext {
	return {
		etcd: profile.etcd as StackedEtcd,
		clusterToken: profile.name,
		node: profile.nodes[1]!,
		paths: targetPaths(profile),
		initialMembers: stackedMembers(profile.nodes),
		clusterState: 'new',
		etcdMinor: '3.6',
		...overrides,
	};
}

function unit(profile: Profile, overrides: Partial<EtcdFlagContext> = {}): string {
	return renderEtcdUnit({...context(profile, overrides), kubernetesVersion: profile.kubernetesVersion, etcdVersion: '3.6.5'});
}

describe('etcd member unit', () => {
	it('listens on the node IP and loopback, advertises the node IP, lists every member, trusts only the etcd CA', () => {
		const flags = new Map(parseExecStartFlags(unit(stackedProfile())));
		expect(Object.fromEntries(flags)).toEqual({
			name: 'master2',
			'data-dir': '/var/lib/etcd',
			'listen-client-urls': 'https://198.18.0.12:2379,https://127.0.0.1:2379',
			'advertise-client-urls': 'https://198.18.0.12:2379',
			'listen-peer-urls': 'https://198.18.0.12:2380',
			'initial-advertise-peer-urls': 'https://198.18.0.12:2380',
			'initial-cluster': 'master1=https://198.18.0.11:2380,master2=https://198.18.0.12:2380,master3=https://198.18.0.13:2380',
			'initial-cluster-state': 'new',
			'initial-cluster-token': 'lab',
			'client-cert-auth': 'true',
			'cert-file': '/etc/kubernetes/cert/etcd/server.pem',
			'key-file': '/etc/kubernetes/cert/etcd/server-key.pem',
			'trusted-ca-file': '/etc/kubernetes/cert/etcd/ca.pem',
			'peer-client-cert-auth': 'true',
			'peer-cert-file': '/etc/kubernetes/cert/etcd/peer.pem',
			'peer-key-file': '/etc/kubernetes/cert/etcd/peer-key.pem',
			'peer-trusted-ca-file': '/etc/kubernetes/cert/etcd/ca.pem',
			'auto-compaction-mode': 'periodic',
			'auto-compaction-retention': '1h',
			'quota-backend-bytes': '8589934592',
			'listen-metrics-urls': 'http://127.0.0.1:2381',
			'feature-gates': 'InitialCorruptCheck=true',
			'watch-progress-notify-interval': '5s',
		});
		const text = unit(stackedProfile());
		expect(text).toMatch(/^ExecStart=\/opt\/k8s\/bin\/etcd \\\n {2}--name=master2 \\\n/m);
		expect(text).toMatch(/^Type=notify$/m);
		expect(text).toMatch(/^Restart=on-failure$/m);
		expect(text).toMatch(/^LimitNOFILE=65536$/m);
		expect(text).toMatch(/^WorkingDirectory=\/var\/lib\/etcd$/m);
	});

	it('3.5 gets the experimental names of the same two settings', () => {
		const names = etcdFlags(context(stackedProfile(), {etcdMinor: '3.5'})).map(([n]) => n);
		expect(names).toContain('experimental-initial-corrupt-check');
		expect(names).toContain('experimental-watch-progress-notify-interval');
		expect(names).not.toContain('feature-gates');
		expect(names).not.toContain('watch-progress-notify-interval');
	});

	it('a member joining later: state existing and the members it was added with', () => {
		const profile = stackedProfile();
		const flags = new Map(etcdFlags(context(profile, {clusterState: 'existing', initialMembers: stackedMembers(profile.nodes.slice(0, 2))})));
		expect(flags.get('initial-cluster-state')).toBe('existing');
		expect(flags.get('initial-cluster')).toBe('master1=https://198.18.0.11:2380,master2=https://198.18.0.12:2380');
	});

	it('escapes what systemd expands in a value (a profile name with "%", a retention of hours)', () => {
		const profile = stackedProfile({autoCompactionRetention: '2'});
		const text = unit(profile, {clusterToken: '100%$x'});
		expect(text).toContain('--initial-cluster-token=100%%$$x');
		expect(text).toContain('--auto-compaction-retention=2 ');
	});

	it.skipIf(cannotRun('systemd-analyze verify', spawnSync('systemd-analyze', ['--version']).status === 0 ? undefined : 'systemd-analyze is not installed'))('passes systemd-analyze verify', () => {
		const dir = tempDir('etcd-unit-');
		const binDir = join(dir, 'bin');
		mkdirSync(binDir);
		writeFileSync(join(binDir, 'etcd'), '#!/bin/sh\n');
		chmodSync(join(binDir, 'etcd'), 0o755);
		const profile = stackedProfile({}, {paths: {binDir}});
		const file = join(dir, 'etcd.service');
		writeFileSync(file, unit(profile));
		const result = spawnSync('systemd-analyze', ['verify', '--man=no', file], {encoding: 'utf8'});
		const problems = `${result.stdout}${result.stderr}`.split('\n').filter((l) => l.includes('etcd.service'));
		expect(problems).toEqual([]);
		expect(result.status).toBe(0);
	});
});

describe('the apiserver of a stacked etcd', () => {
	const flags = (profile: Profile, at = 1) => new Map(parseExecStartFlags(renderApiserverUnit(profile, profile.nodes[at]!, targetPaths(profile))));

	it('trusts the etcd CA and presents the apiserver-etcd-client certificate', () => {
		const f = flags(stackedProfile());
		expect(f.get('etcd-cafile')).toBe('/etc/kubernetes/cert/etcd/ca.pem');
		expect(f.get('etcd-certfile')).toBe('/etc/kubernetes/cert/apiserver-etcd-client.pem');
		expect(f.get('etcd-keyfile')).toBe('/etc/kubernetes/cert/apiserver-etcd-client-key.pem');
	});

	it('lists its own member first, then the others; with apiserverEndpoints local, its own only', () => {
		expect(flags(stackedProfile()).get('etcd-servers')).toBe('https://198.18.0.12:2379,https://198.18.0.11:2379,https://198.18.0.13:2379');
		expect(flags(stackedProfile(), 2).get('etcd-servers')).toBe('https://198.18.0.13:2379,https://198.18.0.11:2379,https://198.18.0.12:2379');
		expect(flags(stackedProfile({apiserverEndpoints: 'local'})).get('etcd-servers')).toBe('https://198.18.0.12:2379');
	});
});
