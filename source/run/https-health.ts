import type {Profile} from '../profile/schema.js';
import type {AdminCredentials} from '../cluster/admin-credentials.js';
import {createClusterClient, type Endpoint} from '../cluster/client.js';
import {handedOverLease, leaseFromResponse} from '../cluster/lease.js';
import {gitVersion} from '../cluster/version.js';
import {CONTROL_PLANE, LEADER_ELECTED, leaseName, type ServiceName} from '../cluster/services.js';
import type {ProfileNode} from '../profile/schema.js';
import type {HealthProbe} from './services.js';

/**
 * The runner's health gate, from this machine over HTTPS through the same cluster client
 * as the status screen: each service's health path on its port (CONTROL_PLANE), and the
 * two Leases read from the first apiserver that answers.
 */
export function createHttpsHealth(
	profile: Profile,
	admin: AdminCredentials,
	timeoutMs = 3000,
	/** Where a node's service listens (default: the node IP and the service's port). A seam for tests. */
	endpoint: (node: ProfileNode, service: ServiceName) => Endpoint = (node, service) => ({host: node.ip, port: CONTROL_PLANE[service].port}),
): HealthProbe & {close(): void} {
	const client = createClusterClient(admin, timeoutMs);
	return {
		async serviceHealthy(node, service) {
			const r = await client.health(service, endpoint(node, service));
			return {ok: r.state === 'ok', detail: r.detail ?? r.body.trim().slice(0, 200)};
		},
		async servedVersion(node) {
			const r = await client.get('kube-apiserver', endpoint(node, 'kube-apiserver'), '/version');
			if (r.state !== 'ok') throw new Error(r.detail ?? `HTTP ${r.httpStatus ?? '?'}`);
			return gitVersion(r.body) ?? undefined;
		},
		async leaseRenewal(service) {
			for (const node of profile.nodes) {
				const result = await client.lease(endpoint(node, 'kube-apiserver'), leaseName(service));
				if (result.state === 'error' || result.state === 'timeout') continue;
				const lease = leaseFromResponse(leaseName(service), {result, node: node.name}, [], Date.now());
				return lease.state === 'held' && lease.holderIdentity && lease.renewTime ? {holder: lease.holderIdentity, renewTime: lease.renewTime} : undefined;
			}
			throw new Error('no kube-apiserver answered to read the Lease from');
		},
		async handOverLease(service, goneHolder) {
			for (const node of profile.nodes) {
				const apiserver = endpoint(node, 'kube-apiserver');
				const read = await client.lease(apiserver, leaseName(service));
				if (read.state === 'error' || read.state === 'timeout') continue;
				if (read.state !== 'ok') throw new Error(read.detail ?? `HTTP ${read.httpStatus ?? '?'}`);
				const lease = handedOverLease(JSON.parse(read.body), goneHolder, new Date());
				if (lease === undefined) return false;
				const written = await client.putLease(apiserver, leaseName(service), lease);
				// 409: the Lease changed since it was read (a candidate took it): nothing to hand over.
				if (written.httpStatus === 409) return false;
				if (written.state !== 'ok') throw new Error(written.detail ?? `HTTP ${written.httpStatus ?? '?'}`);
				return true;
			}
			throw new Error('no kube-apiserver answered to hand the Lease over through');
		},
		async leaseHolders() {
			for (const node of profile.nodes) {
				const apiserver = endpoint(node, 'kube-apiserver');
				const [cm, sched] = await Promise.all(LEADER_ELECTED.map((service) => client.lease(apiserver, leaseName(service))));
				if (!cm || !sched || cm.state === 'error' || cm.state === 'timeout') continue;
				const holder = (service: (typeof LEADER_ELECTED)[number], result: typeof cm) => {
					if (result.state !== 'ok') return undefined;
					const lease = leaseFromResponse(leaseName(service), {result, node: node.name}, [], Date.now());
					return lease.state === 'held' ? (lease.holderIdentity ?? undefined) : undefined;
				};
				return {'kube-controller-manager': holder('kube-controller-manager', cm), 'kube-scheduler': holder('kube-scheduler', sched)};
			}
			return {};
		},
		close: () => client.close(),
	};
}
