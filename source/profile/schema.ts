import {isIP} from 'node:net';
import {Address4} from 'ip-address';
import en from 'zod/v4/locales/en.js';
import * as z from 'zod/mini';
import {ENCRYPTION_PROVIDERS, SUPPORTED_VERSIONS} from './constants.js';
import {
	EXTRA_ARGS_LINE_BUDGET,
	dnsNameProblem,
	execStartLength,
	flagValueProblem,
	hostBitsProblem,
	isAllZeroKey,
	parseClientEndpoint,
	parseEtcdEndpoint,
	remoteDirectoryProblem,
	sanProblem,
	unusableNodeIp,
} from './values.js';

/**
 * The profile: one zod schema is both the TypeScript type and the validator, so a
 * profile file, a stored profile and the wizard's answers are checked by the same rules
 * and every message names the field (e.g. `nodes[1].ip`) and what would be right.
 */

export {STEP_NAMES, SUPPORTED_VERSIONS, type KubernetesMinor, type StepName} from './constants.js';

const nodeName = z
	.string()
	.check(z.regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a DNS label: lower-case letters, digits and "-", e.g. master1'));

/** A string refused with the message `problem` returns for it (values.ts), when it returns one. */
const ruled = <S extends z.ZodMiniString>(schema: S, problem: (value: string) => string | undefined): S =>
	schema.check(
		z.superRefine((value: string, ctx) => {
			const message = problem(value);
			if (message !== undefined) ctx.addIssue({code: 'custom', message});
		}),
	);

const ipv4 = z.string().check(z.refine((v) => isIP(v) === 4, {message: 'must be an IPv4 address, e.g. 192.168.31.44'}));
/** A master's address: unicast and reachable by the other masters. */
const nodeIp = ruled(ipv4, (v) => {
	const problem = unusableNodeIp(v);
	return problem && `${v} ${problem}; give the address the other masters reach this node on`;
});

const cidr = ruled(z.string(), (v) => {
	const hostBits = hostBitsProblem(v);
	if (hostBits) return `${v} ${hostBits}`;
	return isCidr(v) ? undefined : 'must be an IPv4 network in CIDR form, e.g. 10.254.0.0/16';
});
/** The apiserver takes at most 20 host bits (/12) for an IPv4 service network; /28 leaves 14 Service addresses. */
const serviceCidr = ruled(cidr, (v) => {
	const prefix = Number(v.split('/')[1]);
	if (!isCidr(v) || (prefix >= 12 && prefix <= 28)) return undefined;
	return `${v} must be between /12 and /28: kube-apiserver allows at most 20 host bits, and a smaller network leaves too few Service addresses (e.g. 10.254.0.0/16)`;
});

const clusterDomain = ruled(z.string(), (v) => {
	if (v.endsWith('.')) return 'must not end with "." (a DNS domain without a trailing dot, e.g. cluster.local)';
	if (v !== v.toLowerCase()) return 'must be lower case, e.g. cluster.local';
	const problem = dnsNameProblem(v);
	return problem && `"${v}" ${problem}; a DNS domain without a trailing dot, e.g. cluster.local`;
});

const etcdEndpoint = ruled(z.string(), (v) => {
	const parsed = parseEtcdEndpoint(v);
	return 'problem' in parsed ? parsed.problem : undefined;
});

const nonEmpty = () => z.string().check(z.minLength(1));
const port = () => z.int().check(z.minimum(1), z.maximum(65535));
const days = () => z.int().check(z.minimum(1), z.maximum(36500));
const path = nonEmpty;
/** A directory on the nodes (paths.*): it reaches shell commands, unit files and chmod. */
const remoteDir = () => ruled(nonEmpty(), remoteDirectoryProblem);
const flagArgs = () =>
	z._default(
		z
			.record(z.string(), ruled(z.string(), flagValueProblem))
			.check(
				z.superRefine((args, ctx) => {
					const entries = Object.entries(args);
					// Checked here, not as the record's key schema: zod reports a bad key only as "Invalid key in record".
					for (const [name] of entries) {
						if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) ctx.addIssue({code: 'custom', path: [name], message: 'must be a flag name without "--": lower-case letters, digits and "-"'});
					}
					const total = entries.reduce((n, [k, v]) => n + execStartLength(k, v), 0);
					if (total <= EXTRA_ARGS_LINE_BUDGET) return;
					const [largest] = entries.reduce((a, b) => (execStartLength(...b) > execStartLength(...a) ? b : a));
					ctx.addIssue({
						code: 'custom',
						path: [largest],
						message: `makes the unit's ExecStart ${total} characters long with the other extraArgs; systemd reads at most ${EXTRA_ARGS_LINE_BUDGET} of them besides the tool's own flags (its line limit is 1 MiB)`,
					});
				}),
			),
		{},
	);

