// The removal's view of the cluster over HTTPS as the admin, through the first master of
// the profile whose apiserver answers (never the one being removed: it is not in the profile).
import type {AdminCredentials} from '../../cluster/admin-credentials.js';
import {createClusterClient} from '../../cluster/client.js';
import {CONTROL_PLANE} from '../../cluster/services.js';
import type {Profile} from '../../profile/schema.js';
import {sliceAddresses} from '../add-master/joined-apiserver.js';
import type {HealthProbe} from '../services.js';
import type {ClusterView} from './remove-master.js';

const SLICE = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes';
const IDENTITY_LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases?labelSelector=apiserver.kubernetes.io%2Fidentity%3Dkube-apiserver';

export function httpsClusterView(profile: Profile, admin: AdminCredentials, health: Pick<HealthProbe, 'leaseHolders' | 'handOverLease'>, timeoutMs = 3000): ClusterView & {close(): void} {
	const client = createClusterClient(admin, timeoutMs);
	const endpoints = profile.nodes.map((n) => ({host: n.ip, port: CONTROL_PLANE['kube-apiserver'].port}));
	const first = async (path: string) => {
		let last = 'no master of the profile answered';
		for (const endpoint of endpoints) {
			const r = await client.get('kube-apiserver', endpoint, path);
			if (r.state === 'ok') return r.body;
			last = r.detail ?? `HTTP ${r.httpStatus ?? '-'}`;
		}
		throw new Error(last);
	};
	return {
		sliceAddresses: async () => sliceAddresses(await first(SLICE)),
		leaseHolders: () => health.leaseHolders(),
		...(health.handOverLease ? {handOverLease: (service: 'kube-controller-manager' | 'kube-scheduler', holder: string) => health.handOverLease!(service, holder)} : {}),
		identityLeases: () => first(IDENTITY_LEASES),
		async deleteLease(name) {
			for (const endpoint of endpoints) {
				const r = await client.send(endpoint, 'DELETE', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${encodeURIComponent(name)}`);
				if (r.state === 'ok' || r.httpStatus === 404) return;
			}
			throw new Error(`deleting the Lease kube-system/${name} failed on every master`);
		},
		close: () => client.close(),
	};
}
