import type {Draft, ScalarKey} from './draft.js';
import {SUPPORTED_VERSIONS} from '../../profile/schema.js';

/**
 * The wizard's screens, in order, and the fields each one edits. Editing a saved profile
 * starts on `change` (change-rules.ts): a master added or removed on a screen of its own,
 * or every answer on the first install's screens.
 */
export type StepId =
	| 'change'
	| 'add-master'
	| 'remove-master'
	| 'ssh'
	| 'nodes'
	| 'hostkeys'
	| 'binaries'
	| 'network'
	| 'etcd'
	| 'ca'
	| 'encryption'
	| 'sans'
	| 'name'
	| 'summary';

export type FieldSpec =
	| {kind: 'text'; key: string; label: string; mask?: boolean; help?: string}
	| {
			kind: 'choice';
			key: ScalarKey;
			label: string;
			options: ReadonlyArray<{value: string; label: string}>;
			/** Shown, not changed, when editing a saved profile (reducer.ts says why on ←/→). */
			keptWhenEditing?: string;
	  }
	| {kind: 'action'; key: 'add-node' | 'continue'; label: string};

export interface StepSpec {
	id: StepId;
	title: string;
	intro?: string;
	fields: (draft: Draft) => FieldSpec[];
	/** Draft keys this step owns (for validation and fillers): scalar keys, or "nodes". */
	owns: ReadonlyArray<ScalarKey | 'nodes'>;
}

const none = () => [];