const sshOverrides = z.strictObject({
	/** Address or ~/.ssh/config alias to connect to (default: the node ip). */
	host: z.optional(nonEmpty()),
	user: z.optional(nonEmpty()),
	port: z.optional(port()),
	identityFile: z.optional(nonEmpty()),
});

const nodeSchema = z.strictObject({
	name: nodeName,
	ip: nodeIp,
	ssh: z.optional(sshOverrides),
});

/** etcd's own recommendation for the backend quota: at most 8 GiB (etcd.io "System limits"). */
export const MAX_ETCD_QUOTA_BYTES = 8 * 1024 ** 3;
/** A Go duration (1h, 30m, 1h30m) or a whole number of hours, as etcd's --auto-compaction-retention reads it in periodic mode. */
const compactionRetention = ruled(nonEmpty(), (v) =>
	/^\d+$/.test(v) || /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v) ? undefined : 'must be a duration like 1h or 30m (or a whole number of hours; 0 turns it off)',
);

const EXTERNAL_ONLY = ['endpoints', 'caFile', 'certFile', 'keyFile'] as const;
const STACKED_ONLY = ['binaries', 'dataDir', 'quotaBackendBytes', 'autoCompactionRetention', 'allowEvenMembers'] as const;

/**
 * etcd: `external` (the user's cluster, reached at etcd.endpoints, as in the guide) or
 * `stacked` (the tool runs one member per master on its own IP: clients 2379, peers 2380,
 * and its own etcd CA, see pki/etcd-specs.ts). Without `mode`, a profile that lists
 * endpoints is external (every profile written before stacked mode existed) and one without
 * is stacked. Every field is optional in the input so that each mode can refuse the other's
 * fields by name; the parsed value is a union on `mode` with that mode's defaults filled in.
 */
