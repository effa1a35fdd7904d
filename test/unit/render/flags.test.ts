import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ProfileSchema, SUPPORTED_VERSIONS, type KubernetesMinor} from '../../../source/profile/schema.js';
import {type Component} from '../../../source/render/flags.js';
import {REMOVED_FEATURE_GATES, REMOVED_FLAGS, DROPPED_DEPRECATED_FLAGS} from '../../../source/profile/extra-args-rules.js';
import {targetPaths} from '../../../source/render/paths.js';
import {parseExecStartFlags, renderApiserverUnit, renderControllerManagerUnit, renderSchedulerUnit, systemdWord} from '../../../source/render/systemd-unit.js';
import {baseProfile, flagsDir} from './fixtures.js';

function units(version: KubernetesMinor, overrides = {}) {
	const profile = ProfileSchema.parse(baseProfile({kubernetesVersion: version, ...overrides}));
	const node = profile.nodes[1]!;
	const paths = targetPaths(profile);
	return {
		'kube-apiserver': renderApiserverUnit(profile, node, paths),
		'kube-controller-manager': renderControllerManagerUnit(profile, node, paths),
		'kube-scheduler': renderSchedulerUnit(profile, node, paths),
	} satisfies Record<Component, string>;
}

function referenceFlags(version: string, component: Component): Set<string> {
	const file = join(flagsDir, version, `${component}.txt`);
	// The reference lists live beside the repo (../shared); a missing list is a broken checkout, not a skip.
	if (!existsSync(file)) throw new Error(`flag reference ${file} is missing: clone shared/ beside the repository`);
	return new Set(readFileSync(file, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean));
}

const CHECKED: Array<[string, Component]> = [
	['1.31', 'kube-apiserver'],
	['1.35', 'kube-apiserver'],
	['1.31', 'kube-controller-manager'],
	['1.35', 'kube-controller-manager'],
	['1.35', 'kube-scheduler'],
	['1.36', 'kube-scheduler'],
];

