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
	rule: 'minor-skip' | 'minor-downgrade' | 'mixed-minors' | 'added-release';
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

/**
 * Components on different minors with no change recorded that explains it (the journal of
 * an upgrade to this release): an upgrade begun elsewhere (another machine, another state
 * directory, by hand) whose order and rules this run cannot know. Returns the refusal, or
 * undefined when the releases agree, the change is recorded, or the user allowed it.
 */
export function judgeMixedReleases(targetText: string, nodes: readonly RunningReleases[], explained: boolean): SkewProblem | undefined {
	const target = parseRelease(targetText);
	if (!target || explained) return undefined;
	const running = nodes.flatMap(({node, versions}) =>
		SERVICES.flatMap((service) => {
			const release = parseRelease(versions.get(service) ?? '');
			return release ? [{node, service, release}] : [];
		}),
	);
	const low = running.reduce<(typeof running)[number] | undefined>((a, b) => (!a || b.release.minor < a.release.minor ? b : a), undefined);
	const high = running.reduce<(typeof running)[number] | undefined>((a, b) => (!a || b.release.minor > a.release.minor ? b : a), undefined);
	if (!low || !high || low.release.minor === high.release.minor) return undefined;
	return {
		node: low.node,
		rule: 'mixed-minors',
		message: `${high.node} runs ${high.service} ${high.release.text} while ${low.node} runs ${low.service} ${low.release.text}, and no change recorded in this state directory explains it`,
		hint: `an upgrade begun from another machine, state directory or by hand: carry it on from there; to finish it from here to ${target.text} (in this tool's order: every apiserver, then every controller-manager, then every scheduler), run apply with --allow-mixed-releases`,
	};
}

/**
 * A master added to a cluster that serves gets exactly the cluster's release: joining with
 * another one would make this run an upgrade and a membership change at once, with the new
 * node outside the upgrade's order. Returns the refusal for the first new node, or undefined.
 */
export function judgeAddedRelease(targetText: string, nodes: readonly RunningReleases[]): SkewProblem | undefined {
	const serving = nodes.flatMap(({node, versions}) => {
		const release = versions.get('kube-apiserver');
		return release ? [{node, release}] : [];
	});
	const added = nodes.filter(({versions}) => SERVICES.every((s) => versions.get(s) === undefined));
	const other = serving.find((n) => n.release !== targetText);
	if (serving.length === 0 || added.length === 0 || other === undefined) return undefined;
	return {
		node: added[0]!.node,
		rule: 'added-release',
		message: `${added.map((n) => n.node).join(', ')} would be added with ${targetText} while ${other.node} runs kube-apiserver ${other.release}`,
		hint: `add a master with the release the cluster runs (kubernetesVersion and binaries of ${other.release}), then change the release in a run of its own`,
	};
}