const etcdInput = z
	.strictObject({
		mode: z.optional(z.enum(['external', 'stacked'], {message: 'must be external (etcd.endpoints: your etcd cluster) or stacked (the tool runs etcd on the masters)'})),
		endpoints: z.optional(z.array(etcdEndpoint).check(z.minLength(1, 'must list at least one etcd endpoint (https://IP:2379)'))),
		/**
		 * local: a node that hosts an etcd member gives its apiserver that member only
		 * (kubeadm's stacked control plane); all: every apiserver gets every endpoint (the
		 * guide), its own member first in stacked mode. Default: local for external, all for
		 * stacked. See render/etcd-endpoints.ts.
		 */
		apiserverEndpoints: z.optional(z.enum(['local', 'all'])),
		/** External: CA that signed etcd serving certs (default: the cluster CA). */
		caFile: z.optional(path()),
		/** External: etcd client cert (default: the apiserver cert, as in the guide). */
		certFile: z.optional(path()),
		keyFile: z.optional(path()),
		/** Stacked: an etcd-vX.Y.Z-linux-amd64.tar.gz, or a directory holding etcd (and etcdctl, etcdutl). */
		binaries: z.optional(path()),
		/** Stacked: the member's data directory on every master. */
		dataDir: z.optional(remoteDir()),
		quotaBackendBytes: z.optional(
			z.int().check(
				z.minimum(1, 'must be a positive number of bytes, e.g. 8589934592 (8 GiB)'),
				z.maximum(MAX_ETCD_QUOTA_BYTES, `must be at most ${MAX_ETCD_QUOTA_BYTES} (8 GiB): etcd recommends no larger backend, a bigger database makes every defragmentation, snapshot and member catch-up slower`),
			),
		),
		autoCompactionRetention: z.optional(compactionRetention),
		allowEvenMembers: z.optional(z.boolean()),
	})
	.check(
		z.superRefine((e, ctx) => {
			const mode = e.mode ?? (e.endpoints === undefined ? 'stacked' : 'external');
			if (mode === 'stacked') {
				for (const field of EXTERNAL_ONLY) {
					if (e[field] === undefined) continue;
					ctx.addIssue({
						code: 'custom',
						path: [field],
						message:
							field === 'endpoints'
								? 'is derived from the nodes when the tool runs etcd on the masters (etcd.mode: stacked: https://NODE_IP:2379 each); remove it, or set etcd.mode: external to use your own etcd cluster'
								: 'is for an external etcd (etcd.mode: external); in stacked mode the tool creates the etcd CA and certificates itself: remove it',
					});
				}
				if (e.binaries === undefined) {
					ctx.addIssue({
						code: 'custom',
						path: ['binaries'],
						message: `is required when the tool runs etcd on the masters (etcd.mode: stacked${e.mode === undefined ? ', the mode of a profile without etcd.endpoints' : ''}): give an etcd-vX.Y.Z-linux-amd64.tar.gz or a directory holding etcd; or list etcd.endpoints to use your own etcd cluster`,
					});
				}
			} else {
				for (const field of STACKED_ONLY) {
					if (e[field] !== undefined) ctx.addIssue({code: 'custom', path: [field], message: 'is for an etcd the tool runs (etcd.mode: stacked); an external etcd is configured by whoever runs it: remove it'});
				}
				if (e.endpoints === undefined) ctx.addIssue({code: 'custom', path: ['endpoints'], message: 'is required with etcd.mode: external (https://IP:2379 of each member); or set etcd.mode: stacked to run etcd on the masters'});
			}
		}),
	);

/** The parsed `etcd` of an external etcd: exactly the fields of profiles before stacked mode, plus `mode`. */
export interface ExternalEtcd {
	mode: 'external';
	endpoints: string[];
	apiserverEndpoints: 'local' | 'all';
	caFile?: string | undefined;
	certFile?: string | undefined;
	keyFile?: string | undefined;
}

/** The parsed `etcd` of the members the tool runs, one per master (etcd/members.ts). */
export interface StackedEtcd {
	mode: 'stacked';
	apiserverEndpoints: 'local' | 'all';
	/** Local path: tarball or directory (etcd/etcd-binaries.ts). */
	binaries: string;
	dataDir: string;
	quotaBackendBytes: number;
	autoCompactionRetention: string;
	allowEvenMembers: boolean;
}

export type EtcdSetting = ExternalEtcd | StackedEtcd;

/**
 * Stacked defaults. Auto-compaction: the apiserver already compacts etcd every 5 minutes
 * (--etcd-compaction-interval), so kubeadm sets none; periodic 1h here is a safety net that
 * bounds the history should that compaction be off or another client write, and costs
 * nothing otherwise (etcd's own default is no compaction at all).
 */
export const STACKED_ETCD_DEFAULTS = {dataDir: '/var/lib/etcd', quotaBackendBytes: MAX_ETCD_QUOTA_BYTES, autoCompactionRetention: '1h', allowEvenMembers: false} as const;

