import {cpSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {lockingConnect} from '../../source/cli/shared/cluster-lock.js';
import {connectNode} from '../../source/cli/shared/connect.js';
import {APISERVER_COMMON_NAME} from '../../source/pki/cert-specs.js';
import {loadProfileFile} from '../../source/profile/load.js';
import type {Transport} from '../../source/remote/transport.js';
import {ensureKubeletApiBinding, KUBELET_API_BINDING} from '../../source/run/kubelet-api-binding.js';
import {cannotRun} from '../require-or-skip.js';
import {adminCreds, applyArgs, canRunLab, e2eWork, get, labWithCluster, parseEvents, startApply} from './apply-support.js';

/**
 * On the lab's converged control plane: the lock on the nodes holds between two state
 * directories (the state directory's own lock cannot see the other), and the kubelet API
 * binding (run/kubelet-api-binding.ts, called here as the runner will call it after the
 * apiservers serve) gives the apiserver's kubelet client what `kubectl logs/exec` needs.
 */
const skip = cannotRun('e2e cluster lock and kubelet API binding', canRunLab());

describe.skipIf(skip)('one run per cluster, and the kubelet API binding, on the lab', () => {
	let env: Record<string, string>;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	/** The same cluster's PKI under another state directory: what a second machine would hold. */
	const otherStateDir = join(e2eWork, 'state-other-machine');

	beforeAll(async () => {
		env = await labWithCluster(profilePath, stateDir);
		rmSync(otherStateDir, {recursive: true, force: true});
		cpSync(stateDir, otherStateDir, {recursive: true});
	}, 900_000);

	it('an apply from another state directory is refused with exit 2 while a run holds the nodes, and runs once it is gone', async () => {
		const profile = await loadProfileFile(profilePath);
		// The first run: its lock taken on every node, as apply's connect step takes it.
		const first = lockingConnect((node) => connectNode(profile, node, {knownHosts: env.LAB_KNOWN_HOSTS}), 'exclusive', 'apply');
		const held: Transport[] = await Promise.all(profile.nodes.map((n) => first.connect(n)));
		try {
			const second = await startApply(applyArgs(env, profilePath, otherStateDir));
			expect(second.exitCode, second.all).toBe(2);
			const failed = parseEvents(second.stdout).filter((e) => e.type === 'step-failed');
			expect(failed.map((e) => (e.type === 'step-failed' ? `${e.node} ${e.step}` : '')).sort()).toEqual(profile.nodes.map((n) => `${n.name} connect`).sort());
			for (const e of failed) if (e.type === 'step-failed') expect(e.cause).toContain(`is in use by \`apply\` (PID ${process.pid} on `);
			// Nothing went past the gate.
			expect(parseEvents(second.stdout).some((e) => e.type === 'step-done' && e.step !== 'connect')).toBe(false);
			const dryRun = await startApply([...applyArgs(env, profilePath, otherStateDir).filter((a) => a !== '--yes'), '--dry-run']);
			expect(dryRun.exitCode, dryRun.all).toBe(2);
		} finally {
			await Promise.all(held.map((t) => t.close()));
		}
		const again = await startApply(applyArgs(env, profilePath, otherStateDir));
		expect(again.exitCode, again.all).toBe(0);
	}, 600_000);

	it('binds the apiserver kubelet client to system:kubelet-api-admin, idempotently, and the apiserver then allows it the kubelet API', async () => {
		const profile = await loadProfileFile(profilePath);
		const creds = adminCreds(join(stateDir, 'admin.kubeconfig'));
		const apiservers = profile.nodes.map((n) => `https://${n.ip}:6443`);
		const user = APISERVER_COMMON_NAME;
		const options = {apiservers, admin: {caPem: creds.ca, certPem: creds.cert, keyPem: creds.key}, user};
		const bindingUrl = `${apiservers[0]}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${KUBELET_API_BINDING}`;
		// What `kubectl logs` makes the apiserver do: nodes/proxy, as its kubelet client user.
		const mayProxy = async () => {
			const review = await get(`${apiservers[1]}/apis/authorization.k8s.io/v1/subjectaccessreviews`, creds, {
				method: 'POST',
				body: JSON.stringify({apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: {user, resourceAttributes: {resource: 'nodes', subresource: 'proxy', verb: 'get'}}}),
			});
			expect(review.status, review.body).toBe(201);
			return JSON.parse(review.body).status.allowed === true;
		};
		// From none (an earlier run of this suite made it): without it the kubelet API is Forbidden.
		expect([200, 404]).toContain((await get(bindingUrl, creds, {method: 'DELETE'})).status);
		expect(await mayProxy()).toBe(false);

		expect((await ensureKubeletApiBinding(options)).action).toBe('created');
		expect((await ensureKubeletApiBinding(options)).action).toBe('unchanged');

		const binding = await get(bindingUrl, creds);
		expect(binding.status).toBe(200);
		expect(JSON.parse(binding.body)).toMatchObject({roleRef: {kind: 'ClusterRole', name: 'system:kubelet-api-admin'}, subjects: [{kind: 'User', name: 'kubernetes-master'}]});
		expect(await mayProxy()).toBe(true);
	}, 120_000);
});
