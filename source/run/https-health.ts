import type {Profile} from '../profile/schema.js';
import type {ServiceName} from '../plan/types.js';
import {httpsGet, pinnedAgent} from '../status/https-get.js';
import {leaseStatusFromJson} from '../status/lease.js';
import type {AdminCredentials} from '../status/probes.js';
import type {HealthProbe} from './services.js';

/**
 * The runner's health gate, from this machine over HTTPS with the admin client
 * certificate, through the same request code as the status screen: apiserver /readyz,
 * controller-manager :10257 and scheduler :10259 /healthz (verified against the cluster
 * CA), and the two Leases read from a ready apiserver.
 */
const PATHS: Record<ServiceName, {port: number; path: string; needsClientCert: boolean}> = {
	'kube-apiserver': {port: 6443, path: '/readyz', needsClientCert: true},
	'kube-controller-manager': {port: 10257, path: '/healthz', needsClientCert: false},
	'kube-scheduler': {port: 10259, path: '/healthz', needsClientCert: false},
};

export function createHttpsHealth(profile: Profile, admin: AdminCredentials, timeoutMs = 3000): HealthProbe & {close(): void} {
	const apiAgent = pinnedAgent({ca: admin.caPem, cert: admin.certPem, key: admin.keyPem});
	const componentAgent = pinnedAgent({ca: admin.caPem});
	return {
		async serviceHealthy(node, service) {
			const p = PATHS[service];
			const r = await httpsGet(`https://${node.ip}:${p.port}${p.path}`, {agent: p.needsClientCert ? apiAgent : componentAgent, timeoutMs});
			return {ok: r.state === 'ok', detail: r.detail ?? r.body.trim().slice(0, 200)};
		},
		async leaseHolders() {
			for (const node of profile.nodes) {
				const base = `https://${node.ip}:6443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases`;
				const [cm, sched] = await Promise.all(
					(['kube-controller-manager', 'kube-scheduler'] as const).map((name) => httpsGet(`${base}/${name}`, {agent: apiAgent, timeoutMs})),
				);
				if (!cm || !sched || cm.state === 'error' || cm.state === 'timeout') continue;
				const holder = (name: string, body: string, ok: boolean) => {
					if (!ok) return undefined;
					const lease = leaseStatusFromJson(name, JSON.parse(body), [], Date.now(), node.name);
					return lease.state === 'held' ? (lease.holderIdentity ?? undefined) : undefined;
				};
				return {
					'kube-controller-manager': holder('kube-controller-manager', cm.body, cm.state === 'ok'),
					'kube-scheduler': holder('kube-scheduler', sched.body, sched.state === 'ok'),
				};
			}
			return {};
		},
		close() {
			apiAgent.destroy();
			componentAgent.destroy();
		},
	};
}
