// Which etcd release a running stacked cluster may move to by swapping the binary and
// restarting members one at a time (the rolling change): any patch of the minor it runs, or
// the next minor up from a patch that etcd names safe for it. etcd upgrades one minor at a
// time only; a minor down needs etcd's downgrade protocol (`etcdctl downgrade enable`, the
// cluster version lowered first), which the tool does not run. Pure: the members' versions
// come from their status (cluster-gate.ts), the target from `etcd --version`.
import {UserError} from '../errors.js';
import type {EtcdClusterView} from './cluster-gate.js';

/**
 * The lowest patch of a minor that may be upgraded to the next minor, with etcd's reason.
 * 3.5 → 3.6: 3.5.20 fixed voters turning back into learners ("too many learner member" on
 * the 3.6 start, etcd blog 2025-03), and 3.5.26 repairs members that v2store and v3store
 * disagree on (the "zombie members" that come back under 3.6, etcd blog 2025-12-21).
 * 3.6 → 3.7: etcd's upgrade guide names 3.6.11 the first patch fit for the rolling upgrade.
 */
export const MINOR_UPGRADE_FROM: Readonly<Record<string, {patch: number; why: string}>> = {
	'3.5': {patch: 26, why: 'etcd requires 3.5.26 or later before 3.6 (it repairs the member list that 3.6 reads; etcd.io/blog/2025/zombie_members_upgrade)'},
	'3.6': {patch: 11, why: 'etcd requires 3.6.11 or later before 3.7 (earlier 3.6 patches may not take part in a rolling upgrade to 3.7; etcd.io/docs/v3.7/upgrades/upgrade_3_7)'},
};

interface Release {
	major: number;
	minor: number;
	patch: number;
}

function parse(text: string | undefined): Release | undefined {
	const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(text ?? '');
	return m ? {major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3])} : undefined;
}

/** Why a member on `running` must not be restarted on `target`, or undefined. */
export function releaseChangeProblem(running: string, target: string): {problem: string; hint: string} | undefined {
	const from = parse(running);
	const to = parse(target);
	if (!from || !to || (from.major === to.major && from.minor === to.minor)) return undefined;
	const fromMinor = `${from.major}.${from.minor}`;
	const toMinor = `${to.major}.${to.minor}`;
	if (to.major > from.major) {
		return {problem: `${running} → ${target} is a new major release`, hint: `the tool knows no upgrade path to etcd ${to.major}; keep etcd.binaries on ${fromMinor}.x`};
	}
	if (to.major < from.major || to.minor < from.minor) {
		return {
			problem: `${running} → ${target} is a minor downgrade`,
			hint: `etcd goes back a minor only through its downgrade protocol (etcdctl downgrade validate/enable ${toMinor}), which this tool does not run; keep etcd.binaries on ${fromMinor}.x`,
		};
	}
	if (to.minor > from.minor + 1) {
		return {problem: `${running} → ${target} skips a minor`, hint: `etcd upgrades one minor at a time: set etcd.binaries to ${from.major}.${from.minor + 1}.x first, apply, then ${toMinor}`};
	}
	const floor = MINOR_UPGRADE_FROM[fromMinor];
	if (floor && from.patch < floor.patch) {
		return {problem: `${running} → ${target}: ${floor.why}`, hint: `set etcd.binaries to ${fromMinor}.${floor.patch} or later first, apply, wait until every member is healthy, then ${toMinor}`};
	}
	return undefined;
}

/** The refusal for moving the running members (their status's version) to `target`; undefined when every one may. */
export function judgeEtcdReleaseChange(view: EtcdClusterView, target: string): UserError | undefined {
	const problems = view.statuses.flatMap((s) => {
		if (!s.ok || s.version === undefined) return [];
		const problem = releaseChangeProblem(s.version, target);
		return problem ? [{name: s.name, ...problem}] : [];
	});
	const first = problems[0];
	if (!first) return undefined;
	const names = problems.map((p) => p.name).join(', ');
	return new UserError(`etcd.binaries: ${first.problem} (${names})`, `${first.hint}; nothing was changed`);
}

/** Whether a member that answers runs an older minor than `target` (a minor upgrade: snapshot first). */
export function isEtcdMinorUpgrade(view: EtcdClusterView, target: string): boolean {
	const to = parse(target);
	return to !== undefined && view.statuses.some((s) => {
		const from = s.ok ? parse(s.version) : undefined;
		return from !== undefined && (from.major < to.major || (from.major === to.major && from.minor < to.minor));
	});
}
