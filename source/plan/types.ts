import type {ServiceName} from '../cluster/services.js';
import type {EtcdMember} from '../etcd/members.js';
import type {Profile, ProfileNode, StepName} from '../profile/schema.js';
import type {EtcdClientCredentials} from '../snapshot/etcd-https.js';

/**
 * The plan: the desired content of every file on every node, computed by pure
 * functions from a profile, the kept PKI material and the binaries. No I/O here.
 */

// The service names and their steps are the cluster vocabulary's (source/cluster/services.ts).
export {SERVICE_STEP, SERVICES, type ServiceName} from '../cluster/services.js';

export interface PlannedFile {
	/** Absolute path on the node. */
	path: string;
	/** e.g. 0o600 for keys and secrets, 0o644, 0o755 for binaries. */
	mode: number;
	/** The step that writes it: binaries, certificates, configs, apiserver (unit), ... */
	step: StepName;
	/** In-memory content (certs, configs, units) ... */
	content?: Buffer;
	/** ... or a local file streamed from disk (binaries). Exactly one is set. */
	localPath?: string;
	/** sha256 hex of the content. */
	sha256: string;
	size: number;
	/** Keys, the encryption config: never printed, diffs masked. */
	secret: boolean;
	/** Services that must restart when this file changes. */
	services: ServiceName[];
	/**
	 * Set on the files that make the cluster what it is (its CA, service-account public key,
	 * front-proxy CA, encryption config): a node that holds another content of one belongs to
	 * a cluster this state directory did not build (run/cluster-identity.ts).
	 */
	identity?: IdentityRole;
	/** A stacked etcd member's input (etcd.mode: stacked): the member restarts when it changes (run/etcd-member/). */
	member?: true;
}

/** The files whose content is the cluster's identity, named as the user knows them. */
export type IdentityRole = 'cluster CA' | 'front-proxy CA' | 'service-account public key' | 'encryption config';

export interface NodePlan {
	node: ProfileNode;
	/** Directories to create (0755, or 0700 for the cert dir) before files are placed. */
	directories: Array<{path: string; mode: number}>;
	files: PlannedFile[];
	/**
	 * A stacked etcd's member (etcd.mode: stacked): `new` when it founds the cluster with the
	 * other masters, `existing` when it joins a running cluster (added as a learner first,
	 * run/etcd-member/join-member.ts).
	 */
	etcdBootstrap?: 'new' | 'existing';
}

export interface Plan {
	profile: Profile;
	/** Full release, e.g. v1.37.2, read from the binaries. */
	kubernetesRelease: string;
	nodes: NodePlan[];
	/** The admin kubeconfig (O system:masters) written locally, never to nodes. */
	adminKubeconfig: string;
	/** A stacked etcd (etcd.mode: stacked): its release, members and the tool's client (never printed). */
	etcd?: StackedEtcdPlan;
}

export interface StackedEtcdPlan {
	/** e.g. 3.6.16, read from the binary. */
	version: string;
	members: EtcdMember[];
	client: EtcdClientCredentials;
}
