import type {StepName} from '../profile/constants.js';

// The control plane's vocabulary: the facts about each of the three services that the
// plan, the runner's health gate and the status prober all rely on, in one table. A new
// fact about a service belongs here, not in a second map keyed by service name.

export const SERVICES = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** The camelCase key the profile sections and the status JSON use for a service. */
export type ComponentKey = 'apiserver' | 'controllerManager' | 'scheduler';

export interface ServiceFacts {
	/** The systemd unit (and binary) name. */
	unit: ServiceName;
	key: ComponentKey;
	/** The step that starts it. */
	step: StepName;
	/** Its --secure-port, which the tool sets (extraArgs may not change it). */
	port: number;
	/** What the health gate waits on: readiness for the apiserver, /healthz for the other two. */
	healthPath: '/readyz' | '/healthz';
	/** The apiserver requires the admin client certificate; the other two allow /healthz anonymously. */
	needsClientCert: boolean;
	/** Its leader-election Lease in kube-system (the apiserver elects no leader). */
	lease: string | null;
}

export const CONTROL_PLANE: Readonly<Record<ServiceName, ServiceFacts>> = {
	'kube-apiserver': {unit: 'kube-apiserver', key: 'apiserver', step: 'apiserver', port: 6443, healthPath: '/readyz', needsClientCert: true, lease: null},
	'kube-controller-manager': {
		unit: 'kube-controller-manager',
		key: 'controllerManager',
		step: 'controller-manager',
		port: 10257,
		healthPath: '/healthz',
		needsClientCert: false,
		lease: 'kube-controller-manager',
	},
	'kube-scheduler': {unit: 'kube-scheduler', key: 'scheduler', step: 'scheduler', port: 10259, healthPath: '/healthz', needsClientCert: false, lease: 'kube-scheduler'},
};

/** The services that elect a leader through a Lease. */
export const LEADER_ELECTED = ['kube-controller-manager', 'kube-scheduler'] as const satisfies readonly ServiceName[];
export type LeaderElected = (typeof LEADER_ELECTED)[number];

const BY_KEY = Object.fromEntries(SERVICES.map((s) => [CONTROL_PLANE[s].key, CONTROL_PLANE[s]])) as Record<ComponentKey, ServiceFacts>;

/** The facts of a service by its camelCase key. */
export function serviceByKey(key: ComponentKey): ServiceFacts {
	return BY_KEY[key];
}

/** The step that starts each service. */
export const SERVICE_STEP = Object.fromEntries(SERVICES.map((s) => [s, CONTROL_PLANE[s].step])) as Record<ServiceName, StepName>;

/** The Lease of a leader-elected service. */
export function leaseName(service: LeaderElected): string {
	return CONTROL_PLANE[service].lease!;
}
