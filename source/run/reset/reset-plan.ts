// `reset`, the pure part: which nodes, whether that may be done, and the one root script
// per node that stops the three services and removes what the tool placed there. Nothing
// is derived from the node: the paths are the profile's (render/paths.ts), every one
// quoted by construction (the sh template), so a hostile path cannot widen what is removed.
import {posix} from 'node:path';
import {SERVICES} from '../../cluster/services.js';
import type {Profile, ProfileNode} from '../../profile/schema.js';
import {sh, shJoin, type ShellCommand} from '../../remote/shell.js';
import {targetPaths} from '../../render/paths.js';

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

/**
 * The node's reset, as root: each service stopped and disabled (before its unit file goes:
 * systemd disables a unit through its file), the files and directories removed, the
 * directories the tool created removed when they are left empty, then one daemon-reload.
 * Prints one `removed PATH` line per file that was there.
 */
export function resetScript(profile: Profile, purge: boolean, toolStateDir = TOOL_STATE_DIR): ShellCommand {
	const {files, dirs} = placedPaths(profile, purge, toolStateDir);
	const p = targetPaths(profile);
	const parents = [...new Set([p.certDir, p.configDir, p.dataDir, ...(purge ? [p.binDir] : [])].map((d) => posix.normalize(d)))];
	return shJoin(
		[
			sh`for s in ${[...SERVICES].reverse()}; do systemctl disable --now --quiet "$s" 2>/dev/null || true; done`,
			sh`for f in ${files}; do if [ -e "$f" ] || [ -L "$f" ]; then rm -f -- "$f" && echo "removed $f"; fi; done`,
			sh`for d in ${dirs}; do if [ -d "$d" ]; then rm -rf -- "$d" && echo "removed $d/"; fi; done`,
			sh`for d in ${parents}; do rmdir -- "$d" 2>/dev/null || true; done`,
			sh`systemctl daemon-reload`,
		],
		'\n',
	);
}