const etcdSchema = z.prefault(
	z.pipe(
		etcdInput,
		z.transform((e): EtcdSetting => {
			const mode = e.mode ?? (e.endpoints === undefined ? 'stacked' : 'external');
			if (mode === 'external') {
				return {
					mode,
					endpoints: e.endpoints ?? [],
					apiserverEndpoints: e.apiserverEndpoints ?? 'local',
					...(e.caFile !== undefined ? {caFile: e.caFile} : {}),
					...(e.certFile !== undefined ? {certFile: e.certFile} : {}),
					...(e.keyFile !== undefined ? {keyFile: e.keyFile} : {}),
				};
			}
			return {
				mode,
				// Own member first, then the others: the apiserver stays ready while its own member restarts (a rolling etcd change).
				apiserverEndpoints: e.apiserverEndpoints ?? 'all',
				binaries: e.binaries ?? '',
				dataDir: e.dataDir ?? STACKED_ETCD_DEFAULTS.dataDir,
				quotaBackendBytes: e.quotaBackendBytes ?? STACKED_ETCD_DEFAULTS.quotaBackendBytes,
				autoCompactionRetention: e.autoCompactionRetention ?? STACKED_ETCD_DEFAULTS.autoCompactionRetention,
				allowEvenMembers: e.allowEvenMembers ?? STACKED_ETCD_DEFAULTS.allowEvenMembers,
			};
		}),
	),
	{},
);

const base64Key = z.string().check(
	z.refine((v) => isAesKey(v), {
		message: 'must be base64 of 16, 24 or 32 random bytes (e.g. `head -c 32 /dev/urandom | base64`), or omitted to generate one',
	}),
	z.refine((v) => !isAesKey(v) || !isAllZeroKey(v), {
		message: 'is all zero bytes, which protects nothing; use random bytes (`head -c 32 /dev/urandom | base64`), or omit it to generate one',
	}),
);

// zod/mini has no messages of its own until a locale is configured ("Invalid input" for
// everything); classic zod configures English the same way.
z.config(en());

