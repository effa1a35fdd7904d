import {z} from 'zod';
import {PROBE_STATES} from '../cluster/https-get.js';
import {SERVICES} from '../cluster/services.js';

/**
 * The shape of one status snapshot, as `status --json` prints it (one JSON value per line;
 * `--watch --json` prints one per refresh). This zod schema is the single definition: the
 * TypeScript types below are inferred from it, e2e tests validate output with it, and
 * `docs/status.schema.json` is generated from it (`statusJsonSchema()`).
 *
 * Times are ISO 8601 UTC strings; durations in milliseconds; `null` means "not known"
 * (for example systemd state when the node is unreachable over SSH).
 */

const isoTime = z.iso.datetime().describe('ISO 8601 UTC time');

/** How one HTTPS probe ended. */
export const ProbeStateSchema = z
	.enum(PROBE_STATES)
	.describe(
		'ok: HTTP 200; failed: answered with another status; timeout: no answer within the probe timeout; error: connection refused/reset or similar; untrusted: the served certificate does not verify against the cluster CA or lacks the node IP',
	);

export const HttpProbeSchema = z.object({
	state: ProbeStateSchema,
	httpStatus: z.number().int().nullable(),
	/** A short reason: error code, or the first line of a non-200 body. Never credentials. */
	detail: z.string().nullable(),
	durationMs: z.number().nonnegative(),
});

export const ReadyzCheckSchema = z.object({
	name: z.string().describe('check name as /readyz?verbose prints it, e.g. etcd or poststarthook/rbac/bootstrap-roles'),
	reason: z.string().nullable(),
});

export const UnitStatusSchema = z.object({
	unit: z.enum(SERVICES),
	loadState: z.string().describe('systemd LoadState: loaded, not-found, ...'),
	activeState: z.string().describe('systemd ActiveState: active, failed, inactive, activating, ...'),
	subState: z.string().describe('systemd SubState: running, dead, auto-restart, ...'),
	result: z.string().nullable().describe('systemd Result of the last run, e.g. success, exit-code'),
	nRestarts: z.number().int().nullable().describe('automatic restarts by systemd since the unit was last started by hand'),
	since: isoTime.nullable().describe('when the unit entered its current state'),
	mainStartedAt: isoTime.nullable().describe('when the current (or last) main process started'),
});

export const SshProbeSchema = z.object({
	state: z.enum(['ok', 'timeout', 'error', 'unreachable']).describe('unreachable: no SSH connection to the node'),
	detail: z.string().nullable(),
	durationMs: z.number().nonnegative(),
});

export const CertificateSchema = z.object({
	source: z.string().describe('file path on the node, "<kubeconfig path> (client)" or the https://IP:PORT that served it'),
	kind: z.enum(['file', 'kubeconfig', 'served']),
	subject: z.string().nullable(),
	notAfter: isoTime,
	daysLeft: z.number().int().describe('whole days until notAfter; negative when expired'),
});

const unitsShape = Object.fromEntries(SERVICES.map((s) => [s, UnitStatusSchema.nullable()])) as Record<
	(typeof SERVICES)[number],
	z.ZodNullable<typeof UnitStatusSchema>
>;

export const NodeEncryptionSchema = z.object({
	sha256: z.string().describe('of the file'),
	provider: z.string().nullable().describe('the first provider: the one Secrets are written with'),
	keyName: z.string().nullable().describe('its first key; null for identity'),
});

const KeyRefSchema = z.object({provider: z.string(), keyName: z.string()});

export const StateEncryptionSchema = z.object({
	provider: z.string(),
	keyName: z.string(),
	sha256: z.string().describe('of the config the state directory renders'),
	rotation: z
		.object({
			startedAt: z.string(),
			from: KeyRefSchema,
			to: KeyRefSchema,
			phase: z.string().describe('read-enable, write-switch, rewrite, verify or drop-old'),
			rewritten: z.number().nullable().describe('Secrets written again so far (the rewrite), null before it'),
			total: z.number().nullable(),
		})
		.optional()
		.describe('an encryption rotation in progress: its journal in the state directory (`encryption rotate` carries it on)'),
});

export const StoredSecretsSchema = z
	.object({
		endpoint: z.string().nullable().describe('the etcd endpoint read; null: none answered (see error)'),
		total: z.number().int(),
		byKey: z.array(z.object({provider: z.string(), keyName: z.string(), count: z.number().int()})).describe('encrypted values by provider and key name (`k8s:enc:<provider>:v1:<key name>:`)'),
		plaintext: z.number().int().describe('values stored without encryption'),
		other: z.number().int().describe('values of no known form'),
		error: z.string().optional(),
	})
	.describe('status --encryption: the Secrets in etcd, counted by how they are stored');

