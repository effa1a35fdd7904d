import {SERVICES, type ServiceName} from '../plan/types.js';

/**
 * Kubernetes' version skew policy for changing the release of a running control plane
 * (https://kubernetes.io/releases/version-skew-policy/): one minor up at a time, never
 * a minor down (the apiserver may have written objects the older one cannot read back);
 * patch releases up or down freely. Judged from the release of every component on
 * every node, read in preflight, against the release of the planned binaries.
 */
export interface Release {
	minor: number;
	patch: number;
	text: string;
}

export function parseRelease(text: string): Release | undefined {
	const m = /^v?1\.(\d+)\.(\d+)/.exec(text.trim());
	return m ? {minor: Number(m[1]), patch: Number(m[2]), text: text.trim()} : undefined;
}

export interface RunningReleases {
	node: string;
	/** What each component's binary on the node reports (`--version`); undefined: not installed. */
	versions: ReadonlyMap<ServiceName, string | undefined>;
}

export interface SkewProblem {
	node: string;
	/** Which rule of the policy: the plan (release-plan.ts) shows each rule with its verdict. */
	rule: 'minor-skip' | 'minor-downgrade';
	message: string;
	hint: string;
}

export function judgeVersionSkew(targetText: string, nodes: readonly RunningReleases[]): SkewProblem[] {
	const target = parseRelease(targetText);
	if (!target) return [];
	const problems: SkewProblem[] = [];
	for (const {node, versions} of nodes) {
		for (const service of SERVICES) {
			const running = parseRelease(versions.get(service) ?? '');
			if (!running) continue;
			if (target.minor > running.minor + 1) {
				problems.push({
					node,
					rule: 'minor-skip',
					message: `${node} runs ${service} ${running.text}: kubernetesVersion ${target.text} skips 1.${running.minor + 1}`,
					hint: `upgrade one minor at a time: set kubernetesVersion to "1.${running.minor + 1}" with 1.${running.minor + 1} binaries, apply, then 1.${target.minor}`,
				});
				break;
			}
			if (target.minor < running.minor) {
				problems.push({
					node,
					rule: 'minor-downgrade',
					message: `${node} runs ${service} ${running.text}: kubernetesVersion ${target.text} is a minor downgrade`,
					hint: `Kubernetes does not support a minor downgrade (objects written by 1.${running.minor} may not be readable by 1.${target.minor}); keep kubernetesVersion "1.${running.minor}" (a patch release of it is fine), or restore an etcd snapshot taken before the upgrade`,
				});
				break;
			}
		}
	}
	return problems;
}

/** Whether this change moves a component to another minor (then the order is by component: every apiserver first). */
export function isMinorUpgrade(targetText: string, nodes: readonly RunningReleases[]): boolean {
	const target = parseRelease(targetText);
	return Boolean(target && nodes.some((n) => [...n.versions.values()].some((v) => (parseRelease(v ?? '')?.minor ?? target.minor) < target.minor)));
}
