// The grid's row for a master being removed (events.ts `removal-step`): its own cells, one
// per removal step, beside the nodes × install-steps cells, since its steps are not theirs.
// Pure, as grid-state.ts that calls it.
import type {RunEvent} from '../run/events.js';
import {REMOVAL_STEP_NAMES, type RemovalStepName} from '../run/remove-master/removal-plan.js';
import type {CellState} from './cell-state.js';

export interface RemovalRow {
	node: string;
	cells: Partial<Record<RemovalStepName, CellState>>;
	/** What the removal said last (a step's line, or a failure's or skip's cause). */
	lastLine?: string;
}

type RemovalStepEvent = Extract<RunEvent, {type: 'removal-step'}>;

export function reduceRemovalRow(row: RemovalRow | undefined, event: RemovalStepEvent): RemovalRow {
	// One master is removed per run: another node's steps start a new row.
	const r: RemovalRow = row?.node === event.node ? row : {node: event.node, cells: {}};
	const cell = (c: CellState, lastLine = r.lastLine): RemovalRow => ({...r, cells: {...r.cells, [event.step]: c}, ...(lastLine !== undefined ? {lastLine} : {})});
	switch (event.status) {
		case 'started':
			return cell({status: 'running', startedAt: event.at});
		case 'progress':
			return {...r, lastLine: event.message};
		case 'done':
			return cell({status: 'done', durationMs: event.durationMs, changed: 0});
		case 'skipped':
			return cell({status: 'skipped', reason: event.reason}, `${event.step}: ${event.reason}`);
		case 'failed':
			return cell(
				{status: 'failed', durationMs: event.durationMs, cause: event.cause, ...(event.hint !== undefined ? {hint: event.hint} : {}), ...(event.detail !== undefined ? {detail: event.detail} : {})},
				`${event.step}: ${event.cause}`,
			);
		default:
			return r;
	}
}

export function removalCellOf(row: RemovalRow, step: RemovalStepName): CellState {
	return row.cells[step] ?? {status: 'pending'};
}

/** The row's failed step, if any, for the footer's cause and hint. */
export function failedRemovalStep(row: RemovalRow): {step: RemovalStepName; cell: Extract<CellState, {status: 'failed'}>} | undefined {
	for (const step of REMOVAL_STEP_NAMES) {
		const cell = removalCellOf(row, step);
		if (cell.status === 'failed') return {step, cell};
	}
	return undefined;
}
