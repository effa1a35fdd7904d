// The plan of a release change, as a dry run shows it, and as a refused run shows it to
// explain the refusal: per node and component what runs now and what will, each rule of
// the version skew policy with its verdict, and the order of the restarts. Pure: it reads
// what preflight found and the planned restarts. The refusing rules live in
// version-skew.ts and the order in rolling-change/rules.ts; this file only applies and shows them.
import {SERVICES, type ServiceName} from '../plan/types.js';
import {restartSchedule, type ScheduledNode} from './rolling-change/rules.js';
import {isMinorUpgrade, judgeMixedReleases, judgeVersionSkew, parseRelease, type Release, type RunningReleases} from './version-skew.js';

/** What a component's release does: `unknown` when preflight did not read it (or it is not a release). */
export type ReleaseChange = 'none' | 'patch-up' | 'patch-down' | 'minor-up' | 'minor-skip' | 'minor-down' | 'install' | 'unknown';

export interface ComponentRelease {
	service: ServiceName;
	current?: string;
	target: string;
	change: ReleaseChange;
}

export interface SkewCheck {
	check: string;
	ok: boolean;
	detail: string;
}

/**
 * How the change runs (runner.ts): a first install starts every node side by side; a
 * change to a serving control plane rolls node by node; a minor upgrade rolls component
 * by component (every apiserver, then every controller-manager, then every scheduler).
 */
export type ChangeKind = 'first-install' | 'rolling' | 'minor-upgrade';

export interface ReleasePlan {
	target: string;
	kind: ChangeKind;
	nodes: Array<{node: string; components: ComponentRelease[]}>;
	checks: SkewCheck[];
	/** Every check passed; when one did not, the change is refused and nothing restarts. */
	ok: boolean;
	/** In order; on a first install the nodes go side by side and only each node's own order holds. */
	restarts: Array<{node: string; service: ServiceName; together?: true}>;
}

export const CHECKS = {
	skip: 'no minor skipped',
	downgrade: 'no minor downgrade',
	apiservers: 'apiservers within one minor',
	order: 'controller-manager, scheduler not newer than an apiserver',
	mixed: 'two minors only as a recorded upgrade',
} as const;

/**
 * `mixedExplained`: whether components on two minors are a half-done upgrade this run may
 * carry on (gate.ts mixedReleasesExplained: the journal records it, or --allow-mixed-releases).
 */
export function planRelease(targetText: string, nodes: readonly ScheduledNode[], mixedExplained = false): ReleasePlan {
	const target = parseRelease(targetText);
	const read = nodes.map((n) => ({node: n.plan.node.name, versions: n.versions ?? new Map<ServiceName, string | undefined>()}));
	const rolling = nodes.some((n) => n.remote?.active.get('kube-apiserver') === true);
	const kind: ChangeKind = !rolling ? 'first-install' : isMinorUpgrade(targetText, read) ? 'minor-upgrade' : 'rolling';
	const schedule = restartSchedule(targetText, nodes);
	const problems = judgeVersionSkew(targetText, read);
	const rule = (r: 'minor-skip' | 'minor-downgrade', check: string, passed: string): SkewCheck => {
		const found = problems.filter((p) => p.rule === r);
		return {check, ok: found.length === 0, detail: found.length === 0 ? passed : found.map((p) => p.message).join('; ')};
	};
	const checks = [
		rule('minor-skip', CHECKS.skip, target ? `every component is at most one minor below ${target.text}` : `${targetText} is not a release: not judged`),
		rule('minor-downgrade', CHECKS.downgrade, target ? `no component runs a minor above ${target.text}` : `${targetText} is not a release: not judged`),
		apiserversWithinOne(target, read),
		notNewerThanAnApiserver(targetText, read, schedule),
		recordedMix(targetText, read, mixedExplained),
	];
	const unread = nodes.filter((n) => n.versions === undefined).map((n) => n.plan.node.name);
	if (unread.length > 0) for (const c of checks) c.detail += ` (not read on ${unread.join(', ')}: preflight did not run there)`;
	const ok = checks.every((c) => c.ok);
	return {
		target: targetText,
		kind,
		nodes: nodes.map((n) => ({
			node: n.plan.node.name,
			components: SERVICES.map((service) => {
				const current = n.versions?.get(service);
				return {service, ...(current !== undefined ? {current} : {}), target: targetText, change: n.versions ? changeOf(current, target) : 'unknown'};
			}),
		})),
		checks,
		ok,
		restarts: ok ? schedule : [],
	};
}

