// `reset`: which nodes, when it is refused, and its script run in a real sh against a
// directory tree laid out as a node's (the profile's paths under a temporary root), with a
// stand-in systemctl that records what it was asked.
import {execFileSync, spawnSync} from 'node:child_process';
import {chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {ProfileSchema, type ProfileNode} from '../../source/profile/schema.js';
import {judgeReset, judgeStackedReset, placedPaths, resetPrompt, resetScript, resetTargets, stackedEtcdPaths, type ResetTarget} from '../../source/run/reset/reset-plan.js';
import {targetPaths} from '../../source/render/paths.js';
import {tempDir} from './render/fixtures.js';

const EXTERNAL = {endpoints: ['https://198.18.0.11:2379']};
const profile = (root = '', etcd: object = EXTERNAL) =>
	ProfileSchema.parse({
		name: 'p',
		kubernetesVersion: '1.37',
		binaries: '/tmp/bin',
		nodes: [
			{name: 'm1', ip: '198.18.0.11'},
			{name: 'm2', ip: '198.18.0.12'},
			...('endpoints' in etcd ? [] : [{name: 'm3', ip: '198.18.0.13'}]),
		],
		etcd,
		...(root ? {paths: {binDir: `${root}/opt/k8s/bin`, certDir: `${root}/etc/kubernetes/cert`, configDir: `${root}/etc/kubernetes`, unitDir: `${root}/etc/systemd/system`, dataDir: `${root}/data/k8s`}} : {}),
	});
const stacked = (root = '') => profile(root, {mode: 'stacked', binaries: '/tmp/etcd-v3.6.5-linux-amd64.tar.gz', ...(root ? {dataDir: `${root}/var/lib/etcd`} : {})});
/** A stacked member's own paths and service (not the apiserver's etcd-*.pem client files). */
const ETCD_OWN = /etcd\.service|cert\/etcd\/|cert\/etcd\b(?!-)|bin\/etcd|lib\/etcd|\betcd;/;
const all = (p: ReturnType<typeof profile>): ResetTarget[] => p.nodes.map((node) => ({node, departed: false}));
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
		// Not the tool's: must stay (with an external etcd, the guide's own etcd beside it).
		writeFileSync(join(root, 'etc/kubernetes/cert/kubelet.pem'), 'someone else');
		for (const f of ['etc/systemd/system/etcd.service', 'etc/kubernetes/cert/etcd/server.pem', 'var/lib/etcd/member/snap/db', 'opt/k8s/bin/etcd']) {
			mkdirSync(join(root, f, '..'), {recursive: true});
			writeFileSync(join(root, f), 'the guide');
		}
		const bin = join(root, 'fakebin');
		mkdirSync(bin);
		writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${join(root, 'systemctl.log')}\n`);
		chmodSync(join(bin, 'systemctl'), 0o755);
		const out = execFileSync('sh', ['-c', resetScript(p, {purge, toolStateDir: bookkeeping, withEtcd: true})], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`}});
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
		for (const f of ['etc/systemd/system/etcd.service', 'etc/kubernetes/cert/etcd/server.pem', 'var/lib/etcd/member/snap/db']) expect(readFileSync(join(root, f), 'utf8'), f).toBe('the guide');
		expect(out).not.toMatch(ETCD_OWN);
	});

	it('with --purge the binaries go too, and empty directories the tool made', () => {
		const {root} = node(true);
		expect(readdirSync(join(root, 'opt/k8s/bin'))).toEqual(['etcd']); // the guide's etcd stays
		expect(existsSync(join(root, 'etc/kubernetes/cert'))).toBe(true); // kubelet.pem is still there
	});
});

