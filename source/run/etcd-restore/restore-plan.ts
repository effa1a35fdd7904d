// `etcd restore`, the pure part: the scripts each master runs, the values they share, and
// the lines the command prints. A restore makes a new etcd cluster from one snapshot: every
// member's data dir is rebuilt by `etcdutl snapshot restore` with the same member list (the
// profile's masters, each on its own peer URL) and a cluster token of its own, so a member
// left on the old data can never rejoin the new cluster (etcd's disaster-recovery guide).
//
// Each node's work is split so that nothing is lost before the new data exists everywhere:
// `prepare` builds the restored data dir beside the member's (<dataDir>.restore) while the
// old cluster may still serve; only once every master has one are the control plane and the
// members stopped, and `swap` renames the old data dir to <dataDir>.before-restore-<stamp>
// (kept: the way back) and the restored one into its place. Renames in one parent directory:
// a node holds either its old data or the restored data under dataDir, never a part.
// Every script is idempotent, so a run killed anywhere is run again from the start.
//
// The revision is bumped (etcdutl --bump-revision, --mark-compacted): a restored revision is
// behind the resourceVersions every apiserver watch cache and informer holds; bumped well
// past them and marked compacted, every watcher re-lists instead of trusting its cache
// (etcd's guide: 1,000,000,000 covers a week of 1,500 writes a second).
import {posix} from 'node:path';
import type {EtcdMember} from '../../etcd/members.js';
import {initialClusterFlag} from '../../etcd/members.js';
import {sh, shJoin, type ShellCommand} from '../../remote/shell.js';
import {utcStamp, type EncryptionKeyName} from '../../snapshot/record.js';
import {TOOL_STATE_DIR} from '../reset/reset-plan.js';
import {failedDir, keptDir, restoreDir, trimmed} from './restore-dirs.js';

export {failedDir, keptDir, restoreDir} from './restore-dirs.js';

/** etcd's recommended bump (op-guide/recovery): far beyond the writes of a week. */
export const DEFAULT_REVISION_BUMP = 1_000_000_000;

/** Where the snapshot is placed on each master for etcdutl, and removed after. */
export const NODE_SNAPSHOT_PATH = `${TOOL_STATE_DIR}/restore/snapshot.db`;

export interface RestoreValues {
	/** `20261207T120000Z`: names the kept data dirs and goes into the cluster token. */
	stamp: string;
	/** The new cluster's --initial-cluster-token. */
	token: string;
	/** Every master's member, in the profile's order: the new cluster's members. */
	members: readonly EtcdMember[];
	/** etcd.dataDir. */
	dataDir: string;
	/** The node's etcdutl (render/paths.ts). */
	etcdutl: string;
	bump: number;
}

/** `20261207T120000Z`: names the restore's kept dirs and its token (the snapshots' stamp). */
export const restoreStamp = utcStamp;

/** The restored cluster's token: the cluster's own (the profile name) and the restore's stamp. */
export function restoreToken(clusterToken: string, stamp: string): string {
	return `${clusterToken}-restored-${stamp}`;
}

/**
 * How far to bump the revision: etcd's default, or more when the cluster is known to be
 * further past the snapshot than that (the bump must take the revision past every one a
 * client has seen).
 */
export function revisionBump(snapshotRevision: number, currentRevision: number | undefined): number {
	if (currentRevision === undefined || currentRevision - snapshotRevision < DEFAULT_REVISION_BUMP / 2) return DEFAULT_REVISION_BUMP;
	return currentRevision - snapshotRevision + DEFAULT_REVISION_BUMP;
}

/**
 * Read-only facts for the preflight, one `key=value` a line: the node's etcdutl, whether a
 * data dir and a left-over restore dir are there, and the free space beside the data dir.
 */