function changeOf(currentText: string | undefined, target: Release | undefined): ReleaseChange {
	if (currentText === undefined) return 'install';
	const current = parseRelease(currentText);
	if (!current || !target) return 'unknown';
	if (target.minor === current.minor) return target.patch === current.patch ? 'none' : target.patch > current.patch ? 'patch-up' : 'patch-down';
	if (target.minor === current.minor + 1) return 'minor-up';
	return target.minor > current.minor ? 'minor-skip' : 'minor-down';
}

type Read = {node: string; versions: ReadonlyMap<ServiceName, string | undefined>};

/** In an HA control plane the oldest and newest apiserver are at most one minor apart; while the change rolls, the current ones run beside the target. */
function apiserversWithinOne(target: Release | undefined, read: readonly Read[]): SkewCheck {
	const running = read.flatMap(({node, versions}) => {
		const r = parseRelease(versions.get('kube-apiserver') ?? '');
		return r ? [{node, minor: r.minor}] : [];
	});
	const all = [...running, ...(target ? [{node: 'the target', minor: target.minor}] : [])].sort((a, b) => a.minor - b.minor);
	const [oldest, newest] = [all[0], all.at(-1)];
	if (!oldest || !newest || oldest.minor === newest.minor) {
		return {check: CHECKS.apiservers, ok: true, detail: oldest ? `all at 1.${oldest.minor}` : 'no apiserver release to compare'};
	}
	const ok = newest.minor - oldest.minor <= 1;
	return {
		check: CHECKS.apiservers,
		ok,
		detail: ok ? `1.${oldest.minor} and 1.${newest.minor} side by side during the change` : `1.${oldest.minor} (${oldest.node}) and 1.${newest.minor} (${newest.node}) are ${newest.minor - oldest.minor} minors apart`,
	};
}

/**
 * A controller-manager or scheduler never runs a newer minor than any apiserver
 * (https://kubernetes.io/releases/version-skew-policy/): checked before the first restart
 * and after each one of the schedule, a restarted component running the target.
 */
function notNewerThanAnApiserver(targetText: string, read: readonly Read[], schedule: ReadonlyArray<{node: string; service: ServiceName}>): SkewCheck {
	const now = new Map(read.map(({node, versions}) => [node, new Map(versions)]));
	const problemNow = (when: string): string | undefined => {
		const apiservers = [...now].flatMap(([node, v]) => {
			const r = parseRelease(v.get('kube-apiserver') ?? '');
			return r ? [{node, r}] : [];
		});
		const oldest = apiservers.sort((a, b) => a.r.minor - b.r.minor)[0];
		if (!oldest) return undefined;
		for (const [node, v] of now) {
			for (const service of ['kube-controller-manager', 'kube-scheduler'] as const) {
				const r = parseRelease(v.get(service) ?? '');
				if (r && r.minor > oldest.r.minor) return `${when}, ${node}'s ${service} ${r.text} is newer than ${oldest.node}'s kube-apiserver ${oldest.r.text}`;
			}
		}
		return undefined;
	};
	let problem = problemNow('before any restart');
	for (const step of schedule) {
		if (problem) break;
		now.get(step.node)?.set(step.service, targetText);
		problem = problemNow(`after ${step.node}'s ${step.service} restarts`);
	}
	return {check: CHECKS.order, ok: problem === undefined, detail: problem ?? 'before and after every restart in the order'};
}

function recordedMix(targetText: string, read: readonly RunningReleases[], explained: boolean): SkewCheck {
	const refused = judgeMixedReleases(targetText, read, explained);
	if (refused) return {check: CHECKS.mixed, ok: false, detail: refused.message};
	const mixed = judgeMixedReleases(targetText, read, false);
	return {check: CHECKS.mixed, ok: true, detail: mixed ? 'a half-done upgrade this state directory records (or --allow-mixed-releases): carried on' : 'every component runs one minor'};
}
