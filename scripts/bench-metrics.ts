/**
 * How each benchmark hands its numbers to `npm run bench` (scripts/bench.ts): besides its
 * own human-readable lines, a benchmark calls reportMetrics(); when the aggregator started
 * it, K8S_MASTER_SETUP_BENCH_METRICS names a file and the metrics are appended there as
 * JSON lines. Run alone, a benchmark just prints.
 */
import {appendFileSync} from 'node:fs';

export interface Metric {
	/** What was measured, e.g. "render, existing state dir (3 nodes)". */
	name: string;
	value: number;
	unit: string;
	/** The target, as it reads, e.g. "<= 0.180 s". */
	target: string;
	pass: boolean;
	/** Context that helps reading the number (load, baseline, runs). */
	note?: string;
}

export const METRICS_ENV = 'K8S_MASTER_SETUP_BENCH_METRICS';

export function reportMetrics(...metrics: Metric[]): void {
	const file = process.env[METRICS_ENV];
	if (!file) return;
	appendFileSync(file, metrics.map((m) => `${JSON.stringify(m)}\n`).join(''));
}

/** A skipped benchmark, with the reason (shown in the summary). */
export function reportSkipped(name: string, reason: string): void {
	const file = process.env[METRICS_ENV];
	if (!file) return;
	appendFileSync(file, `${JSON.stringify({skipped: name, reason})}\n`);
}
