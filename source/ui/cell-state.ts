// One cell of the grid: a node's install step, or a removal's step (removal-row.ts).
export type CellState =
	| {status: 'pending'}
	| {status: 'running'; startedAt: number; bytes?: number; totalBytes?: number; message?: string}
	| {status: 'done'; durationMs: number; changed: number}
	| {status: 'unchanged'; durationMs: number}
	| {status: 'skipped'; reason: string}
	| {status: 'failed'; durationMs: number; cause: string; hint?: string; detail?: string};

export type CellStatus = CellState['status'];

export function isFinishedCell(cell: CellState): boolean {
	return cell.status === 'done' || cell.status === 'unchanged' || cell.status === 'skipped' || cell.status === 'failed';
}