// zod/mini, not the classic zod API: the same validation, but building the schema and
// parsing a profile cost a third as much, and `render` pays both on every run.
export const ProfileSchema = z
	.strictObject({
		name: z
			.string()
			.check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/, 'must be letters, digits, ".", "_" or "-" (it names the state directory)')),
		kubernetesVersion: z.enum(SUPPORTED_VERSIONS, {
			message: `must be one of ${SUPPORTED_VERSIONS.join(', ')} (a minor version, as a string)`,
		}),
		/** A directory holding kube-apiserver, kube-controller-manager, kube-scheduler, kubectl, or a kubernetes-server-linux-*.tar.gz. */
		binaries: path(),
		nodes: z.array(nodeSchema).check(z.minLength(1, 'must list at least one master node')),
		ssh: z.prefault(
			z.strictObject({
				// Like ssh's -l and -p: given, they win over ~/.ssh/config; omitted, the config's
				// User/Port apply, else your local user name and port 22 (as with ssh itself).
				user: z.optional(nonEmpty()),
				port: z.optional(port()),
				identityFile: z.optional(nonEmpty()),
			}),
			{},
		),
		network: z.prefault(
			z.strictObject({
				serviceCidr: z._default(serviceCidr, '10.254.0.0/16'),
				podCidr: z._default(cidr, '172.30.0.0/16'),
				nodePortRange: z._default(z.string(), '30000-32767').check(
					z.refine((v) => parsePortRange(v) !== undefined, {message: 'must be "LOW-HIGH" with 1 <= LOW < HIGH <= 65535, e.g. 30000-32767'}),
				),
				clusterDomain: z._default(clusterDomain, 'cluster.local'),
			}),
			{},
		),
		etcd: etcdSchema,
		pki: z.prefault(
			z.strictObject({
				caCert: z.optional(path()),
				caKey: z.optional(path()),
				caValidityDays: z._default(days(), 3650),
				certValidityDays: z._default(days(), 365),
			}),
			{},
		),
		apiserver: z.prefault(
			z.strictObject({
				extraSans: z._default(z.array(ruled(nonEmpty(), sanProblem)), []),
				/**
				 * The one address clients use (a load balancer or VIP the user runs), HOST[:PORT]:
				 * in every serving certificate, and the admin kubeconfig's server.
				 */
				endpoint: z.optional(ruled(nonEmpty(), (v) => {
					const parsed = parseClientEndpoint(v);
					return 'problem' in parsed ? parsed.problem : undefined;
				})),
				extraArgs: flagArgs(),
			}),
			{},
		),
		controllerManager: z.prefault(z.strictObject({extraArgs: flagArgs()}), {}),
		scheduler: z.prefault(z.strictObject({extraArgs: flagArgs()}), {}),
		encryption: z.prefault(
			z
				.strictObject({
					key: z.optional(base64Key),
					/** Unset: the kept one on an installed cluster, secretbox on a new one. */
					provider: z.optional(z.enum(ENCRYPTION_PROVIDERS)),
				})
				.check(
					z.refine((e) => e.provider !== 'secretbox' || e.key === undefined || !isAesKey(e.key) || Buffer.from(e.key, 'base64').length === 32, {
						path: ['key'],
						message: 'secretbox needs a 32-byte key (`head -c 32 /dev/urandom | base64`); a 16- or 24-byte key works with provider aescbc or aesgcm',
					}),
				),
			{},
		),
		paths: z.prefault(
			z.strictObject({
				binDir: z._default(remoteDir(), '/opt/k8s/bin'),
				certDir: z._default(remoteDir(), '/etc/kubernetes/cert'),
				configDir: z._default(remoteDir(), '/etc/kubernetes'),
				unitDir: z._default(remoteDir(), '/etc/systemd/system'),
				dataDir: z._default(remoteDir(), '/data/k8s/k8s'),
			}),
			{},
		),
	})
	.check(
		z.superRefine((p, ctx) => {
			const seenNames = new Map<string, number>();
			const seenIps = new Map<string, number>();
			p.nodes.forEach((n, i) => {
				const nameAt = seenNames.get(n.name);
				if (nameAt !== undefined) {
					ctx.addIssue({code: 'custom', path: ['nodes', i, 'name'], message: `duplicates nodes[${nameAt}].name "${n.name}"; every node needs its own name`});
				} else seenNames.set(n.name, i);
				const ipAt = seenIps.get(n.ip);
				if (ipAt !== undefined) {
					ctx.addIssue({code: 'custom', path: ['nodes', i, 'ip'], message: `duplicates nodes[${ipAt}].ip ${n.ip}; every node needs its own address`});
				} else seenIps.set(n.ip, i);
				for (const [field, range] of [
					['serviceCidr', p.network.serviceCidr],
					['podCidr', p.network.podCidr],
				] as const) {
					// Refinements run even when a field failed; an invalid ip is already reported.
					if (isIP(n.ip) === 4 && isCidr(range) && cidrContains(range, n.ip)) {
						ctx.addIssue({code: 'custom', path: ['nodes', i, 'ip'], message: `${n.ip} lies inside network.${field} ${range}; node addresses must be outside the service and pod networks`});
					}
				}
			});
			const seenEndpoints = new Map<string, number>();
			if (p.etcd.mode === 'stacked' && p.nodes.length % 2 === 0 && !p.etcd.allowEvenMembers) {
				const n = p.nodes.length;
				ctx.addIssue({
					code: 'custom',
					path: ['nodes'],
					message: `lists ${n} masters, and each runs an etcd member (etcd.mode: stacked): ${n} members tolerate ${n / 2 - 1} failed, no more than ${n - 1} would, yet every write waits for ${n / 2 + 1} of them; use ${n - 1} or ${n + 1} masters, or set etcd.allowEvenMembers: true (e.g. while replacing a master)`,
				});
			}
			(p.etcd.mode === 'external' ? (p.etcd.endpoints as string[] | undefined) ?? [] : []).forEach((url, i) => {
				const parsed = parseEtcdEndpoint(url);
				if ('problem' in parsed) return;
				const key = `${parsed.host}:${parsed.port}`;
				const at = seenEndpoints.get(key);
				if (at !== undefined) ctx.addIssue({code: 'custom', path: ['etcd', 'endpoints', i], message: `duplicates etcd.endpoints[${at}] (${url}); list each member once`});
				else seenEndpoints.set(key, i);
			});
			const {serviceCidr, podCidr} = p.network;
			if (isCidr(serviceCidr) && isCidr(podCidr) && cidrsOverlap(serviceCidr, podCidr)) {
				ctx.addIssue({code: 'custom', path: ['network', 'podCidr'], message: `${podCidr} overlaps network.serviceCidr ${serviceCidr}; choose disjoint ranges (guide: 10.254.0.0/16 and 172.30.0.0/16)`});
			}
			if (p.pki.caCert !== undefined && p.pki.caKey === undefined) {
				ctx.addIssue({code: 'custom', path: ['pki', 'caKey'], message: 'is required when pki.caCert is given (the CA key signs the new certificates); omit both to create a new CA'});
			}
			if (p.pki.caKey !== undefined && p.pki.caCert === undefined) {
				ctx.addIssue({code: 'custom', path: ['pki', 'caCert'], message: 'is required when pki.caKey is given; omit both to create a new CA'});
			}
			if (p.etcd.mode === 'external' && (p.etcd.certFile === undefined) !== (p.etcd.keyFile === undefined)) {
				ctx.addIssue({code: 'custom', path: ['etcd', p.etcd.certFile === undefined ? 'certFile' : 'keyFile'], message: 'etcd.certFile and etcd.keyFile go together; give both or neither'});
			}
			if (p.pki.certValidityDays > p.pki.caValidityDays) {
				ctx.addIssue({code: 'custom', path: ['pki', 'certValidityDays'], message: `must not exceed pki.caValidityDays (${p.pki.caValidityDays})`});
			}
		}),
	);

