import type {ProfileNode, StepName} from '../profile/schema.js';
import type {Plan} from '../plan/types.js';
import type {ZstdCopies} from '../plan/zstd-copies.js';
import type {EventSink} from './events.js';
import type {JournalStore} from './journal.js';
import type {NodeSession} from './node-session.js';
import type {HealthProbe} from './services.js';
import type {EtcdClusterProbe} from '../etcd/https-etcd-probe.js';
import type {InstalledNodes} from './installed-nodes.js';

/** What a run of the install/converge operation is given (runner.ts). */
export interface RunnerOptions {
	plan: Plan;
	/** A session on the node: the typed operations over its SSH connection (node-session.ts). */
	connect: (node: ProfileNode) => Promise<NodeSession>;
	health: HealthProbe;
	/** A stacked etcd as the tool sees it (default: over HTTPS with the plan's etcd client, run/etcd-member/). */
	etcdProbe?: EtcdClusterProbe;
	emit: EventSink;
	/** Local facts the preflight compares against. */
	binaries: {arch: string; totalBytes: number};
	dryRun?: boolean;
	only?: readonly StepName[];
	skip?: readonly StepName[];
	concurrency?: number;
	stepTimeoutMs?: Partial<Record<StepName, number>>;
	healthTimeoutMs?: number;
	leaseTimeoutMs?: number;
	/** How often health is polled while a service starts (tests shorten it). */
	healthPollMs?: number;
	maxClockSkewSeconds?: number;
	/** zstd copies of the binaries, sent to nodes that can decompress them (see zstd-copies.ts). */
	zstdCopies?: ZstdCopies;
	/** Aborting lets in-flight steps finish (uploads are atomic) and starts nothing new. */
	signal?: AbortSignal;
	retries?: number;
	/** How long a rolling restart waits for the service to be healthy on every other node (default 90 s). */
	peerWaitMs?: number;
	/**
	 * In a rolling change, how long a restarted service must stay healthy (every poll ok,
	 * no restart by systemd) before the next node is touched (default 10 s; 0 turns it off).
	 */
	stabilityWindowMs?: number;
	/**
	 * In a rolling change, put a node that fails back to the files it had (its previous
	 * generation) and restart what was restarted (default true; false leaves it for debugging).
	 */
	rollback?: boolean;
	/**
	 * Cluster objects the control plane needs once it serves (the kubelet API binding),
	 * ensured in the first node's verify step. Returns what changed (or would, dryRun).
	 */
	ensureClusterObjects?: (dryRun: boolean) => Promise<string[]>;
	/**
	 * Before a minor upgrade touches any node: an etcd snapshot (apply-action.ts), its
	 * description returned for the log. A failure stops the upgrade before any change.
	 * Absent with --no-etcd-snapshot.
	 */
	beforeMinorUpgrade?: () => Promise<string>;
	/**
	 * A stacked etcd moves to its next minor in this run (its members' status said the one
	 * before; apply-action.ts): the snapshot is taken first as for a Kubernetes minor upgrade.
	 */
	etcdMinorUpgrade?: boolean;
	/**
	 * Where a rolling change keeps its journal (journal.ts; the state dir in apply-action.ts),
	 * so a run killed part-way can be carried on. Absent: no journal.
	 */
	journal?: JournalStore;
	/**
	 * Carry on a half-done upgrade (components on two minors) that no journal here records
	 * (--allow-mixed-releases); without it such a run is refused.
	 */
	allowMixedReleases?: boolean;
	/**
	 * The nodes this state directory installed (state/installed-nodes-file.ts): the gate
	 * accepts the identity files it placed there, and a run past the gate records each node
	 * it finished. Absent: nothing known, nothing recorded (a dry run reads, never records).
	 */
	installed?: InstalledNodes;
	/**
	 * Per path, identity contents the gate accepts on any node besides the planned and the
	 * placed ones: a resumed encryption rotation's configs of every phase (a node a killed run
	 * left one phase behind holds the previous one). Absent: none.
	 */
	acceptedIdentity?: ReadonlyMap<string, ReadonlySet<string>>;
	/**
	 * Masters that left the profile and are removed after this run (apply-removal.ts): until
	 * then they serve, and a Lease they hold is held by a master of the cluster.
	 */
	leavingMasters?: ReadonlyArray<{name: string; hostname: string | null; ip?: string}>;
	/**
	 * Called once the gate passed and before the first write on any node, never by a dry run:
	 * the state directory's new material is committed here, so a refused run leaves none.
	 */
	beforeFirstWrite?: () => Promise<void>;
}

export interface RunResult {
	ok: boolean;
	failedNodes: string[];
	/** The change was refused before anything was written (e.g. a release the skew policy forbids): exit 2. */
	refused?: boolean;
	/** Remote paths written and services restarted, per node. */
	changed: Map<string, string[]>;
}
