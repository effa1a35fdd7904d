// The rotation's view, pure: one row per master, one column per phase. A rolling phase's
// cell is that master's apiserver in it (from apply's events while the phase runs: waiting,
// restarting, restarted, unchanged, failed, put back); the rewrite and verify cells are the
// cluster's, the same on every row (the rewrite's Secrets done of the total).
import type {RunEvent} from '../run/events.js';
import {ROTATION_PHASES, type RotationPhase} from '../run/encryption-rotate/rotation-journal.js';

export type PhaseState = 'pending' | 'running' | 'passed' | 'failed';
export type CellState = 'pending' | 'waiting' | 'running' | 'restarted' | 'unchanged' | 'failed' | 'rolled-back';

export type RotationEvent =
	| {type: 'rotation-phase'; phase: RotationPhase; state: Exclude<PhaseState, 'pending'>}
	| {type: 'rotation-progress'; done: number; total: number | null}
	| {type: 'rotation-line'; line: string}
	| {type: 'rotation-finished'; ok: boolean; lines: string[]}
	| RunEvent;

export interface RotationView {
	title: string;
	nodes: string[];
	phases: Record<RotationPhase, PhaseState>;
	cells: Record<string, Record<RotationPhase, CellState>>;
	current: RotationPhase | undefined;
	rewrite: {done: number; total: number | null} | undefined;
	/** The last lines said (the rotation's own, and each failure's cause). */
	lines: string[];
	finished: {ok: boolean; lines: string[]} | undefined;
}

const KEEP_LINES = 6;

export function initialRotationView(title: string, nodes: readonly string[], passed: readonly RotationPhase[] = []): RotationView {
	const phases = Object.fromEntries(ROTATION_PHASES.map((p) => [p, passed.includes(p) ? 'passed' : 'pending'])) as Record<RotationPhase, PhaseState>;
	const row = () => Object.fromEntries(ROTATION_PHASES.map((p) => [p, passed.includes(p) ? 'restarted' : 'pending'])) as Record<RotationPhase, CellState>;
	return {title, nodes: [...nodes], phases, cells: Object.fromEntries(nodes.map((n) => [n, row()])), current: undefined, rewrite: undefined, lines: [], finished: undefined};
}

const say = (view: RotationView, line: string): RotationView => ({...view, lines: [...view.lines, line].slice(-KEEP_LINES)});

function setCell(view: RotationView, node: string, state: CellState): RotationView {
	const phase = view.current;
	if (phase === undefined || !(node in view.cells)) return view;
	return {...view, cells: {...view.cells, [node]: {...view.cells[node]!, [phase]: state}}};
}

export function reduceRotation(view: RotationView, event: RotationEvent): RotationView {
	switch (event.type) {
		case 'rotation-phase': {
			const next = {...view, phases: {...view.phases, [event.phase]: event.state}, current: event.phase};
			if (event.phase === 'rewrite' || event.phase === 'verify') {
				// The cluster's cell, on every row.
				const cell: CellState = event.state === 'running' ? 'running' : event.state === 'passed' ? 'restarted' : 'failed';
				return {...next, cells: Object.fromEntries(Object.entries(next.cells).map(([n, row]) => [n, {...row, [event.phase]: cell}]))};
			}
			if (event.state === 'running') return {...next, cells: Object.fromEntries(Object.entries(next.cells).map(([n, row]) => [n, {...row, [event.phase]: 'waiting' as CellState}]))};
			return next;
		}
		case 'rotation-progress':
			return {...view, rewrite: {done: event.done, total: event.total}};
		case 'rotation-line':
			return say(view, event.line);
		case 'rotation-finished':
			return {...view, finished: {ok: event.ok, lines: event.lines}};
		case 'step-started':
			return event.step === 'apiserver' ? setCell(view, event.node, 'running') : view;
		case 'step-done':
			return event.step === 'apiserver' ? setCell(view, event.node, 'restarted') : view;
		case 'step-unchanged':
			return event.step === 'apiserver' ? setCell(view, event.node, 'unchanged') : view;
		case 'step-failed':
			return say(setCell(view, event.node, 'failed'), `${event.node}: ${event.step} failed: ${event.cause}`);
		case 'node-rolled-back':
			return say(setCell(view, event.node, 'rolled-back'), `${event.node}: ${event.ok ? 'put back to the config it had' : `could not be put back: ${event.cause ?? 'see its journal'}`}`);
		default:
			return view;
	}
}
