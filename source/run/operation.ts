import {STEP_NAMES, type StepName} from '../profile/constants.js';
import type {Profile} from '../profile/schema.js';
import {SERVICE_STEP, SERVICES, type ServiceName} from '../plan/types.js';

/**
 * The install/converge operation as data: its steps in order, what each does, and how
 * long it may take on one node. The runner's schedulers (gate.ts, first-start.ts,
 * rolling-change/schedule.ts, verify.ts) run them; --only/--skip, the grid's columns and the step
 * names in events are these names. A new operation (upgrade, membership, rotation)
 * adds its own steps here rather than branches in the runner.
 */
export type StepKind = 'gate' | 'files' | 'member' | 'service' | 'verify';

export interface StepSpec {
	kind: StepKind;
	/** One line for --help (fits 80 columns after the step name). */
	summary: string;
	/** The longest one node may spend in the step (each attempt). */
	timeoutMs: number;
	/** The service a service step writes the unit of and (re)starts. */
	service?: ServiceName;
}

export const INSTALL_STEPS: Record<StepName, StepSpec> = {
	connect: {kind: 'gate', summary: 'open the SSH connection (host key checked)', timeoutMs: 30_000},
	preflight: {kind: 'gate', summary: 'systemd, arch, clock, disk, ports, etcd, releases, files', timeoutMs: 60_000},
	binaries: {kind: 'files', summary: 'place the Kubernetes binaries', timeoutMs: 20 * 60_000},
	certificates: {kind: 'files', summary: 'place the certificates and keys', timeoutMs: 60_000},
	configs: {kind: 'files', summary: 'kubeconfigs, encryption, audit and scheduler configs', timeoutMs: 60_000},
	etcd: {kind: 'member', summary: 'stacked etcd: unit, (re)start member, wait for cluster', timeoutMs: 240_000},
	apiserver: {kind: 'service', service: 'kube-apiserver', summary: 'unit, (re)start kube-apiserver, wait for /readyz', timeoutMs: 240_000},
	'controller-manager': {kind: 'service', service: 'kube-controller-manager', summary: 'unit, (re)start controller-manager, wait for /healthz', timeoutMs: 180_000},
	scheduler: {kind: 'service', service: 'kube-scheduler', summary: 'unit, (re)start kube-scheduler, wait for /healthz', timeoutMs: 180_000},
	verify: {kind: 'verify', summary: 'all healthy, each Lease held by a master; RBAC binding', timeoutMs: 180_000},
};

const ofKind = (kind: StepKind) => STEP_NAMES.filter((s) => INSTALL_STEPS[s].kind === kind);

/** The steps that place files, in the order a rollout runs them. */
export const FILE_STEPS: readonly StepName[] = ofKind('files');
/** Every step that changes a node, in order: the file steps, then one step per service. */
export const CHANGE_STEPS: readonly StepName[] = [...FILE_STEPS, ...SERVICES.map((s) => SERVICE_STEP[s])];

/** The change steps of one node's plan: with a stacked etcd's member, its `etcd` step after the files. */
export function changeStepsOf(plan: {files: ReadonlyArray<{member?: true}>}): readonly StepName[] {
	return plan.files.some((f) => f.member) ? [...FILE_STEPS, 'etcd', ...SERVICES.map((s) => SERVICE_STEP[s])] : CHANGE_STEPS;
}

/** The steps of a run against an external etcd (every profile before etcd.mode: stacked). */
export const EXTERNAL_ETCD_STEPS: readonly StepName[] = STEP_NAMES.filter((s) => s !== 'etcd');

/** The steps of a run for this profile: the etcd member's only with a stacked etcd. */
export function stepsOfProfile(profile: Pick<Profile, 'etcd'>): StepName[] {
	return STEP_NAMES.filter((s) => s !== 'etcd' || profile.etcd.mode === 'stacked');
}

export function selectSteps(only?: readonly StepName[], skip?: readonly StepName[]): Set<StepName> {
	const chosen = new Set<StepName>(only && only.length > 0 ? only : STEP_NAMES);
	for (const s of skip ?? []) chosen.delete(s);
	// Without a connection nothing else can run.
	chosen.add('connect');
	return chosen;
}