export const NodeStatusSchema = z.object({
	name: z.string(),
	ip: z.string(),
	/** SSH reachable (systemd state and certificate files were read). */
	reachable: z.boolean(),
	hostname: z.string().nullable(),
	ssh: SshProbeSchema,
	units: z.object(unitsShape),
	apiserver: z.object({
		livez: HttpProbeSchema,
		readyz: HttpProbeSchema,
		failingChecks: z.array(ReadyzCheckSchema),
		version: z.string().nullable().describe('gitVersion from /version'),
	}),
	controllerManager: z.object({healthz: HttpProbeSchema}),
	scheduler: z.object({healthz: HttpProbeSchema}),
	certificates: z.array(CertificateSchema),
	/** Read with the certificate files; absent when not read (status from an older caller). */
	encryption: NodeEncryptionSchema.nullable().optional().describe('the encryption config on the node; null: it has none'),
});

export const LeaseStatusSchema = z.object({
	name: z.string().describe('kube-system Lease name'),
	state: z
		.enum(['held', 'expired', 'absent', 'unknown'])
		.describe('held: renewed within leaseDurationSeconds; expired: renewTime + leaseDurationSeconds is past; absent: no Lease or no holder; unknown: could not be read'),
	holderIdentity: z.string().nullable().describe('<hostname>_<uuid>'),
	holderNode: z.string().nullable().describe('the profile node the holder runs on, when it maps to one'),
	renewTime: isoTime.nullable(),
	leaseDurationSeconds: z.number().int().nullable(),
	transitions: z.number().int().nullable(),
	expired: z.boolean(),
	readFrom: z.string().nullable().describe('node whose apiserver answered'),
	detail: z.string().nullable(),
});

export const ChangeNodeSchema = z.object({
	node: z.string(),
	finished: z.array(z.enum(SERVICES)).describe('services that passed their gate with the new files'),
	done: z.boolean().describe('every restart the change planned on the node is finished'),
	rolledBack: z.boolean().describe('the node was rolled back to the files it held before the change'),
});

/** A rolling change (apply) that has not run to its end, as its journal in the state directory records it. */
export const ChangeSchema = z
	.discriminatedUnion('state', [
		z.object({
			state: z
				.enum(['interrupted', 'stopped'])
				.describe('interrupted: the run was killed or interrupted (apply carries it on); stopped: it stopped at a failed node (fix the profile, apply again)'),
			startedAt: isoTime,
			release: z.string().describe('the Kubernetes release the change leads to, e.g. v1.37.2'),
			order: z.array(z.string()).describe('the nodes in the order the change restarts them'),
			nodes: z.array(ChangeNodeSchema).describe('in that order'),
		}),
		z.object({
			state: z.literal('unreadable').describe('the journal file exists but cannot be read; the next apply starts afresh'),
			file: z.string(),
			reason: z.string(),
		}),
	])
	.describe('the unfinished rolling change kept in the state directory (rollout-journal.json); null when there is none');

/** How clients reach the control plane (status/clients.ts). */
export const ClientsSchema = z
	.object({
		endpoint: z.string().nullable().describe('apiserver.endpoint (HOST[:PORT]), the admin kubeconfig\'s server; null: none, the admin kubeconfig has one context per master and clients have no failover'),
		answers: z.boolean().nullable().describe('the endpoint answered /readyz with ok through the cluster CA; null without an endpoint'),
		detail: z.string().nullable().describe('why it did not answer'),
	})
	.describe('how clients reach the apiservers');

/** A node this state directory installed that the profile no longer names (installed-nodes.json). */
export const DepartedNodeSchema = z.object({
	name: z.string(),
	ip: z.string(),
	installedAt: isoTime,
});

/** One member of a stacked etcd as its /v3/maintenance/status answered (status/etcd.ts). */
export const EtcdMemberStatusSchema = z.object({
	name: z.string().describe('the member: the master it runs on'),
	healthy: z.boolean().describe('answered through the tool\'s etcd client certificate and reports no alarm'),
	detail: z.string().nullable().describe('why it did not answer; null when it did'),
	leader: z.boolean().describe('it is the leader the members name'),
	version: z.string().nullable().describe('the etcd server version'),
	dbSizeBytes: z.number().nonnegative().nullable().describe('the size of its backend database file'),
	raftIndex: z.number().int().nonnegative().nullable(),
	raftLag: z.number().int().nullable().describe("the leader's raft index minus this member's; null when either is not known"),
	alarms: z.array(z.string()).describe('the alarms it reports, e.g. NOSPACE (the database reached the quota: writes refused) or CORRUPT'),
	learner: z.boolean().nullable().describe('a learner (added, not yet voting); null when the member list was not read'),
});

