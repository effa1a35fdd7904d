// `reset`, the pure part: which nodes, whether that may be done, and the one root script
// per node that stops the three services and removes what the tool placed there. Nothing
// is derived from the node: the paths are the profile's (render/paths.ts), every one
// quoted by construction (the sh template), so a hostile path cannot widen what is removed.
//
// A stacked etcd (etcd.mode: stacked) is the tool's too, but only a reset of the whole
// cluster takes it: the member's unit, certificates and data go on every master at once
// (the cluster's objects with them). One master of several is refused: a member leaves
// through `apply --remove-nodes` (remove-master/, which takes it out of etcd first), and
// stopping one here would cost the quorum a member. With an external etcd no etcd
// path is ever named: the guide runs its own etcd.service on the same masters.
import {posix} from 'node:path';
import {SERVICES} from '../../cluster/services.js';
import type {Profile, ProfileNode} from '../../profile/schema.js';
import {sh, shJoin, type ShellCommand} from '../../remote/shell.js';
import {targetPaths} from '../../render/paths.js';
import {TOOL_UNIT_HEADER} from '../preflight.js';
import {failedDir, keptDir, restoreDir} from '../etcd-restore/restore-dirs.js';

/** The tool's own bookkeeping on a node: applied markers, the hash cache, generations, the lock. */
export const TOOL_STATE_DIR = '/var/lib/k8s-master-setup';

export interface ResetTarget {
	node: ProfileNode;
	/** A node this state directory installed that the profile no longer names. */
	departed: boolean;
}

/**
 * The nodes `--node` names (each a profile node or a departed one), or every profile node.
 * Returns a problem (exit 2) for a name that is neither.
 */
export function resetTargets(profile: Profile, departed: readonly ProfileNode[], names: readonly string[] | undefined): ResetTarget[] | {problem: string; hint: string} {
	if (!names || names.length === 0) return profile.nodes.map((node) => ({node, departed: false}));
	const targets: ResetTarget[] = [];
	for (const name of names) {
		const inProfile = profile.nodes.find((n) => n.name === name);
		const gone = departed.find((n) => n.name === name);
		if (!inProfile && !gone) {
			return {
				problem: `--node: ${JSON.stringify(name)} is not a node of profile "${profile.name}" nor one this state directory installed`,
				hint: `name one of: ${[...profile.nodes, ...departed].map((n) => n.name).join(', ')}`,
			};
		}
		if (!targets.some((t) => t.node.name === name)) targets.push({node: (inProfile ?? gone)!, departed: !inProfile});
	}
	return targets;
}

/**
 * Resetting part of a cluster must leave a master that serves: refused (exit 2) when no
 * profile node outside the targets has a ready apiserver. Resetting every profile node is
 * resetting the whole cluster, which is allowed.
 */
export function judgeReset(profile: Profile, targets: readonly ResetTarget[], ready: ReadonlyMap<string, boolean>): {problem: string; hint: string} | undefined {
	const reset = new Set(targets.map((t) => t.node.name));
	const remaining = profile.nodes.filter((n) => !reset.has(n.name));
	if (remaining.length === 0) return undefined;
	if (remaining.some((n) => ready.get(n.name) === true)) return undefined;
	return {
		problem: `resetting ${[...reset].join(', ')} would leave no serving master: ${remaining.map((n) => `${n.name}'s kube-apiserver is not ready`).join(', ')}`,
		hint: 'bring another master up first (apply), or reset the whole cluster (reset without --node)',
	};
}

/**
 * With a stacked etcd, a reset that is not of exactly the profile's masters is refused
 * (exit 2) before anything is asked or done: each master is an etcd member (a departed one
 * still is until apply removed it), and a reset does not take it out of the member list.
 */
export function judgeStackedReset(profile: Profile, targets: readonly ResetTarget[]): {problem: string; hint: string} | undefined {
	if (profile.etcd.mode !== 'stacked' || isWholeCluster(profile, targets)) return undefined;
	const names = targets.map((t) => t.node.name).join(', ');
	const one = targets.length === 1;
	return {
		problem: `resetting ${names} alone is refused: with etcd.mode: stacked ${one ? 'it runs a member' : 'each runs a member'} of the cluster's etcd, and a reset would stop ${one ? 'it' : 'them'} without taking ${one ? 'it' : 'them'} out of the member list (costing the quorum ${one ? 'a member' : 'members'})`,
		hint: `to take a master out, remove it from the profile's nodes and run apply --remove-nodes (its member leaves the cluster first); or reset the whole cluster (reset without --node: its etcd data is deleted)`,
	};
}

/** Every profile node, and no other: the cluster is reset, its stacked etcd with it. */
export function isWholeCluster(profile: Profile, targets: readonly ResetTarget[]): boolean {
	return targets.every((t) => !t.departed) && profile.nodes.every((n) => targets.some((t) => t.node.name === n.name));
}

/**
 * What a reset of the whole cluster removes of a stacked etcd on each master (nothing with
 * an external one): its unit, its certificate directory, its data directory, and with
 * `purge` its binaries.
 */
export function stackedEtcdPaths(profile: Profile, purge: boolean): {unit: string; files: string[]; dirs: string[]; dataDir: string} | undefined {
	if (profile.etcd.mode !== 'stacked') return undefined;
	const e = targetPaths(profile).etcd;
	return {unit: e.unit, files: [e.unit, ...(purge ? Object.values(e.bin) : [])], dirs: [e.certDir, profile.etcd.dataDir], dataDir: profile.etcd.dataDir};
}

