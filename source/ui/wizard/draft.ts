import type {ProfileInput} from '../../profile/schema.js';
import {SUPPORTED_VERSIONS} from '../../profile/schema.js';

/**
 * The wizard's answers as typed: strings, so a half-typed value ("10.254.") is kept
 * exactly while the user moves around. `toProfileInput` turns them into the shape
 * ProfileSchema validates; nothing here decides what is valid.
 */
export interface DraftNode {
	name: string;
	ip: string;
}

export const SCALAR_KEYS = [
	'ssh.user',
	'ssh.port',
	'ssh.auth',
	'ssh.identityFile',
	'binaries',
	'kubernetesVersion',
	'network.serviceCidr',
	'network.podCidr',
	'network.nodePortRange',
	'network.clusterDomain',
	'etcd.mode',
	'etcd.endpoints',
	'etcd.binaries',
	'pki.mode',
	'pki.caCert',
	'pki.caKey',
	'encryption.mode',
	'encryption.key',
	'apiserver.extraSans',
	'name',
] as const;
export type ScalarKey = (typeof SCALAR_KEYS)[number];

export interface Draft {
	nodes: DraftNode[];
	values: Record<ScalarKey, string>;
	/** Until the user edits etcd endpoints, they follow the node IPs (https://IP:2379). */
	etcdEdited: boolean;
}

/** Defaults from the guide. */
export const DEFAULT_VALUES: Record<ScalarKey, string> = {
	'ssh.user': 'root',
	'ssh.port': '22',
	'ssh.auth': 'agent',
	'ssh.identityFile': '',
	binaries: '',
	kubernetesVersion: '',
	'network.serviceCidr': '10.254.0.0/16',
	'network.podCidr': '172.30.0.0/16',
	'network.nodePortRange': '30000-32767',
	'network.clusterDomain': 'cluster.local',
	// A new cluster runs its own etcd unless the user says they run one.
	'etcd.mode': 'stacked',
	'etcd.endpoints': '',
	'etcd.binaries': '',
	'pki.mode': 'create',
	'pki.caCert': '',
	'pki.caKey': '',
	'encryption.mode': 'generate',
	'encryption.key': '',
	'apiserver.extraSans': '',
	name: 'default',
};

/** Known-valid values for steps not reached yet, so validating step N is not blocked by step N+1. */
export const FILLER_VALUES: Record<ScalarKey, string> = {
	...DEFAULT_VALUES,
	binaries: '/opt/k8s/bin',
	kubernetesVersion: SUPPORTED_VERSIONS[SUPPORTED_VERSIONS.length - 1] ?? '1.37',
	// External until the etcd screen is answered: the screens before it are not blocked by
	// the stacked-only rule on the number of masters (checked again when the summary is confirmed).
	'etcd.mode': 'external',
	'etcd.endpoints': 'https://127.0.0.1:2379',
	name: 'draft',
};
export const FILLER_NODES: DraftNode[] = [{name: 'filler', ip: '127.0.0.1'}];

export function nodeName(index: number): string {
	return `master${index + 1}`;
}

export function initialDraft(initial?: Partial<ProfileInput>): Draft {
	const values = {...DEFAULT_VALUES};
	const i = initial ?? {};
	const set = (key: ScalarKey, value: unknown) => {
		if (value !== undefined && value !== null) values[key] = String(value);
	};
	set('ssh.user', i.ssh?.user);
	set('ssh.port', i.ssh?.port);
	if (i.ssh?.identityFile) {
		set('ssh.auth', 'file');
		set('ssh.identityFile', i.ssh.identityFile);
	}
	set('binaries', i.binaries);
	set('kubernetesVersion', i.kubernetesVersion);
	set('network.serviceCidr', i.network?.serviceCidr);
	set('network.podCidr', i.network?.podCidr);
	set('network.nodePortRange', i.network?.nodePortRange);
	set('network.clusterDomain', i.network?.clusterDomain);
	// The schema's rule: without a mode, a profile that lists endpoints is external.
	const endpoints = i.etcd?.endpoints;
	const external = i.etcd?.mode === 'external' || (i.etcd?.mode === undefined && endpoints !== undefined);
	set('etcd.mode', external ? 'external' : 'stacked');
	if (endpoints && endpoints.length > 0) set('etcd.endpoints', endpoints.join(', '));
	set('etcd.binaries', i.etcd?.binaries);
	if (i.pki?.caCert || i.pki?.caKey) {
		set('pki.mode', 'existing');
		set('pki.caCert', i.pki.caCert);
		set('pki.caKey', i.pki.caKey);
	}
	if (i.encryption?.key) {
		set('encryption.mode', 'paste');
		set('encryption.key', i.encryption.key);
	}
	if (i.apiserver?.extraSans) set('apiserver.extraSans', i.apiserver.extraSans.join(', '));
	set('name', i.name);
	const nodes = (i.nodes ?? []).map((n) => ({name: n.name ?? '', ip: n.ip ?? ''}));
	return {
		nodes: nodes.length > 0 ? nodes : [{name: nodeName(0), ip: ''}],
		values,
		etcdEdited: endpoints !== undefined && endpoints.length > 0,
	};
}

