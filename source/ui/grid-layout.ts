import type {StepName} from '../profile/schema.js';
import type {RemovalStepName} from '../run/remove-master/removal-plan.js';
import type {CellState} from './cell-state.js';
import type {ToneName} from './theme.js';
import {percent, shortDuration} from './format.js';

/**
 * Column layout of the grid. 80 columns: "› " (2) + node column (≤ 14) + 9 steps ×
 * (1 separator/selection mark + 6) = 79, one column spare. The step headers are abbreviated to fit 6.
 */
export const STEP_HEADER: Record<StepName, string> = {
	connect: 'conn',
	preflight: 'pre',
	binaries: 'bin',
	certificates: 'cert',
	configs: 'conf',
	etcd: 'etcd',
	apiserver: 'api',
	'controller-manager': 'cm',
	scheduler: 'sched',
	verify: 'verify',
};

/** A removal's own steps (removal-row.ts), under a header line of their own. */
export const REMOVAL_HEADER: Record<RemovalStepName, string> = {
	'stop-services': 'stop',
	'wait-gone': 'gone',
	'delete-lease': 'lease',
	'remove-files': 'files',
	forget: 'forget',
};

export const CELL_WIDTH = 6;
export const ROW_MARK_WIDTH = 2;
export const MIN_NODE_WIDTH = 4;
export const MAX_NODE_WIDTH = 24;

export function headerOf(step: StepName): string {
	return STEP_HEADER[step] ?? step.slice(0, CELL_WIDTH);
}

/** Width of the node-name column: rows stay at most `columns - 1` wide (no auto-wrap at the last column). */
export function nodeColumnWidth(nodes: readonly string[], steps: number, columns: number): number {
	const longest = Math.max(MIN_NODE_WIDTH, ...nodes.map((n) => n.length));
	const available = columns - 1 - ROW_MARK_WIDTH - steps * (CELL_WIDTH + 1);
	return Math.max(MIN_NODE_WIDTH, Math.min(longest, MAX_NODE_WIDTH, available));
}

/** A cell's colour by its status. */
export const CELL_TONE: Record<CellState['status'], ToneName> = {
	pending: 'dim',
	running: 'warn',
	done: 'ok',
	unchanged: 'dim',
	skipped: 'dim',
	failed: 'bad',
};

export const SPINNER_FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** The text of one cell, at most CELL_WIDTH characters. */
export function cellText(cell: CellState, spinnerFrame: number): string {
	switch (cell.status) {
		case 'pending':
			return '·';
		case 'running': {
			const spin = SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length] ?? '*';
			const pct = percent(cell.bytes, cell.totalBytes);
			return pct === undefined ? spin : `${spin} ${pct}%`;
		}
		case 'done':
			return `✓ ${shortDuration(cell.durationMs)}`;
		case 'unchanged':
			return '=';
		case 'skipped':
			return '-';
		case 'failed':
			return '✗';
	}
}

export const LEGEND = '· pending  ✓ done  = unchanged  - skipped  ✗ failed';