/** Every path the tool places from this profile, binaries only with `purge`. */
export function placedPaths(profile: Profile, purge: boolean, toolStateDir = TOOL_STATE_DIR): {files: string[]; dirs: string[]} {
	const p = targetPaths(profile);
	const files = [
		...Object.values(p.cert),
		p.encryptionConfig,
		p.auditPolicy,
		p.controllerManagerKubeconfig,
		p.schedulerKubeconfig,
		p.schedulerConfig,
		...Object.values(p.unit),
		...(purge ? Object.values(p.bin) : []),
	];
	// Work directories hold only what the services wrote (the audit log): removed whole.
	return {files, dirs: [...Object.values(p.workDir), toolStateDir]};
}

export interface ResetScriptOptions {
	purge: boolean;
	/**
	 * A stacked etcd's member goes too: a reset of the whole cluster (judgeStackedReset let it
	 * through), or a removed master whose member already left the cluster (remove-master.ts).
	 * Meaningless with an external etcd.
	 */
	withEtcd?: boolean;
	toolStateDir?: string;
}

/**
 * The node's reset, as root: each service stopped and disabled (before its unit file goes:
 * systemd disables a unit through its file), the files and directories removed, the
 * directories the tool created removed when they are left empty, then one daemon-reload.
 * Prints one `removed PATH` line per file that was there.
 *
 * A whole-cluster reset of a stacked etcd first makes sure etcd.service is the tool's (its
 * header line, as preflight checks): a unit someone else wrote stops the script (exit 3)
 * before anything is touched. Then etcd is stopped after the apiservers, and its unit,
 * certificates and data go with the rest.
 */
export function resetScript(profile: Profile, options: ResetScriptOptions): ShellCommand {
	const {purge, toolStateDir = TOOL_STATE_DIR} = options;
	const placed = placedPaths(profile, purge, toolStateDir);
	const etcd = options.withEtcd ? stackedEtcdPaths(profile, purge) : undefined;
	const files = [...placed.files, ...(etcd?.files ?? [])];
	const dirs = [...placed.dirs, ...(etcd?.dirs ?? [])];
	const p = targetPaths(profile);
	const parents = [...new Set([p.certDir, p.configDir, p.dataDir, ...(purge ? [p.binDir] : [])].map((d) => posix.normalize(d)))];
	const services = [...[...SERVICES].reverse(), ...(etcd ? ['etcd'] : [])];
	return shJoin(
		[
			...(etcd
				? [
						sh`u=${etcd.unit}; if [ -e "$u" ]; then case $(head -n 1 -- "$u") in ${TOOL_UNIT_HEADER}*) ;; *) echo "$u was not written by k8s-master-setup: nothing was reset on this node (its etcd is not the tool's)" >&2; exit 3;; esac; fi`,
					]
				: []),
			sh`for s in ${services}; do systemctl disable --now --quiet "$s" 2>/dev/null || true; done`,
			sh`for f in ${files}; do if [ -e "$f" ] || [ -L "$f" ]; then rm -f -- "$f" && echo "removed $f"; fi; done`,
			sh`for d in ${dirs}; do if [ -d "$d" ]; then rm -rf -- "$d" && echo "removed $d/"; fi; done`,
			// The data dirs an `etcd restore` keeps beside the member's (etcd-restore/restore-plan.ts): etcd data too.
			...(etcd ? [sh`for d in ${restoreDir(etcd.dataDir)} ${keptDir(etcd.dataDir, '')}* ${failedDir(etcd.dataDir, '')}*; do if [ -d "$d" ]; then rm -rf -- "$d" && echo "removed $d/"; fi; done`] : []),
			sh`for d in ${parents}; do rmdir -- "$d" 2>/dev/null || true; done`,
			sh`systemctl daemon-reload`,
		],
		'\n',
	);
}

/**
 * What reset says before it asks (and before it starts, with --yes): the plan's lines and
 * the question. An external etcd's wording is the one reset always had; a stacked etcd's
 * whole-cluster reset says plainly that the cluster's etcd data is deleted for good.
 */
export function resetPrompt(profile: Profile, targets: readonly ResetTarget[], purge: boolean): {plan: string[]; question: string} {
	const names = targets.map((t) => `${t.node.name} (${t.node.ip})${t.departed ? ' [no longer in the profile]' : ''}`).join(', ');
	const whole = isWholeCluster(profile, targets);
	const etcd = whole ? stackedEtcdPaths(profile, purge) : undefined;
	if (!etcd || profile.etcd.mode !== 'stacked') {
		return {plan: [], question: `Reset ${names}: stop the control plane there and remove the tool's files${purge ? ' and binaries' : ''}${whole ? ' (the whole cluster: etcd keeps its objects)' : ''}? [y/N] `};
	}
	return {
		plan: [
			`reset of the whole cluster: ${names}`,
			`  on each node: stop and disable kube-scheduler, kube-controller-manager, kube-apiserver and etcd;`,
			`  remove the tool's units, certificates, kubeconfigs, configs and work directories${purge ? ', and the binaries (etcd, etcdctl, etcdutl too)' : ''}`,
			`  remove etcd's unit ${etcd.unit}, its certificates ${targetPaths(profile).etcd.certDir}/ and its data ${profile.etcd.dataDir}/ (with the copies an etcd restore kept beside it)`,
			`THE CLUSTER'S ETCD DATA IS DELETED ON EVERY NODE: every Kubernetes object in it is gone,`,
			`and cannot be recovered without a snapshot (\`k8s-master-setup snapshot\`, taken before this reset).`,
		],
		question: `Reset the whole cluster and delete its etcd data on every node? [y/N] `,
	};
}
