// `reset`: which nodes, when it is refused, and its script run in a real sh against a
// directory tree laid out as a node's (the profile's paths under a temporary root), with a
// stand-in systemctl that records what it was asked.
import {execFileSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ProfileSchema, type ProfileNode} from '../../source/profile/schema.js';
import {judgeReset, placedPaths, resetScript, resetTargets} from '../../source/run/reset/reset-plan.js';
import {tempDir} from './render/fixtures.js';

const profile = (root = '') =>
	ProfileSchema.parse({
		name: 'p',
		kubernetesVersion: '1.37',
		binaries: '/tmp/bin',
		nodes: [
			{name: 'm1', ip: '198.18.0.11'},
			{name: 'm2', ip: '198.18.0.12'},
		],
		etcd: {endpoints: ['https://198.18.0.11:2379']},
		...(root ? {paths: {binDir: `${root}/opt/k8s/bin`, certDir: `${root}/etc/kubernetes/cert`, configDir: `${root}/etc/kubernetes`, unitDir: `${root}/etc/systemd/system`, dataDir: `${root}/data/k8s`}} : {}),
	});
const gone = {name: 'm9', ip: '198.18.0.19'} as ProfileNode;

describe('reset targets and refusals', () => {
	it('every profile node by default, or the named ones (a departed node included); an unknown name is refused', () => {
		expect((resetTargets(profile(), [gone], undefined) as Array<{node: ProfileNode}>).map((t) => t.node.name)).toEqual(['m1', 'm2']);
		expect(resetTargets(profile(), [gone], ['m9', 'm9'])).toEqual([{node: gone, departed: true}]);
		expect(resetTargets(profile(), [gone], ['m7'])).toEqual({problem: '--node: "m7" is not a node of profile "p" nor one this state directory installed', hint: 'name one of: m1, m2, m9'});
	});
	it('refuses to leave no serving master, unless the whole cluster is reset', () => {
		const p = profile();
		const m1 = [{node: p.nodes[0]!, departed: false}];
		expect(judgeReset(p, m1, new Map([['m2', true]]))).toBeUndefined();
		expect(judgeReset(p, m1, new Map([['m2', false]]))?.problem).toBe("resetting m1 would leave no serving master: m2's kube-apiserver is not ready");
		expect(judgeReset(p, p.nodes.map((node) => ({node, departed: false})), new Map())).toBeUndefined();
		// A departed node alone: the profile's masters must still serve.
		expect(judgeReset(p, [{node: gone, departed: true}], new Map())?.problem).toMatch(/^resetting m9 would leave no serving master/);
	});
	it('binaries only with --purge', () => {
		expect(placedPaths(profile(), false).files).not.toContain('/opt/k8s/bin/kube-apiserver');
		expect(placedPaths(profile(), true).files).toContain('/opt/k8s/bin/kube-apiserver');
		expect(placedPaths(profile(), false).files).toEqual(expect.arrayContaining(['/etc/kubernetes/cert/ca-key.pem', '/etc/kubernetes/encryption-config.yaml', '/etc/systemd/system/kube-apiserver.service']));
	});
});

describe('the reset script (real sh)', () => {
	function node(purge: boolean) {
		const root = tempDir();
		const p = profile(root);
		const bookkeeping = join(root, 'var/lib/k8s-master-setup');
		const all = [...placedPaths(p, true).files];
		for (const f of all) {
			mkdirSync(join(f, '..'), {recursive: true});
			writeFileSync(f, 'x');
		}
		mkdirSync(join(root, 'data/k8s/kube-apiserver'), {recursive: true});
		writeFileSync(join(root, 'data/k8s/kube-apiserver/audit.log'), 'audit');
		mkdirSync(join(bookkeeping, 'generations/g-1'), {recursive: true});
		// Not the tool's: must stay.
		writeFileSync(join(root, 'etc/kubernetes/cert/kubelet.pem'), 'someone else');
		const bin = join(root, 'fakebin');
		mkdirSync(bin);
		writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${join(root, 'systemctl.log')}\n`);
		chmodSync(join(bin, 'systemctl'), 0o755);
		const out = execFileSync('sh', ['-c', resetScript(p, purge, bookkeeping)], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`}});
		return {root, p, out, log: readFileSync(join(root, 'systemctl.log'), 'utf8').trim().split('\n')};
	}

	it('stops and disables the three services first, removes exactly the tool\'s files and directories, and reloads', () => {
		const {root, out, log} = node(false);
		expect(log).toEqual(['disable --now --quiet kube-scheduler', 'disable --now --quiet kube-controller-manager', 'disable --now --quiet kube-apiserver', 'daemon-reload']);
		for (const f of ['etc/kubernetes/cert/ca-key.pem', 'etc/kubernetes/encryption-config.yaml', 'etc/systemd/system/kube-apiserver.service', 'data/k8s/kube-apiserver', 'var/lib/k8s-master-setup']) {
			expect(existsSync(join(root, f)), f).toBe(false);
		}
		expect(readFileSync(join(root, 'etc/kubernetes/cert/kubelet.pem'), 'utf8')).toBe('someone else');
		expect(existsSync(join(root, 'opt/k8s/bin/kube-apiserver'))).toBe(true);
		expect(out).toContain(`removed ${join(root, 'etc/kubernetes/cert/sa.key')}\n`);
	});

	it('with --purge the binaries go too, and empty directories the tool made', () => {
		const {root} = node(true);
		expect(existsSync(join(root, 'opt/k8s/bin'))).toBe(false);
		expect(existsSync(join(root, 'etc/kubernetes/cert'))).toBe(true); // kubelet.pem is still there
	});
});
