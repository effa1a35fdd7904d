/**
 * Where the wall time of an `apply --json` run went, from its events: the gate (connect
 * and preflight on every node), then per step the time its node spent in it (count,
 * sum, longest), and per service step the wall time from the first node starting it to
 * the last finishing it. Pure: events in, lines out (bench-upgrade.ts prints them).
 */
import type {RunEvent} from '../source/run/events.js';

export function upgradeBreakdown(events: readonly RunEvent[], windowSeconds = 10): string[] {
	const started = events.find((e) => e.type === 'run-started')?.at;
	const finished = events.find((e) => e.type === 'run-finished')?.at;
	if (started === undefined || finished === undefined) return ['no run-started/run-finished events'];
	const firstChange = events.find((e) => e.type === 'step-started' && e.step === 'binaries')?.at ?? finished;
	const snapshot = events.find((e) => e.type === 'log' && e.line.startsWith('before the minor upgrade'));
	const lines = [`  total ${s(finished - started)}; gate (connect, preflight, read) and snapshot until the first file ${s(firstChange - started)}${snapshot ? ` (snapshot logged at +${s(snapshot.at - started)})` : ''}`];
	const per = new Map<string, {count: number; sum: number; max: number; first: number; last: number}>();
	const open = new Map<string, number>();
	for (const e of events) {
		if (e.type === 'step-started') open.set(`${e.node} ${e.step}`, e.at);
		if (e.type !== 'step-done' && e.type !== 'step-unchanged') continue;
		const begun = open.get(`${e.node} ${e.step}`) ?? e.at - e.durationMs;
		const entry = per.get(e.step) ?? {count: 0, sum: 0, max: 0, first: Number.POSITIVE_INFINITY, last: 0};
		entry.count++;
		entry.sum += e.durationMs;
		entry.max = Math.max(entry.max, e.durationMs);
		entry.first = Math.min(entry.first, begun);
		entry.last = Math.max(entry.last, e.at);
		per.set(e.step, entry);
	}
	for (const [step, e] of per) {
		lines.push(`  ${step.padEnd(19)} ${String(e.count).padStart(2)} nodes, ${s(e.sum).padStart(7)} in all, longest ${s(e.max).padStart(6)}, wall ${s(e.last - e.first).padStart(7)} (+${s(e.first - started)} → +${s(e.last - started)})`);
	}
	const groups = restartGroups(events);
	if (groups > 0 && windowSeconds > 0) {
		lines.push(`  ${groups} restarts (or groups restarted together) one after another, each watched through the ${windowSeconds}s stability window: ${groups * windowSeconds}s of the total`);
	}
	return lines;
}

/**
 * How many restarts the run made one after another: the service steps that restarted
 * something, with steps that overlapped in time (a group changing together) counted once.
 */
export function restartGroups(events: readonly RunEvent[]): number {
	const begun = new Map<string, number>();
	const spans: Array<[number, number]> = [];
	for (const e of events) {
		if (e.type === 'step-started') begun.set(`${e.node} ${e.step}`, e.at);
		if (e.type === 'step-done' && e.changed.some((c) => c.startsWith('restarted '))) spans.push([begun.get(`${e.node} ${e.step}`) ?? e.at - e.durationMs, e.at]);
	}
	spans.sort((a, b) => a[0] - b[0]);
	let groups = 0;
	let end = Number.NEGATIVE_INFINITY;
	for (const [from, to] of spans) {
		if (from >= end) groups++;
		end = Math.max(end, to);
	}
	return groups;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