export function restoreFactsScript(v: Pick<RestoreValues, 'dataDir' | 'etcdutl'>): ShellCommand {
	const parent = posix.dirname(trimmed(v.dataDir));
	return shJoin(
		[
			sh`if [ -x ${v.etcdutl} ]; then echo etcdutl=yes; else echo etcdutl=no; fi`,
			sh`if [ -d ${posix.join(trimmed(v.dataDir), 'member')} ]; then echo data=yes; else echo data=no; fi`,
			// Read only (a dry run runs this too): no free space said when the parent is not there.
			sh`echo free_kb=$(df -Pk ${parent} 2>/dev/null | awk 'NR==2 {print $4}')`,
		],
		'\n',
	);
}

export interface RestoreFacts {
	etcdutl: boolean;
	data: boolean;
	freeKb?: number;
}

export function parseRestoreFacts(stdout: string): RestoreFacts {
	const value = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(stdout)?.[1]?.trim();
	const free = Number(value('free_kb'));
	return {etcdutl: value('etcdutl') === 'yes', data: value('data') === 'yes', ...(Number.isFinite(free) && value('free_kb') ? {freeKb: free} : {})};
}

/** Why a node cannot take the restore, with the fix; undefined when it can (pure). */
export function judgeRestoreFacts(node: string, facts: RestoreFacts, snapshotBytes: number, etcdutl: string): {problem: string; hint: string} | undefined {
	if (!facts.etcdutl) {
		return {
			problem: `${node}: ${etcdutl} is not there: the restore runs etcd's etcdutl on each master`,
			hint: 'give etcd.binaries a release that has etcdutl (every official tarball since 3.5 does) and run `k8s-master-setup apply` first, which installs it',
		};
	}
	// The snapshot and the restored data side by side, with room to spare: the database is
	// written out once more by etcdutl (the old data dir stays until the restore is done).
	const needKb = Math.ceil((snapshotBytes * 2.5) / 1024);
	if (facts.freeKb !== undefined && facts.freeKb < needKb) {
		return {problem: `${node}: ${Math.round(facts.freeKb / 1024)} MiB free beside the etcd data dir, the restore needs about ${Math.round(needKb / 1024)} MiB`, hint: 'free space there (old <dataDir>.before-restore-* directories from an earlier restore may go), then run again'};
	}
	return undefined;
}

/**
 * On one master, while its member may still run: the restored data dir built beside the
 * member's from the snapshot placed at NODE_SNAPSHOT_PATH (a left-over one from a killed
 * run is made anew). etcdutl checks the snapshot's sha256 itself.
 */
export function prepareScript(v: RestoreValues, member: EtcdMember): ShellCommand {
	const target = restoreDir(v.dataDir);
	return shJoin(
		[
			sh`rm -rf -- ${target}`,
			sh`${v.etcdutl} snapshot restore ${NODE_SNAPSHOT_PATH} --data-dir ${target} --name ${member.name} --initial-cluster ${initialClusterFlag(v.members)} --initial-cluster-token ${v.token} --initial-advertise-peer-urls ${member.peerUrl} --bump-revision ${v.bump} --mark-compacted`,
			sh`chmod 700 -- ${target}`,
		],
		' && ',
	);
}

/**
 * With the member stopped: the old data dir kept as <dataDir>.before-restore-<stamp>, the
 * restored one renamed into place. Run again after it succeeded, it changes nothing.
 */
export function swapScript(v: Pick<RestoreValues, 'dataDir' | 'stamp'>): ShellCommand {
	const data = trimmed(v.dataDir);
	const target = restoreDir(data);
	const kept = keptDir(data, v.stamp);
	return shJoin(
		[
			// A kept dir is never overwritten: it may hold the only copy of the data from before.
			sh`if [ -d ${target} ]; then if [ -e ${data} ]; then if [ -e ${kept} ]; then echo ${`${kept} exists already`} >&2; exit 1; fi; mv -- ${data} ${kept}; fi && mv -- ${target} ${data}; fi`,
			sh`test -d ${posix.join(data, 'member')}`,
			sh`rm -f -- ${NODE_SNAPSHOT_PATH}`,
		],
		' && ',
	);
}

/**
 * A restore that did not serve, undone with the member stopped: the restored data dir kept
 * as <dataDir>.failed-restore-<stamp> (to look at) and the old one put back.
 */