describe('unit flags per version', () => {
	it.each(CHECKED)('%s %s: every rendered flag is one the release documents', (version, component) => {
		const known = referenceFlags(version, component);
		const flags = parseExecStartFlags(units(version as KubernetesMinor)[component]);
		expect(flags.length).toBeGreaterThan(5);
		const unknown = flags.map(([name]) => `--${name}`).filter((f) => !known.has(f));
		expect(unknown).toEqual([]);
	});

	it.each([...SUPPORTED_VERSIONS])('%s: no removed or dropped flag, no removed feature gate', (version) => {
		for (const [component, unit] of Object.entries(units(version))) {
			const names = parseExecStartFlags(unit).map(([n]) => n);
			for (const {flag} of REMOVED_FLAGS) expect(names, `${component} --${flag}`).not.toContain(flag);
			for (const flag of DROPPED_DEPRECATED_FLAGS) expect(names, `${component} --${flag}`).not.toContain(flag);
			for (const gate of REMOVED_FEATURE_GATES) expect(unit).not.toContain(gate);
			expect(unit).not.toMatch(/--(insecure-port|logtostderr|kubelet-https|audit-dynamic-configuration|experimental-cluster-signing-duration|pod-eviction-timeout)\b/);
		}
	});

	it('apiserver: service-account flags, secure serving on the node IP, etcd through its own cert', () => {
		const flags = new Map(parseExecStartFlags(units('1.37')['kube-apiserver']));
		expect(flags.get('service-account-issuer')).toBe('https://kubernetes.default.svc.cluster.local');
		expect(flags.get('service-account-signing-key-file')).toBe('/etc/kubernetes/cert/sa.key');
		expect(flags.get('service-account-key-file')).toBe('/etc/kubernetes/cert/sa.pub');
		expect(flags.get('bind-address')).toBe('198.18.0.12');
		expect(flags.get('advertise-address')).toBe('198.18.0.12');
		expect(flags.get('secure-port')).toBe('6443');
		expect(flags.get('etcd-certfile')).toBe('/etc/kubernetes/cert/kubernetes.pem');
		expect(flags.get('etcd-cafile')).toBe('/etc/kubernetes/cert/ca.pem');
		// master2 hosts the member at .12: its apiserver is given that one (etcd.apiserverEndpoints: local).
		expect(flags.get('etcd-servers')).toBe('https://198.18.0.12:2379');
		expect(flags.get('service-cluster-ip-range')).toBe('10.254.0.0/16');
	});

	it('apiserver: every etcd endpoint with apiserverEndpoints all, or on a node that hosts no member', () => {
		const all = 'https://198.18.0.11:2379,https://198.18.0.12:2379,https://198.18.0.13:2379';
		const etcdServers = (etcd: object) => new Map(parseExecStartFlags(units('1.37', {etcd})['kube-apiserver'])).get('etcd-servers');
		const endpoints = all.split(',');
		expect(etcdServers({endpoints, apiserverEndpoints: 'all'})).toBe(all);
		// External etcd: no endpoint on the node.
		expect(etcdServers({endpoints: ['https://10.0.0.5:2379', 'https://10.0.0.6:2379']})).toBe('https://10.0.0.5:2379,https://10.0.0.6:2379');
		// A member named by the node's name counts as its own.
		expect(etcdServers({endpoints: ['https://master1:2379', 'https://master2:2379', 'https://master3:2379']})).toBe('https://master2:2379');
	});

	it('apiserver: etcd client files from the profile replace the apiserver cert', () => {
		const flags = new Map(parseExecStartFlags(units('1.35', {etcd: {endpoints: ['https://198.18.0.11:2379'], caFile: '/x/etcd-ca.pem', certFile: '/x/c.pem', keyFile: '/x/k.pem'}})['kube-apiserver']));
		expect(flags.get('etcd-cafile')).toBe('/etc/kubernetes/cert/etcd-ca.pem');
		expect(flags.get('etcd-certfile')).toBe('/etc/kubernetes/cert/etcd-client.pem');
		expect(flags.get('etcd-keyfile')).toBe('/etc/kubernetes/cert/etcd-client-key.pem');
	});

	it('controller-manager signs tokens with the service-account key, not the CA key, and elects a leader', () => {
		const flags = new Map(parseExecStartFlags(units('1.35')['kube-controller-manager']));
		expect(flags.get('service-account-private-key-file')).toBe('/etc/kubernetes/cert/sa.key');
		expect(flags.get('cluster-signing-key-file')).toBe('/etc/kubernetes/cert/ca-key.pem');
		expect(flags.get('cluster-signing-duration')).toBe('876000h');
		expect(flags.get('leader-elect')).toBe('true');
		expect(flags.get('secure-port')).toBe('10257');
		expect(flags.get('bind-address')).toBe('198.18.0.12');
	});

	it('the three components trust request headers from the front-proxy CA only, client certificates from the cluster CA', () => {
		const u = units('1.37');
		for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) {
			const flags = new Map(parseExecStartFlags(u[component]));
			expect(flags.get('requestheader-client-ca-file'), component).toBe('/etc/kubernetes/cert/front-proxy-ca.pem');
			expect(flags.get('client-ca-file'), component).toBe('/etc/kubernetes/cert/ca.pem');
		}
		expect(new Map(parseExecStartFlags(u['kube-apiserver'])).get('requestheader-allowed-names')).toBe('aggregator');
		expect(new Map(parseExecStartFlags(u['kube-apiserver'])).get('proxy-client-cert-file')).toBe('/etc/kubernetes/cert/proxy-client.pem');
	});

	it('requestheader-uid-headers appears from 1.33 only', () => {
		expect(units('1.32')['kube-apiserver']).not.toContain('requestheader-uid-headers');
		expect(units('1.33')['kube-apiserver']).toContain('--requestheader-uid-headers=X-Remote-Uid');
	});

	it('units: Type=notify for the apiserver, restart policy, working directory under dataDir', () => {
		const u = units('1.35');
		expect(u['kube-apiserver']).toMatch(/^Type=notify$/m);
		expect(u['kube-controller-manager']).not.toMatch(/^Type=notify$/m);
		for (const unit of Object.values(u)) {
			expect(unit).toMatch(/^Restart=on-failure$/m);
			expect(unit).toMatch(/^RestartSec=\d+$/m);
			expect(unit).toMatch(/^LimitNOFILE=65536$/m);
			expect(unit).toMatch(/^After=network-online\.target/m);
			expect(unit).toMatch(/^WorkingDirectory=\/data\/k8s\/k8s\/kube-/m);
			expect(unit).not.toContain('{{');
		}
	});

	it('the apiserver serves the release\'s own API versions unless the profile asks for more', () => {
		// The guide's --runtime-config=api/all=true would turn on every alpha API on a production control plane.
		for (const version of SUPPORTED_VERSIONS) {
			expect(new Map(parseExecStartFlags(units(version)['kube-apiserver'])).has('runtime-config'), version).toBe(false);
		}
		const unit = units('1.37', {apiserver: {extraArgs: {'runtime-config': 'api/all=true'}}})['kube-apiserver'];
		expect(new Map(parseExecStartFlags(unit)).get('runtime-config')).toBe('api/all=true');
	});

	it('extraArgs override or extend the table, escaped for systemd', () => {
		const unit = units('1.35', {apiserver: {extraArgs: {'event-ttl': '24h', 'oidc-username-prefix': 'oidc: %u $HOME'}}})['kube-apiserver'];
		const flags = new Map(parseExecStartFlags(unit));
		expect(flags.get('event-ttl')).toBe('24h');
		expect(unit).toContain('"--oidc-username-prefix=oidc: %%u $$HOME"');
		expect(systemdWord('a"b')).toBe('"a\\"b"');
	});
});