describe('reset with a stacked etcd', () => {
	it('one master of several is refused, naming it; every profile master is the whole cluster', () => {
		const p = stacked();
		const m2 = [{node: p.nodes[1]!, departed: false}];
		expect(judgeStackedReset(p, m2)).toEqual({
			problem: "resetting m2 alone is refused: with etcd.mode: stacked it runs a member of the cluster's etcd, and a reset would stop it without taking it out of the member list (costing the quorum a member)",
			hint: "to take a master out, remove it from the profile's nodes and run apply --remove-nodes (its member leaves the cluster first); or reset the whole cluster (reset without --node: its etcd data is deleted)",
		});
		expect(judgeStackedReset(p, [...all(p), {node: gone, departed: true}])?.problem).toMatch(/^resetting m1, m2, m3, m9 alone is refused/);
		expect(judgeStackedReset(p, all(p))).toBeUndefined();
		// External: as before, judgeReset alone decides.
		expect(judgeStackedReset(profile(), [{node: profile().nodes[0]!, departed: false}])).toBeUndefined();
	});

	it('the etcd paths: unit, certificates, data; binaries with --purge; none with an external etcd', () => {
		expect(stackedEtcdPaths(stacked(), false)).toEqual({unit: '/etc/systemd/system/etcd.service', files: ['/etc/systemd/system/etcd.service'], dirs: ['/etc/kubernetes/cert/etcd', '/var/lib/etcd'], dataDir: '/var/lib/etcd'});
		expect(stackedEtcdPaths(stacked(), true)?.files).toEqual(['/etc/systemd/system/etcd.service', '/opt/k8s/bin/etcd', '/opt/k8s/bin/etcdctl', '/opt/k8s/bin/etcdutl']);
		expect(stackedEtcdPaths(profile(), true)).toBeUndefined();
		// One node's script (remove-master's) never names etcd.
		expect(resetScript(stacked(), {purge: true})).not.toMatch(ETCD_OWN);
		expect(resetScript(stacked(), {purge: true, withEtcd: true})).toMatch(ETCD_OWN);
	});

	it('the plan and the question say the etcd data is deleted on every node; external wording unchanged', () => {
		const {plan, question} = resetPrompt(stacked(), all(stacked()), false);
		expect(plan.join('\n')).toContain("THE CLUSTER'S ETCD DATA IS DELETED ON EVERY NODE");
		expect(plan.join('\n')).toContain('cannot be recovered without a snapshot (`k8s-master-setup snapshot`');
		expect(plan.join('\n')).toContain('its data /var/lib/etcd/');
		expect(question).toBe('Reset the whole cluster and delete its etcd data on every node? [y/N] ');
		expect(resetPrompt(stacked(), all(stacked()), true).plan.join('\n')).toContain('etcd, etcdctl, etcdutl');
		expect(resetPrompt(profile(), all(profile()), false)).toEqual({
			plan: [],
			question: "Reset m1 (198.18.0.11), m2 (198.18.0.12): stop the control plane there and remove the tool's files (the whole cluster: etcd keeps its objects)? [y/N] ",
		});
	});

	function node(purge: boolean, unitHeader = '# Generated by k8s-master-setup for m1 (etcd v3.6.5, Kubernetes 1.37). Edit the profile, not this file: apply overwrites it.') {
		const root = tempDir();
		const p = stacked(root);
		const bookkeeping = join(root, 'var/lib/k8s-master-setup');
		const e = targetPaths(p).etcd;
		for (const f of [...placedPaths(p, true).files, ...Object.values(e.bin), e.ca, e.server, e.serverKey, e.peer, e.peerKey, join(root, 'var/lib/etcd/member/snap/db'), join(root, 'var/lib/etcd.before-restore-20261207T120000Z/member/snap/db'), join(root, 'var/lib/etcd.restore/member/snap/db'), join(root, 'var/lib/etcd-other/keep')]) {
			mkdirSync(join(f, '..'), {recursive: true});
			writeFileSync(f, 'x');
		}
		writeFileSync(e.unit, `${unitHeader}\n[Unit]\n`);
		const bin = join(root, 'fakebin');
		mkdirSync(bin);
		writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> ${join(root, 'systemctl.log')}\n`);
		chmodSync(join(bin, 'systemctl'), 0o755);
		const run = spawnSync('sh', ['-c', resetScript(p, {purge, toolStateDir: bookkeeping, withEtcd: true})], {encoding: 'utf8', env: {...process.env, PATH: `${bin}:${process.env.PATH}`}});
		const log = existsSync(join(root, 'systemctl.log')) ? readFileSync(join(root, 'systemctl.log'), 'utf8').trim().split('\n') : [];
		return {root, run, log};
	}

	it('whole cluster (real sh): etcd stopped after the apiservers, its unit, certificates and data removed (the copies a restore kept too); binaries stay', () => {
		const {root, run, log} = node(false);
		expect(run.status).toBe(0);
		expect(log).toEqual(['disable --now --quiet kube-scheduler', 'disable --now --quiet kube-controller-manager', 'disable --now --quiet kube-apiserver', 'disable --now --quiet etcd', 'daemon-reload']);
		for (const f of ['etc/systemd/system/etcd.service', 'etc/kubernetes/cert/etcd', 'var/lib/etcd', 'var/lib/etcd.before-restore-20261207T120000Z', 'var/lib/etcd.restore']) expect(existsSync(join(root, f)), f).toBe(false);
		// Only the data dirs an etcd restore names: a neighbour with a like name stays.
		expect(existsSync(join(root, 'var/lib/etcd-other/keep'))).toBe(true);
		expect(run.stdout).toContain(`removed ${join(root, 'var/lib/etcd')}/\n`);
		for (const b of ['etcd', 'etcdctl', 'etcdutl']) expect(existsSync(join(root, 'opt/k8s/bin', b)), b).toBe(true);
	});

	it('with --purge the etcd binaries go too', () => {
		const {root, run} = node(true);
		expect(run.status).toBe(0);
		expect(existsSync(join(root, 'opt/k8s/bin'))).toBe(false);
	});

	it('an etcd.service the tool did not write stops the script before anything is touched', () => {
		const {root, run, log} = node(false, '[Unit]');
		expect(run.status).toBe(3);
		expect(run.stderr).toContain('etcd.service was not written by k8s-master-setup: nothing was reset on this node');
		expect(log).toEqual([]);
		for (const f of ['var/lib/etcd/member/snap/db', 'etc/kubernetes/cert/etcd/server.pem', 'etc/kubernetes/cert/ca-key.pem']) expect(existsSync(join(root, f)), f).toBe(true);
	});
});
