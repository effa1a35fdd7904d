import {UserError} from '../errors.js';
import type {Profile} from '../profile/schema.js';
import {componentFlags, extraArgsOf, type Component} from '../render/flags.js';
import {targetPaths} from '../render/paths.js';
import type {Binaries} from './binaries.js';

/**
 * Every flag a unit would pass must be one the binary being deployed lists in its own
 * --help: a single unknown flag stops a component from starting, and that is found here,
 * before any node is touched, instead of in a crash loop on every master.
 */
export function findUnacceptedFlags(profile: Profile, binaries: Binaries): Array<{component: Component; flag: string; fromExtraArgs: boolean}> {
	const node = profile.nodes[0];
	if (!node) return [];
	const paths = targetPaths(profile);
	const problems: Array<{component: Component; flag: string; fromExtraArgs: boolean}> = [];
	for (const component of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const) {
		const accepted = binaries.acceptedFlags[component];
		if (!accepted) continue; // the binary did not list its flags: nothing to check against
		const known = new Set(accepted);
		const extra = extraArgsOf(component, profile);
		for (const [flag] of componentFlags(component, {profile, node, paths})) {
			if (!known.has(flag)) problems.push({component, flag, fromExtraArgs: flag in extra});
		}
	}
	return problems;
}

export function assertFlagsAccepted(profile: Profile, binaries: Binaries): void {
	const problems = findUnacceptedFlags(profile, binaries);
	if (problems.length === 0) return;
	const lines = problems.map((p) => `  ${p.component} ${binaries.release} does not accept --${p.flag}${p.fromExtraArgs ? ' (from the profile\'s extraArgs)' : ''}`);
	const fromProfile = problems.some((p) => p.fromExtraArgs);
	throw new UserError(
		`the units would not start with these binaries:\n${lines.join('\n')}`,
		fromProfile
			? 'remove those flags from extraArgs (see `<binary> --help` for what this release accepts); nothing was written to any node'
			: 'this tool renders a flag this release no longer has: please report it; nothing was written to any node',
	);
}