export function putBackScript(v: Pick<RestoreValues, 'dataDir' | 'stamp'>): ShellCommand {
	const data = trimmed(v.dataDir);
	const kept = keptDir(data, v.stamp);
	const failed = failedDir(data, v.stamp);
	return sh`if [ -d ${kept} ]; then rm -rf -- ${failed}; if [ -e ${data} ]; then mv -- ${data} ${failed}; fi; mv -- ${kept} ${data}; fi`;
}

/** A restore given up before any member was stopped: the restored dir and the snapshot go. */
export function discardScript(v: Pick<RestoreValues, 'dataDir'>): ShellCommand {
	return sh`rm -rf -- ${restoreDir(v.dataDir)} && rm -f -- ${NODE_SNAPSHOT_PATH}`;
}

/**
 * Encryption keys the snapshot's Secrets were written with (its sidecar) that the cluster's
 * encryption config no longer has: restored, those Secrets could not be read. Empty when all
 * are there or the snapshot has no sidecar (unknown: said in the plan, not refused).
 */
export function missingKeys(snapshotKeys: readonly EncryptionKeyName[], currentKeys: readonly EncryptionKeyName[]): EncryptionKeyName[] {
	return snapshotKeys.filter((k) => k.provider !== 'identity' && !currentKeys.some((c) => c.provider === k.provider && c.name === k.name));
}

export interface SnapshotFacts {
	path: string;
	size: number;
	revision: number;
	/** From its sidecar, when it has one. */
	takenAt?: string;
	etcdRelease?: string;
	encryptionKeys?: EncryptionKeyName[];
}

export interface RestorePlanText {
	snapshot: SnapshotFacts;
	members: readonly EtcdMember[];
	dataDir: string;
	stamp: string;
	/** The cluster's revision now, when a member answered. */
	currentRevision?: number;
}

/** What the restore will do and what is lost, before the question (and for --dry-run). */
export function restorePlanLines(p: RestorePlanText): string[] {
	const s = p.snapshot;
	const lost =
		p.currentRevision === undefined
			? 'every change made since the snapshot was taken (the cluster does not answer now, so how many is not known)'
			: p.currentRevision - s.revision >= DEFAULT_REVISION_BUMP / 2
				? `every change made since the snapshot (the cluster is at revision ${p.currentRevision}, the snapshot at ${s.revision}: an earlier restore bumped the revision, so how many writes is not known)`
				: p.currentRevision > s.revision
				? `every change made since the snapshot: ${p.currentRevision - s.revision} revision(s) of writes (the cluster is at revision ${p.currentRevision}, the snapshot at ${s.revision})`
				: `nothing written since the snapshot, by revision (the cluster is at ${p.currentRevision}, the snapshot at ${s.revision})`;
	return [
		`etcd restore from ${s.path}`,
		`  snapshot: revision ${s.revision}, ${s.size} bytes${s.takenAt ? `, taken ${s.takenAt}` : ''}${s.etcdRelease ? ` from etcd ${s.etcdRelease}` : ''}`,
		`  lost: ${lost}`,
		`  masters: ${p.members.map((m) => m.name).join(', ')}: each builds ${restoreDir(p.dataDir)} from the snapshot first, while the cluster still runs`,
		`  then kube-apiserver, kube-controller-manager, kube-scheduler and etcd stop on every master, ${p.dataDir} moves to ${keptDir(p.dataDir, p.stamp)} (kept) and the restored data takes its place`,
		'  then the members start one after another as a new cluster (a new cluster token), and once every member serves with one leader, the apiservers, then the controller managers and schedulers: the control plane is down until then',
		...(s.encryptionKeys === undefined ? ['  the snapshot has no sidecar: which encryption keys its Secrets need is not known (a Secret written with a key the config no longer has cannot be read after the restore)'] : []),
	];
}

export function restoreQuestion(p: {profile: string; masters: number}): string {
	return `Restore the etcd of "${p.profile}" on all ${p.masters} masters from this snapshot? Type yes to go on: `;
}
