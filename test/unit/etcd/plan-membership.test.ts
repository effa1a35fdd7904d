import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {buildPlan} from '../../../source/plan/build-plan.js';
import type {Binaries} from '../../../source/plan/binaries.js';
import {ensurePki} from '../../../source/pki/ensure.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {withBootstraps} from '../../../source/etcd/member-bootstrap.js';
import type {StackedEtcdBinaries} from '../../../source/etcd/stacked-binaries.js';
import {tempDir} from '../render/fixtures.js';
import {stackedProfile} from './fixtures.js';

const binaries: Binaries = {
	release: 'v1.35.0',
	acceptedFlags: {},
	files: Object.fromEntries(['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'].map((n) => [n, {localPath: `/bin/${n}`, sha256: 'ab'.repeat(32), size: 10}])) as Binaries['files'],
};
const etcdBinaries: StackedEtcdBinaries = {version: '3.6.16', minor: '3.6', files: {etcd: {localPath: '/bin/etcd', sha256: 'cd'.repeat(32), size: 10}}};

describe("a stacked etcd's units when a master is added", () => {
	it("leaves every old member's unit byte for byte as it was; the new one joins the running cluster", async () => {
		const three = stackedProfile();
		const names = three.nodes.map((n) => n.name);
		const four = stackedProfile({allowEvenMembers: true}, {nodes: [...three.nodes, {name: 'master4', ip: '10.0.0.14'}]} as never);
		const state = StateDir.open(join(tempDir(), 'state'));
		const {pki: pki3} = await ensurePki(three, state);
		const founded = withBootstraps({}, three.nodes);
		const before = buildPlan(three, pki3, binaries, etcdBinaries, founded);
		const {pki: pki4} = await ensurePki(four, state);
		const after = buildPlan(four, pki4, binaries, etcdBinaries, withBootstraps(founded, four.nodes));
		const unit = (plan: typeof before, name: string) => plan.nodes.find((n) => n.node.name === name)!.files.find((f) => f.path.endsWith('/etcd.service'))!;
		for (const n of names) expect(unit(after, n).sha256, n).toBe(unit(before, n).sha256);
		const added = unit(after, 'master4').content!.toString();
		expect(added).toContain('--initial-cluster-state=existing');
		expect(added).toMatch(/--initial-cluster=master1=https:\/\/[^,]+:2380,master2=[^,]+,master3=[^,]+,master4=https:\/\/10\.0\.0\.14:2380/);
		expect(after.nodes.map((n) => n.etcdBootstrap)).toEqual(['new', 'new', 'new', 'existing']);
		// Without the record (every master rendered as founding), the old units would change: what the record prevents.
		const naive = buildPlan(four, pki4, binaries, etcdBinaries);
		expect(unit(naive, names[0]!).sha256).not.toBe(unit(before, names[0]!).sha256);
	});
});
