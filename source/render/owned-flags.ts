// Flags a profile's extraArgs may not set: the tool owns them (it places the files they
// name, its probes use the ports) or relies on their values (RBAC, no anonymous access).
// An override would not fail at once: it would break health checks, certificates or
// authorization on every master later. Each rule carries its reason.
import type {Profile} from '../profile/schema.js';
import {componentFlags, type Component} from './flags.js';
import {targetPaths, type TargetPaths} from './paths.js';

/** Set from the profile's own fields, or relied on as the tool sets them. */
const OWNED_FLAGS: Readonly<Record<string, string>> = {
	'secure-port': 'the tool sets the secure port (6443, 10257, 10259): its health checks, status probes and kubeconfigs use it',
	'encryption-provider-config': 'the tool writes the encryption config from the kept key (encryption.key); another file would leave Secrets unencrypted or unreadable',
	'service-cluster-ip-range': 'set network.serviceCidr instead: the apiserver certificate and the controller-manager use it too',
	'service-node-port-range': 'set network.nodePortRange instead',
	'etcd-servers': 'set etcd.endpoints (and etcd.apiserverEndpoints) instead: preflight checks those',
};

/** Values the tool relies on: why `value` is refused for `flag`, or undefined. */
function refusedValue(component: Component, flag: string, value: string): string | undefined {
	if (component === 'kube-apiserver' && flag === 'authorization-mode' && !value.split(',').map((m) => m.trim()).includes('RBAC')) {
		return 'must include RBAC: the controller-manager, the scheduler and the admin kubeconfig are authorized by RBAC (the tool sets Node,RBAC)';
	}
	if (flag === 'anonymous-auth' && value.trim().toLowerCase() !== 'false') {
		return 'must stay false: anonymous requests would reach the API as system:anonymous (the tool sets false)';
	}
	return undefined;
}

/** Every file path the tool places on a node. */
function managedPaths(paths: TargetPaths): Set<string> {
	const out = new Set<string>();
	const walk = (v: unknown): void => {
		if (typeof v === 'string') out.add(v);
		else if (v && typeof v === 'object') Object.values(v).forEach(walk);
	};
	walk([paths.bin, paths.cert, paths.unit, paths.encryptionConfig, paths.auditPolicy, paths.controllerManagerKubeconfig, paths.schedulerKubeconfig, paths.schedulerConfig]);
	return out;
}

/**
 * Why an extraArgs entry of `component` is refused, or undefined. A flag whose own value
 * names a file the tool manages (a certificate, a kubeconfig, ...) is the tool's: pointing
 * it elsewhere would leave the placed file unused and the other one never renewed.
 */
export function ownedFlagProblem(profile: Profile, component: Component, flag: string, value: string): string | undefined {
	const owned = OWNED_FLAGS[flag];
	if (owned) return `is set by the tool: ${owned}`;
	const node = profile.nodes[0];
	if (node) {
		const paths = targetPaths(profile);
		const withoutExtraArgs = {
			...profile,
			apiserver: {...profile.apiserver, extraArgs: {}},
			controllerManager: {...profile.controllerManager, extraArgs: {}},
			scheduler: {...profile.scheduler, extraArgs: {}},
		};
		const ownValue = componentFlags(component, {profile: withoutExtraArgs, node, paths}).find(([name]) => name === flag)?.[1];
		if (ownValue !== undefined && managedPaths(paths).has(ownValue)) {
			return `is set by the tool: it names ${ownValue}, a file the tool places and renews (change paths.* to move it)`;
		}
	}
	return refusedValue(component, flag, value);
}
