/**
 * Dashboard key handling as a pure reducer: arrows move the selected node × component,
 * Enter / `l` open (or close) the journal of the selected component, Esc closes it,
 * `r` asks for a refresh now, `q` quits.
 */

export interface Selection {
	row: number;
	column: number;
}

export interface KeyInput {
	input: string;
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	return?: boolean;
	escape?: boolean;
}

export type DashboardCommand = {type: 'none'} | {type: 'quit'} | {type: 'refresh'} | {type: 'toggle-journal'} | {type: 'close-journal'};

export function reduceKey(
	selection: Selection,
	key: KeyInput,
	size: {rows: number; columns: number},
): {selection: Selection; command: DashboardCommand} {
	const clamp = (v: number, n: number) => Math.max(0, Math.min(v, Math.max(0, n - 1)));
	if (key.upArrow) return {selection: {...selection, row: clamp(selection.row - 1, size.rows)}, command: {type: 'none'}};
	if (key.downArrow) return {selection: {...selection, row: clamp(selection.row + 1, size.rows)}, command: {type: 'none'}};
	if (key.leftArrow) return {selection: {...selection, column: clamp(selection.column - 1, size.columns)}, command: {type: 'none'}};
	if (key.rightArrow) return {selection: {...selection, column: clamp(selection.column + 1, size.columns)}, command: {type: 'none'}};
	if (key.return || key.input === 'l') return {selection, command: {type: 'toggle-journal'}};
	if (key.escape) return {selection, command: {type: 'close-journal'}};
	if (key.input === 'r') return {selection, command: {type: 'refresh'}};
	if (key.input === 'q') return {selection, command: {type: 'quit'}};
	return {selection, command: {type: 'none'}};
}