export function defaultEndpoints(nodes: readonly DraftNode[]): string {
	return nodes
		.filter((n) => n.ip.trim() !== '')
		.map((n) => `https://${n.ip.trim()}:2379`)
		.join(', ');
}

/** A field key: a scalar key or `nodes.I.name` / `nodes.I.ip`. Same spelling as zod issue paths. */
export type FieldKey = ScalarKey | `nodes.${number}.${'name' | 'ip'}`;

const NODE_FIELD = /^nodes\.(\d+)\.(name|ip)$/;

export function getValue(draft: Draft, key: string): string {
	const m = NODE_FIELD.exec(key);
	if (m) {
		const node = draft.nodes[Number(m[1])];
		return node ? node[m[2] as 'name' | 'ip'] : '';
	}
	if (key === 'etcd.endpoints' && !draft.etcdEdited) return defaultEndpoints(draft.nodes);
	return draft.values[key as ScalarKey] ?? '';
}

export function setValue(draft: Draft, key: string, value: string): Draft {
	const m = NODE_FIELD.exec(key);
	if (m) {
		const index = Number(m[1]);
		const field = m[2] as 'name' | 'ip';
		return {...draft, nodes: draft.nodes.map((n, i) => (i === index ? {...n, [field]: value} : n))};
	}
	return {
		...draft,
		values: {...draft.values, [key]: value},
		etcdEdited: draft.etcdEdited || key === 'etcd.endpoints',
	};
}

export function splitList(value: string): string[] {
	return value
		.split(/[\s,]+/)
		.map((s) => s.trim())
		.filter((s) => s.length > 0);
}

function portOf(value: string): number | string {
	return /^\d+$/.test(value.trim()) ? Number(value.trim()) : value;
}

/**
 * The profile the answers describe. Keys in `filler` take known-valid stand-ins (steps
 * not reached yet). `forDraft` leaves out the pasted encryption key, so a saved draft
 * never holds the secret.
 */
export function toProfileInput(draft: Draft, options: {filler?: ReadonlySet<string>; forDraft?: boolean} = {}): ProfileInput {
	const filler = options.filler ?? new Set<string>();
	const v = (key: ScalarKey) => (filler.has(key) ? FILLER_VALUES[key] : getValue(draft, key).trim());
	const nodes = filler.has('nodes') ? FILLER_NODES : draft.nodes;
	const identity = v('ssh.auth') === 'file' ? v('ssh.identityFile') : undefined;
	const existingCa = v('pki.mode') === 'existing';
	const pastedKey = v('encryption.mode') === 'paste' && !options.forDraft;
	const profile = {
		name: v('name'),
		kubernetesVersion: v('kubernetesVersion'),
		binaries: v('binaries'),
		nodes: nodes.map((n) => ({name: n.name.trim(), ip: n.ip.trim()})),
		ssh: {user: v('ssh.user'), port: portOf(v('ssh.port')), ...(identity !== undefined ? {identityFile: identity} : {})},
		network: {
			serviceCidr: v('network.serviceCidr'),
			podCidr: v('network.podCidr'),
			nodePortRange: v('network.nodePortRange'),
			clusterDomain: v('network.clusterDomain'),
		},
		// The mode always written out: a profile never changes mode because a list went empty.
		etcd: v('etcd.mode') === 'external' ? {mode: 'external', endpoints: splitList(v('etcd.endpoints'))} : {mode: 'stacked', binaries: v('etcd.binaries')},
		pki: existingCa ? {caCert: v('pki.caCert'), caKey: v('pki.caKey')} : {},
		encryption: pastedKey ? {key: v('encryption.key')} : {},
		apiserver: {extraSans: splitList(v('apiserver.extraSans'))},
	};
	// Values are as typed; ProfileSchema decides whether they are right.
	return profile as unknown as ProfileInput;
}

/**
 * An edited profile: the answers over the saved profile they came from, so what the wizard
 * does not ask about (paths, extraArgs, validity days, etcd client files, a node's own SSH
 * settings) is kept as it was.
 */
export function withBase(answers: ProfileInput, base: ProfileInput | undefined): ProfileInput {
	if (!base) return answers;
	const baseNodes = new Map((base.nodes ?? []).map((n) => [n.name, n]));
	const {caCert: _caCert, caKey: _caKey, ...pkiRest} = base.pki ?? {};
	return {
		...base,
		...answers,
		nodes: answers.nodes.map((n) => {
			const own = baseNodes.get(n.name)?.ssh;
			return own ? {...n, ssh: own} : n;
		}),
		etcd: {...base.etcd, ...answers.etcd},
		pki: {...pkiRest, ...answers.pki},
		apiserver: {...base.apiserver, ...answers.apiserver},
		// The provider is not asked (the key is): a profile's choice stays, a dropped pasted key goes.
		encryption: {...(base.encryption?.provider ? {provider: base.encryption.provider} : {}), ...answers.encryption},
	};
}
