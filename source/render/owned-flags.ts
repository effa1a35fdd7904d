// The one extraArgs rule that needs the rendered flags: a flag whose own value names a file
// the tool places (a certificate, a kubeconfig, ...) is the tool's; pointing it elsewhere
// would leave the placed file unused and the other one never renewed. The rules that need
// only the profile are source/profile/extra-args-rules.ts.
import {ownedFlagRule} from '../profile/extra-args-rules.js';
import type {Profile} from '../profile/schema.js';
import {componentFlags, type Component} from './flags.js';
import {targetPaths, type TargetPaths} from './paths.js';

/** Every file path the tool places on a node. */
function managedPaths(paths: TargetPaths): Set<string> {
	const out = new Set<string>();
	const walk = (v: unknown): void => {
		if (typeof v === 'string') out.add(v);
		else if (v && typeof v === 'object') Object.values(v).forEach(walk);
	};
	walk([paths.bin, paths.cert, paths.unit, paths.encryptionConfig, paths.auditPolicy, paths.controllerManagerKubeconfig, paths.schedulerKubeconfig, paths.schedulerConfig]);
	return out;
}

/** Why `flag` in the extraArgs of `component` names a file the tool places, or undefined. */
export function placedFileFlagProblem(profile: Profile, component: Component, flag: string): string | undefined {
	const node = profile.nodes[0];
	if (!node) return undefined;
	const paths = targetPaths(profile);
	const withoutExtraArgs = {
		...profile,
		apiserver: {...profile.apiserver, extraArgs: {}},
		controllerManager: {...profile.controllerManager, extraArgs: {}},
		scheduler: {...profile.scheduler, extraArgs: {}},
	};
	const ownValue = componentFlags(component, {profile: withoutExtraArgs, node, paths}).find(([name]) => name === flag)?.[1];
	if (ownValue !== undefined && managedPaths(paths).has(ownValue)) {
		return `is set by the tool: it names ${ownValue}, a file the tool places and renews (change paths.* to move it)`;
	}
	return undefined;
}

/** Why an extraArgs entry of `component` is refused, or undefined: the profile's rules, then placedFileFlagProblem. */
export function ownedFlagProblem(profile: Profile, component: Component, flag: string, value: string): string | undefined {
	return ownedFlagRule(component, flag, value) ?? placedFileFlagProblem(profile, component, flag);
}

/** Every extraArgs entry that names a placed file, as profile problems (field, message). */
export function placedFileFlagProblems(profile: Profile): Array<{field: string; message: string}> {
	const problems: Array<{field: string; message: string}> = [];
	for (const [section, component] of [['apiserver', 'kube-apiserver'], ['controllerManager', 'kube-controller-manager'], ['scheduler', 'kube-scheduler']] as const) {
		for (const flag of Object.keys(profile[section].extraArgs)) {
			const problem = placedFileFlagProblem(profile, component, flag);
			if (problem) problems.push({field: `${section}.extraArgs.${flag}`, message: `${problem}; remove it from extraArgs`});
		}
	}
	return problems;
}