export const STEPS: Record<StepId, StepSpec> = {
	change: {id: 'change', title: 'What to change', owns: [], fields: none},
	'add-master': {
		id: 'add-master',
		title: 'New master',
		intro: 'The master to add: its name and address, as on the nodes screen.',
		owns: ['nodes'],
		// The new node is the last one (change-rules.ts appends it).
		fields: (d) => [
			{kind: 'text', key: `nodes.${d.nodes.length - 1}.name`, label: 'name'},
			{kind: 'text', key: `nodes.${d.nodes.length - 1}.ip`, label: 'ip'},
			{kind: 'action', key: 'continue', label: 'continue'},
		],
	},
	'remove-master': {id: 'remove-master', title: 'Master to remove', intro: 'apply removes one master a run.', owns: [], fields: none},
	ssh: {
		id: 'ssh',
		title: 'SSH access',
		intro: 'How to log in to every master node (root, or a user with sudo).',
		owns: ['ssh.user', 'ssh.port', 'ssh.auth', 'ssh.identityFile'],
		fields: (d) => [
			{kind: 'text', key: 'ssh.user', label: 'user'},
			{kind: 'text', key: 'ssh.port', label: 'port'},
			{
				kind: 'choice',
				key: 'ssh.auth',
				label: 'authentication',
				options: [
					{value: 'agent', label: 'ssh-agent / default keys'},
					{value: 'file', label: 'identity file'},
				],
			},
			...(d.values['ssh.auth'] === 'file' ? [{kind: 'text' as const, key: 'ssh.identityFile', label: 'identity file', help: 'e.g. ~/.ssh/id_ed25519'}] : []),
		],
	},
	nodes: {
		id: 'nodes',
		title: 'Master nodes',
		intro: '1, 3, 5 or 7 masters are suggested (an odd count keeps etcd quorum).',
		owns: ['nodes'],
		fields: (d) => [
			...d.nodes.flatMap((_, i) => [
				{kind: 'text' as const, key: `nodes.${i}.name`, label: 'name'},
				{kind: 'text' as const, key: `nodes.${i}.ip`, label: 'ip'},
			]),
			{kind: 'action', key: 'add-node', label: '+ add node'},
			{kind: 'action', key: 'continue', label: 'continue'},
		],
	},
	hostkeys: {
		id: 'hostkeys',
		title: 'Host keys',
		intro: 'Each node was contacted over SSH. Compare the fingerprints with the nodes’ own before accepting.',
		owns: [],
		fields: none,
	},
	binaries: {
		id: 'binaries',
		title: 'Kubernetes binaries',
		intro: 'A directory with kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, or a kubernetes-server-linux-*.tar.gz.',
		owns: ['binaries', 'kubernetesVersion'],
		fields: () => [
			{kind: 'text', key: 'binaries', label: 'path'},
			{kind: 'text', key: 'kubernetesVersion', label: 'version', help: `read from the binaries; one of ${SUPPORTED_VERSIONS.join(', ')}`},
		],
	},
	network: {
		id: 'network',
		title: 'Cluster network',
		owns: ['network.serviceCidr', 'network.podCidr', 'network.nodePortRange', 'network.clusterDomain'],
		fields: () => [
			{kind: 'text', key: 'network.serviceCidr', label: 'service CIDR'},
			{kind: 'text', key: 'network.podCidr', label: 'pod CIDR'},
			{kind: 'text', key: 'network.nodePortRange', label: 'NodePort range'},
			{kind: 'text', key: 'network.clusterDomain', label: 'cluster domain'},
		],
	},
	etcd: {
		id: 'etcd',
		title: 'etcd',
		intro: 'Do you run an etcd cluster already? If not, the tool runs one etcd member on each master.',
		owns: ['etcd.mode', 'etcd.endpoints', 'etcd.binaries'],
		fields: (d) => [
			{
				kind: 'choice',
				key: 'etcd.mode',
				label: 'existing etcd?',
				options: [
					{value: 'stacked', label: 'no: run it on the masters'},
					{value: 'external', label: 'yes: I run one'},
				],
				keptWhenEditing: 'etcd.mode is kept as saved: apply refuses to switch an installed cluster between its own etcd and an external one',
			},
			...(d.values['etcd.mode'] === 'external'
				? [{kind: 'text' as const, key: 'etcd.endpoints', label: 'endpoints', help: 'comma-separated https URLs'}]
				: [{kind: 'text' as const, key: 'etcd.binaries', label: 'etcd binaries', help: 'an etcd-vX.Y.Z-linux-amd64.tar.gz, or a directory with etcd, etcdctl and etcdutl'}]),
		],
	},
	ca: {
		id: 'ca',
		title: 'Certificate authority',
		owns: ['pki.mode', 'pki.caCert', 'pki.caKey'],
		fields: (d) => [
			{
				kind: 'choice',
				key: 'pki.mode',
				label: 'CA',
				options: [
					{value: 'create', label: 'create a new CA'},
					{value: 'existing', label: 'use existing cert + key files'},
				],
			},
			...(d.values['pki.mode'] === 'existing'
				? [
						{kind: 'text' as const, key: 'pki.caCert', label: 'CA certificate file'},
						{kind: 'text' as const, key: 'pki.caKey', label: 'CA key file'},
					]
				: []),
		],
	},
	encryption: {
		id: 'encryption',
		title: 'Secrets encryption key',
		owns: ['encryption.mode', 'encryption.key'],
		fields: (d) => [
			{
				kind: 'choice',
				key: 'encryption.mode',
				label: 'key',
				options: [
					{value: 'generate', label: 'generate (32 random bytes)'},
					{value: 'paste', label: 'paste an existing key'},
				],
			},
			...(d.values['encryption.mode'] === 'paste' ? [{kind: 'text' as const, key: 'encryption.key', label: 'base64 key', mask: true}] : []),
		],
	},
	sans: {
		id: 'sans',
		title: 'Extra API server names',
		intro: 'Load-balancer addresses or DNS names clients use (optional).',
		owns: ['apiserver.extraSans'],
		fields: () => [{kind: 'text', key: 'apiserver.extraSans', label: 'extra SANs', help: 'comma-separated; empty for none'}],
	},
	name: {
		id: 'name',
		title: 'Profile name',
		intro: 'The answers are saved under this name: `k8s-master-setup apply --profile NAME` re-runs them.',
		owns: ['name'],
		fields: () => [{kind: 'text', key: 'name', label: 'profile name'}],
	},
	summary: {id: 'summary', title: 'Summary', owns: [], fields: none},
};

/** The screens in order; the host-key screen only when nodes can be checked; the change first when editing. */
export function stepOrder(options: {checkNodes: boolean; editing?: boolean}): StepId[] {
	const hostkeys = options.checkNodes ? (['hostkeys'] as const) : [];
	return [...(options.editing ? (['change'] as const) : []), 'ssh', 'nodes', ...hostkeys, 'binaries', 'network', 'etcd', 'ca', 'encryption', 'sans', 'name', 'summary'];
}

/** The change screen's choices: add a master, remove one, every answer. */
export type ChangeChoice = 'add' | 'remove' | 'all';

/** The screens for each choice of the change screen (change-rules.ts), that one first. */
export function changeOrder(choice: ChangeChoice, options: {checkNodes: boolean}): StepId[] {
	if (choice === 'all') return stepOrder({...options, editing: true});
	// An added node's host key is accepted as on a first install.
	return choice === 'add' ? ['change', 'add-master', ...(options.checkNodes ? (['hostkeys'] as const) : []), 'summary'] : ['change', 'remove-master', 'summary'];
}

export const WIZARD_TITLE = 'k8s-master-setup · new control plane';
