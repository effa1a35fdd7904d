import type {GridState} from './grid-state.js';
import {cellOf} from './grid-state.js';

/**
 * Key handling of the live grid as a pure reducer (ink-ui style): the component
 * maps ink's (input, key) to a GridKey, this decides the next view state and what
 * the caller must do (retry a node, stop the run).
 */
export type GridKey = 'up' | 'down' | 'left' | 'right' | 'enter' | 'escape' | 'retry' | 'quit' | 'other';

export interface GridView {
	row: number;
	col: number;
	mode: 'grid' | 'details';
	/** Set once the user asked to stop. */
	quitting: boolean;
	/** A short message for the footer (e.g. why `r` did nothing). */
	notice?: string;
}

export type GridCommand = {type: 'retry'; node: string} | {type: 'quit'};

export const initialGridView: GridView = {row: 0, col: 0, mode: 'grid', quitting: false};

export function keyOf(input: string, key: {upArrow?: boolean; downArrow?: boolean; leftArrow?: boolean; rightArrow?: boolean; return?: boolean; escape?: boolean; ctrl?: boolean}): GridKey {
	if (key.upArrow || input === 'k') return 'up';
	if (key.downArrow || input === 'j') return 'down';
	if (key.leftArrow || input === 'h') return 'left';
	if (key.rightArrow || input === 'l') return 'right';
	if (key.return) return 'enter';
	if (key.escape) return 'escape';
	if (input === 'r') return 'retry';
	if (input === 'q' || (key.ctrl && input === 'c')) return 'quit';
	return 'other';
}

const clamp = (v: number, max: number) => Math.max(0, Math.min(v, Math.max(0, max)));

export function reduceGridView(view: GridView, key: GridKey, grid: GridState): {view: GridView; command?: GridCommand} {
	const rows = grid.nodes.length;
	const cols = grid.steps.length;
	const v: GridView = {...view, row: clamp(view.row, rows - 1), col: clamp(view.col, cols - 1), notice: undefined};
	if (key === 'quit') {
		if (view.quitting) return {view: v};
		return {view: {...v, quitting: true, mode: 'grid'}, command: {type: 'quit'}};
	}
	if (v.mode === 'details') {
		if (key === 'escape' || key === 'enter') return {view: {...v, mode: 'grid'}};
		if (key === 'retry') return retry(v, grid);
		return {view: v};
	}
	switch (key) {
		case 'up':
			return {view: {...v, row: clamp(v.row - 1, rows - 1)}};
		case 'down':
			return {view: {...v, row: clamp(v.row + 1, rows - 1)}};
		case 'left':
			return {view: {...v, col: clamp(v.col - 1, cols - 1)}};
		case 'right':
			return {view: {...v, col: clamp(v.col + 1, cols - 1)}};
		case 'enter':
			return rows > 0 && cols > 0 ? {view: {...v, mode: 'details'}} : {view: v};
		case 'retry':
			return retry(v, grid);
		default:
			return {view: v};
	}
}

function retry(v: GridView, grid: GridState): {view: GridView; command?: GridCommand} {
	const node = grid.nodes[v.row];
	if (node === undefined) return {view: v};
	if (v.quitting) return {view: {...v, notice: 'stopping: no retries'}};
	const failed = grid.steps.some((s) => cellOf(grid, node, s).status === 'failed');
	if (!failed) return {view: {...v, notice: `${node} has no failed step to retry`}};
	return {view: {...v, mode: 'grid', notice: `retrying ${node}…`}, command: {type: 'retry', node}};
}