/** A stacked etcd (etcd.mode: stacked): one member per master, read from this machine over HTTPS on 2379. */
export const EtcdStatusSchema = z
	.object({
		members: z.array(EtcdMemberStatusSchema).describe("in the profile's node order"),
		leader: z.string().nullable().describe('the member every answering member names as leader; null: none, or they disagree (an election)'),
		quotaBytes: z.number().int().positive().describe('etcd.quotaBackendBytes: at this database size a member raises NOSPACE'),
		problem: z.string().nullable().describe('what keeps the cluster from being as the profile says (the gate apply waits on), or null'),
	})
	.describe('the stacked etcd the tool runs on the masters');

export const StatusSnapshotSchema = z.object({
	schemaVersion: z.literal(1),
	profile: z.string(),
	timestamp: isoTime,
	durationMs: z.number().nonnegative(),
	nodes: z.array(NodeStatusSchema),
	leases: z.object({controllerManager: LeaseStatusSchema, scheduler: LeaseStatusSchema}),
	/** Read from the state directory, not probed: absent when the caller has no state directory. */
	change: ChangeSchema.nullable().optional(),
	clients: ClientsSchema.optional(),
	/** Read from the state directory: absent when the caller has no state directory. */
	departed: z.array(DepartedNodeSchema).optional(),
	/** Read from the state directory: absent when the caller has none or no key is kept. */
	encryption: StateEncryptionSchema.optional().describe('the encryption config the state directory renders'),
	storedSecrets: StoredSecretsSchema.optional(),
	/** Probed only for etcd.mode: stacked; absent otherwise. */
	etcd: EtcdStatusSchema.nullable().optional(),
});

export const ProblemSchema = z.object({
	severity: z.enum(['down', 'failed', 'degraded', 'warning']),
	node: z.string().nullable(),
	component: z.enum(['apiserver', 'controllerManager', 'scheduler', 'ssh', 'certificates', 'lease', 'etcd']).nullable(),
	message: z.string(),
	hint: z.string().describe('what to look at next'),
});

export const HealthSchema = z.object({
	status: z.enum(['healthy', 'degraded', 'down']),
	exitCode: z.union([z.literal(0), z.literal(1), z.literal(3)]).describe('the exit code: 0 healthy, 1 down, 3 degraded (2 is invalid input, never in a report)'),
	certWarningDays: z.number().int(),
	problems: z.array(ProblemSchema).describe('worst first'),
});

/** One line of `status --json` output: the probe results plus their assessment. */
export const StatusReportSchema = StatusSnapshotSchema.extend({
	change: ChangeSchema.nullable(),
	clients: ClientsSchema,
	departed: z.array(DepartedNodeSchema).describe('nodes installed by this state directory that the profile no longer names (their services may still run)'),
	etcd: EtcdStatusSchema.nullable().describe('the stacked etcd (etcd.mode: stacked); null for an external etcd, which status does not probe (its own tools watch it)'),
	health: HealthSchema,
}).describe(
	'k8s-master-setup status --json: one snapshot of the control plane (NDJSON with --watch)',
);

export type ProbeState = z.infer<typeof ProbeStateSchema>;
export type ClientsStatus = z.infer<typeof ClientsSchema>;
export type HttpProbe = z.infer<typeof HttpProbeSchema>;
export type ReadyzCheck = z.infer<typeof ReadyzCheckSchema>;
export type UnitStatus = z.infer<typeof UnitStatusSchema>;
export type SshProbe = z.infer<typeof SshProbeSchema>;
export type CertificateStatus = z.infer<typeof CertificateSchema>;
export type NodeStatus = z.infer<typeof NodeStatusSchema>;
export type NodeEncryption = z.infer<typeof NodeEncryptionSchema>;
export type StoredSecrets = z.infer<typeof StoredSecretsSchema>;
export type StateEncryption = z.infer<typeof StateEncryptionSchema>;
export type EtcdMemberStatus = z.infer<typeof EtcdMemberStatusSchema>;
export type EtcdStatus = z.infer<typeof EtcdStatusSchema>;
export type LeaseStatus = z.infer<typeof LeaseStatusSchema>;
export type StatusSnapshot = z.infer<typeof StatusSnapshotSchema>;
export type ChangeStatus = z.infer<typeof ChangeSchema>;
export type Problem = z.infer<typeof ProblemSchema>;
export type Health = z.infer<typeof HealthSchema>;
export type StatusReport = z.infer<typeof StatusReportSchema>;

/** The JSON Schema (draft 2020-12) of a `status --json` line; docs/status.schema.json holds a copy. */
export function statusJsonSchema(): Record<string, unknown> {
	return {
		...z.toJSONSchema(StatusReportSchema, {target: 'draft-2020-12'}),
		title: 'k8s-master-setup status report',
	};
}
