import {existsSync, readFileSync} from 'node:fs';
import {execa, type Options} from 'execa';

/**
 * The lab from TypeScript: a thin wrapper over scripts/lab.sh (booted Debian containers
 * lab-m1..lab-mN on the host bridge k8slab0, 198.18.0.11.., a 3-member etcd with TLS and
 * client-certificate auth, and an installer profile for them). Paths follow lab.sh's
 * defaults and the same environment overrides (LAB_STATE, LAB_CACHE, LAB_ETCD_VERSION).
 */
export const labScript = new URL('../../scripts/lab.sh', import.meta.url).pathname;

const state = process.env.LAB_STATE ?? '/var/lib/k8s-master-setup-lab';
const cache = process.env.LAB_CACHE ?? '/var/cache/k8s-master-setup/lab';
const etcdVersion = process.env.LAB_ETCD_VERSION ?? '3.6.16';
const etcdDir = `${process.env.ETCD_CACHE ?? '/var/cache/k8s-master-setup/etcd'}/v${etcdVersion}`;

export interface LabNode {
	name: string;
	ip: string;
}

/** Why the lab cannot run here, or undefined when it can (Linux, root). */
export function labUnavailableReason(): string | undefined {
	if (process.platform !== 'linux') return 'the lab needs Linux (systemd-nspawn, network namespaces)';
	if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, systemd-nspawn)';
	return undefined;
}

export function labNodeIp(name: string): string {
	const m = /^lab-m(\d+)$/.exec(name);
	if (!m) throw new Error(`not a lab node name: ${name} (lab-m1, lab-m2, ...)`);
	return `198.18.0.${10 + Number(m[1])}`;
}

/** The nodes of the lab as last brought up (default 3 when it was never up). */
export function labNodes(): LabNode[] {
	const sizeFile = `${state}/size`;
	const n = existsSync(sizeFile) ? Number(readFileSync(sizeFile, 'utf8').trim()) : 3;
	return Array.from({length: n}, (_, i) => ({name: `lab-m${i + 1}`, ip: labNodeIp(`lab-m${i + 1}`)}));
}

export const labPaths = {
	state,
	/** The installer profile lab.sh writes on `up` (YAML, matches source/profile/schema.ts). */
	profile: `${state}/profile.yaml`,
	/** Host keys of the lab nodes, "IP,name keytype key" lines; pass as --known-hosts. */
	knownHosts: `${state}/known_hosts`,
	/** ssh -F this lab-m1 */
	sshConfig: `${state}/ssh_config`,
	/** Private key whose public half is in root's authorized_keys on every node. */
	sshKey: `${cache}/ssh/id_ed25519`,
	pki: `${state}/pki`,
	caCert: `${state}/pki/ca.pem`,
	caKey: `${state}/pki/ca-key.pem`,
	etcdClientCert: `${state}/pki/etcd-client.pem`,
	etcdClientKey: `${state}/pki/etcd-client-key.pem`,
	etcdctl: `${etcdDir}/etcdctl`,
	/** etcd's offline tool (snapshot status/restore), built with etcd; never on the nodes. */
	etcdutl: `${etcdDir}/etcdutl`,
} as const;

/**
 * Bring the lab up (idempotent: a healthy lab is left as it is, in about 3 s), with etcd
 * healthy and the profile written. Output goes to the test's stderr.
 */
export async function labUp(n = 3): Promise<LabNode[]> {
	await execa('bash', [labScript, 'up', String(n)], {stdout: ['pipe', 'inherit'], stderr: 'inherit'});
	return labNodes();
}

export async function labDown(): Promise<void> {
	await execa('bash', [labScript, 'down'], {stderr: 'inherit'});
}

export function labProfilePath(): string {
	return labPaths.profile;
}

export function labKnownHostsPath(): string {
	return labPaths.knownHosts;
}

/** Power a node off (its address stops answering) / boot it again and wait for it. */
export async function labStopNode(name: string): Promise<void> {
	await execa('bash', [labScript, 'stop-node', name], {stderr: 'inherit'});
}

export async function labStartNode(name: string): Promise<void> {
	await execa('bash', [labScript, 'start-node', name], {stderr: 'inherit'});
}

export function labSshArgs(node: string): string[] {
	return [
		'-i', labPaths.sshKey,
		'-o', 'IdentitiesOnly=yes',
		'-o', 'BatchMode=yes',
		'-o', `UserKnownHostsFile=${labPaths.knownHosts}`,
		'-o', 'GlobalKnownHostsFile=/dev/null',
		'-o', 'StrictHostKeyChecking=yes',
		'-o', 'ConnectTimeout=5',
		'-o', 'LogLevel=ERROR',
		`root@${labNodeIp(node)}`,
	];
}

/**
 * Run a shell command on a node as root (host keys verified against the lab known_hosts).
 * Rejects on a non-zero exit unless {reject: false}.
 */
export function labSsh(node: string, command: string, options: Options = {}) {
	return execa('ssh', [...labSshArgs(node), command], options);
}

/** etcdctl on the host against the lab cluster, with the lab etcd client certificate. */
export function labEtcdctl(args: string[], options: Options = {}) {
	const endpoints = labNodes()
		.map((n) => `https://${n.ip}:2379`)
		.join(',');
	return execa(
		labPaths.etcdctl,
		[
			`--endpoints=${endpoints}`,
			`--cacert=${labPaths.caCert}`,
			`--cert=${labPaths.etcdClientCert}`,
			`--key=${labPaths.etcdClientKey}`,
			'--dial-timeout=3s',
			'--command-timeout=10s',
			...args,
		],
		options,
	);
}

/**
 * The raw value stored under an etcd key (e.g. /registry/secrets/default/x), as bytes, or
 * undefined when the key does not exist. An encrypted Secret starts with `k8s:enc:aescbc:v1:`.
 */
export async function etcdGet(key: string): Promise<Buffer | undefined> {
	const {stdout} = await labEtcdctl(['get', key, '-w', 'json']);
	const reply = JSON.parse(String(stdout)) as {kvs?: Array<{value?: string}>};
	const kv = reply.kvs?.[0];
	if (kv === undefined) return undefined;
	return Buffer.from(kv.value ?? '', 'base64');
}