/** What a profile file holds (defaults optional). */
export type ProfileInput = z.input<typeof ProfileSchema>;
/** A validated profile with every default filled in. */
export type Profile = z.output<typeof ProfileSchema>;
export type ProfileNode = Profile['nodes'][number];

export function isCidr(value: string): boolean {
	if (!/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(value)) return false;
	try {
		const a = new Address4(value);
		// The address must be the network address itself (10.254.0.0/16, not 10.254.1.2/16).
		return a.isCorrect() && a.startAddress().bigInt() === a.bigInt();
	} catch {
		return false;
	}
}

export function cidrContains(range: string, ip: string): boolean {
	return new Address4(ip).isInSubnet(new Address4(range));
}

export function cidrsOverlap(a: string, b: string): boolean {
	const x = new Address4(a);
	const y = new Address4(b);
	// CIDR blocks either nest or are disjoint.
	return x.isInSubnet(y) || y.isInSubnet(x);
}

/** The first usable address of a network: the `kubernetes` Service's ClusterIP. */
export function firstHostIp(range: string): string {
	return Address4.fromBigInt(new Address4(range).startAddress().bigInt() + 1n).address;
}

export function parsePortRange(value: string): {low: number; high: number} | undefined {
	const m = /^(\d{1,5})-(\d{1,5})$/.exec(value);
	if (!m) return undefined;
	const low = Number(m[1]);
	const high = Number(m[2]);
	if (low < 1 || high > 65535 || low >= high) return undefined;
	return {low, high};
}

export function isAesKey(value: string): boolean {
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.length % 4 !== 0) return false;
	return [16, 24, 32].includes(Buffer.from(value, 'base64').length);
}
