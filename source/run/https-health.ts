import type {Profile} from '../profile/schema.js';
import type {AdminCredentials} from '../cluster/admin-credentials.js';
import {createClusterClient, type Endpoint} from '../cluster/client.js';
import {handedOverLease, leaseFromResponse} from '../cluster/lease.js';
import {gitVersion} from '../cluster/version.js';
import {CONTROL_PLANE, LEADER_ELECTED, leaseName, type LeaderElected, type ServiceName} from '../cluster/services.js';
import type {ProfileNode} from '../profile/schema.js';
import type {HealthProbe} from './services.js';
import {checkJoined, type JoinRequest} from './add-master/joined-apiserver.js';
import {StepError} from './step-error.js';

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
	/** A Lease as the first apiserver that answers (in profile order) has it; undefined: none answered. */
	const readLease = async (service: LeaderElected) => {
		for (const node of profile.nodes) {
			const apiserver = endpoint(node, 'kube-apiserver');
			const result = await client.lease(apiserver, leaseName(service));
			if (result.state !== 'error' && result.state !== 'timeout') return {result, node: node.name, apiserver};
		}
		return undefined;
	};
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
			const read = await readLease(service);
			if (read === undefined) throw new Error('no kube-apiserver answered to read the Lease from');
			const lease = leaseFromResponse(leaseName(service), read, [], Date.now());
			return lease.state === 'held' && lease.holderIdentity && lease.renewTime ? {holder: lease.holderIdentity, renewTime: lease.renewTime} : undefined;
		},
		async handOverLease(service, goneHolder) {
			const read = await readLease(service);
			if (read === undefined) throw new Error('no kube-apiserver answered to hand the Lease over through');
			if (read.result.state !== 'ok') throw new Error(read.result.detail ?? `HTTP ${read.result.httpStatus ?? '?'}`);
			const lease = handedOverLease(JSON.parse(read.result.body), goneHolder, new Date());
			if (lease === undefined) return false;
			const written = await client.putLease(read.apiserver, leaseName(service), lease);
			// 409: the Lease changed since it was read (a candidate took it): nothing to hand over.
			if (written.httpStatus === 409) return false;
			if (written.state !== 'ok') throw new Error(written.detail ?? `HTTP ${written.httpStatus ?? '?'}`);
			return true;
		},
		async joined(node) {
			const request: JoinRequest = async (to, method, path, body) => {
				const apiserver = endpoint(to, 'kube-apiserver');
				const r = method === 'GET' ? await client.get('kube-apiserver', apiserver, path) : await client.send(apiserver, method, path, body);
				return {ok: r.state === 'ok', status: r.httpStatus, body: r.body, detail: r.detail};
			};
			// The peer: the first other master whose apiserver is ready (it served before this one joined).
			for (const peer of profile.nodes.filter((n) => n.name !== node.name)) {
				if ((await client.health('kube-apiserver', endpoint(peer, 'kube-apiserver'))).state === 'ok') return checkJoined(request, node, peer);
			}
			throw new StepError(`no other kube-apiserver is ready to check ${node.name} against`, 'a master joins a serving control plane: check the other masters (status)');
		},
		async leaseHolders() {
			const holders = await Promise.all(
				LEADER_ELECTED.map(async (service) => {
					const read = await readLease(service);
					const lease = read && read.result.state === 'ok' ? leaseFromResponse(leaseName(service), read, [], Date.now()) : undefined;
					return [service, lease?.state === 'held' ? (lease.holderIdentity ?? undefined) : undefined] as const;
				}),
			);
			return Object.fromEntries(holders);
		},
		close: () => client.close(),
	};
}
