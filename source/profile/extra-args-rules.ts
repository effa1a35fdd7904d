// The rules about a profile's extraArgs that need nothing but the profile: flags that no
// current release accepts, and flags the tool owns (it places the files they name, its
// probes use the ports) or relies on (RBAC, no anonymous access). An override would not fail
// at once: it would break health checks, certificates or authorization on every master
// later. Each rule carries its reason. The one rule that needs the rendered flags (a flag
// naming a file the tool places) is render/owned-flags.ts.

/** The component an extraArgs section belongs to (the cluster vocabulary's ServiceName). */
export type ExtraArgsComponent = 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler';

/**
 * Flags the guide used that a current binary rejects (unknown flag, or fatal), for every
 * supported minor. Never rendered; refused in a profile's extraArgs.
 */
export const REMOVED_FLAGS: ReadonlyArray<{flag: string; removedIn: string; instead: string}> = [
	{flag: 'insecure-port', removedIn: '1.24 (kubernetes#106859)', instead: 'nothing: only --secure-port (6443) is served'},
	{flag: 'insecure-bind-address', removedIn: '1.24 (kubernetes#106859)', instead: 'nothing: only --bind-address'},
	{flag: 'address', removedIn: '1.24 (kubernetes#106860)', instead: '--bind-address'},
	{flag: 'port', removedIn: '1.24 (kubernetes#106860)', instead: '--secure-port'},
	{flag: 'kubelet-https', removedIn: '1.22 (kubernetes#101178)', instead: 'nothing: kubelet connections are always HTTPS'},
	{flag: 'audit-dynamic-configuration', removedIn: '1.19 (kubernetes#91502)', instead: 'nothing'},
	{flag: 'experimental-cluster-signing-duration', removedIn: '1.25 (kubernetes#108476)', instead: '--cluster-signing-duration'},
	{flag: 'pod-eviction-timeout', removedIn: '1.27 (kubernetes#115840)', instead: 'apiserver --default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds'},
	...['logtostderr', 'alsologtostderr', 'log-dir', 'log-file', 'log-file-max-size', 'log-backtrace-at', 'one-output', 'skip-headers', 'skip-log-headers', 'stderrthreshold', 'add-dir-header'].map(
		(flag) => ({flag, removedIn: '1.26 (kubernetes#112120)', instead: 'nothing: logs go to stderr (journald); -v stays'}),
	),
];

/** Feature gates that no longer exist: an unknown gate is fatal ("unrecognized feature gate"). */
export const REMOVED_FEATURE_GATES = ['DynamicAuditing'] as const;

/** Deprecated, hidden flags the guide used; accepted with a warning, deliberately not rendered. */
export const DROPPED_DEPRECATED_FLAGS = ['apiserver-count', 'default-watch-cache-size'] as const;

/** Set from the profile's own fields, or relied on as the tool sets them. */
export const OWNED_FLAGS: Readonly<Record<string, string>> = {
	'secure-port': 'the tool sets the secure port (6443, 10257, 10259): its health checks, status probes and kubeconfigs use it',
	'encryption-provider-config': 'the tool writes the encryption config from the kept key (encryption.key); another file would leave Secrets unencrypted or unreadable',
	'service-cluster-ip-range': 'set network.serviceCidr instead: the apiserver certificate and the controller-manager use it too',
	'service-node-port-range': 'set network.nodePortRange instead',
	'etcd-servers': 'set etcd.endpoints (and etcd.apiserverEndpoints) instead: preflight checks those',
};

/** Values the tool relies on: why `value` is refused for `flag`, or undefined. */
export function refusedValue(component: ExtraArgsComponent, flag: string, value: string): string | undefined {
	if (component === 'kube-apiserver' && flag === 'authorization-mode' && !value.split(',').map((m) => m.trim()).includes('RBAC')) {
		return 'must include RBAC: the controller-manager, the scheduler and the admin kubeconfig are authorized by RBAC (the tool sets Node,RBAC)';
	}
	if (flag === 'anonymous-auth' && value.trim().toLowerCase() !== 'false') {
		return 'must stay false: anonymous requests would reach the API as system:anonymous (the tool sets false)';
	}
	return undefined;
}

/** Why an extraArgs entry is refused or warned about, from these rules alone (in this order). */
export function extraArgProblems(component: ExtraArgsComponent, flag: string, value: string): string[] {
	const problems: string[] = [];
	const removed = REMOVED_FLAGS.find((r) => r.flag === flag);
	if (removed) problems.push(`was removed from ${component} in ${removed.removedIn} and stops it from starting; instead: ${removed.instead}`);
	if ((DROPPED_DEPRECATED_FLAGS as readonly string[]).includes(flag)) problems.push('is deprecated and has no effect on current releases; remove it');
	const gate = REMOVED_FEATURE_GATES.find((g) => flag === 'feature-gates' && new RegExp(`(^|,)\\s*${g}=`).test(value));
	if (gate) problems.push(`feature gate ${gate} no longer exists; an unknown gate stops ${component} from starting`);
	return problems;
}

/** Why the tool owns `flag` or relies on its value (OWNED_FLAGS, refusedValue), or undefined. */
export function ownedFlagRule(component: ExtraArgsComponent, flag: string, value: string): string | undefined {
	const owned = OWNED_FLAGS[flag];
	return owned ? `is set by the tool: ${owned}` : refusedValue(component, flag, value);
}
