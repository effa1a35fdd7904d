import {describeRollback, type RunEvent} from '../run/events.js';
import {terminalSafe} from '../terminal-text.js';
import {STEP_NAMES, type StepName} from '../profile/schema.js';
import {isFinishedCell, type CellState} from './cell-state.js';
import {reduceRemovalRow, removalCellOf, type RemovalRow} from './removal-row.js';
import {REMOVAL_STEP_NAMES} from '../run/remove-master/removal-plan.js';
import {EXTERNAL_ETCD_STEPS} from '../run/operation.js';

export {isFinishedCell, type CellState, type CellStatus} from './cell-state.js';

/**
 * Grid state: everything the live grid shows, derived from RunEvents only.
 * `reduceGrid` is pure so the ink grid, tests and the benchmark share it.
 */
export interface GridState {
	nodes: string[];
	steps: StepName[];
	/** cells[node][step] */
	cells: Record<string, Partial<Record<StepName, CellState>>>;
	/** The last log line (or progress message) per node. */
	lastLine: Record<string, string>;
	/** Recent log lines per node and step, oldest first (for the details view). */
	logTail: Record<string, Partial<Record<StepName, string[]>>>;
	startedAt?: number;
	/** Time of the newest event: elapsed time is measured against it or a clock. */
	lastEventAt?: number;
	finished: boolean;
	ok?: boolean;
	durationMs?: number;
	failedNodes: string[];
	dryRun: boolean;
	/** Dry run: planned changes per node. */
	plannedChanges: Record<string, number>;
	/** A rolling change that ended at a failed node, and the nodes it did not reach. */
	rolloutStopped?: {node: string; step: StepName; untouched: string[]; rolledBack?: boolean};
	/** How many runs have finished into this grid (the first, then each retry). */
	runsFinished?: number;
	/** A failed node's rollback: its line, and the commands for a person when it failed. */
	rollback?: {line: string; ok: boolean; recovery?: string};
	/** The version skew checks a refused change failed, one line each (from its release plan). */
	releaseRefused?: string[];
	/** A master that left the profile, removed once the nodes converged: its own row and steps. */
	removal?: RemovalRow;
}

export const LOG_TAIL_LINES = 20;

export function initialGridState(nodes: string[] = [], steps: readonly StepName[] = EXTERNAL_ETCD_STEPS): GridState {
	return {
		nodes: [...nodes],
		steps: [...steps],
		cells: Object.fromEntries(nodes.map((n) => [n, {}])),
		lastLine: {},
		logTail: {},
		finished: false,
		failedNodes: [],
		dryRun: false,
		plannedChanges: {},
	};
}

export function cellOf(state: GridState, node: string, step: StepName): CellState {
	return state.cells[node]?.[step] ?? PENDING;
}

const PENDING: CellState = {status: 'pending'};

/** Cells finished and in all, for the footer's progress (a removal's row counts too). */
export function progressOf(state: GridState): {finished: number; total: number; failed: number; running: number} {
	const cells = state.nodes.flatMap((node) => state.steps.map((step) => cellOf(state, node, step)));
	const removal = state.removal;
	if (removal) cells.push(...REMOVAL_STEP_NAMES.map((step) => removalCellOf(removal, step)));
	const count = (status: CellState['status']) => cells.filter((c) => c.status === status).length;
	return {finished: cells.filter(isFinishedCell).length, total: cells.length, failed: count('failed'), running: count('running')};
}

function withNode(state: GridState, node: string): GridState {
	if (state.nodes.includes(node)) return state;
	return {...state, nodes: [...state.nodes, node], cells: {...state.cells, [node]: {}}};
}

function withStep(state: GridState, step: StepName): GridState {
	if (state.steps.includes(step)) return state;
	// Keep the canonical order for known steps.
	const steps = [...state.steps, step].sort((a, b) => STEP_NAMES.indexOf(a) - STEP_NAMES.indexOf(b));
	return {...state, steps};
}

function setCell(state: GridState, node: string, step: StepName, cell: CellState): GridState {
	const s = withStep(withNode(state, node), step);
	return {...s, cells: {...s.cells, [node]: {...s.cells[node], [step]: cell}}};
}

function failedNodesOf(state: GridState): string[] {
	return state.nodes.filter((n) => state.steps.some((s) => cellOf(state, n, s).status === 'failed'));
}

function appendLog(state: GridState, node: string, step: StepName | undefined, line: string): GridState {
	const next: GridState = {...state, lastLine: {...state.lastLine, [node]: line}};
	if (step === undefined) return next;
	const tail = state.logTail[node]?.[step] ?? [];
	const lines = tail.length >= LOG_TAIL_LINES ? [...tail.slice(tail.length - LOG_TAIL_LINES + 1), line] : [...tail, line];
	return {...next, logTail: {...state.logTail, [node]: {...state.logTail[node], [step]: lines}}};
}

export function reduceGrid(state: GridState, remoteEvent: RunEvent): GridState {
	// Causes, details and messages carry what nodes printed: nothing in them may act on the terminal.
	const event = terminalSafe(remoteEvent);
	const stamped: GridState = {...state, lastEventAt: event.at};
	switch (event.type) {
		case 'run-started': {
			// A retry may start a second run for some nodes: reset only those rows.
			let s: GridState = {
				...stamped,
				startedAt: state.startedAt ?? event.at,
				finished: false,
				ok: undefined,
				durationMs: undefined,
				dryRun: event.dryRun,
				rolloutStopped: undefined,
				rollback: undefined,
				releaseRefused: undefined,
			};
			for (const step of event.steps) s = withStep(s, step);
			for (const node of event.nodes) {
				s = withNode(s, node);
				s = {...s, cells: {...s.cells, [node]: {}}};
			}
			return {...s, failedNodes: failedNodesOf(s)};
		}
		case 'step-started': {
			const s = setCell(stamped, event.node, event.step, {status: 'running', startedAt: event.at});
			return {...s, finished: false, failedNodes: failedNodesOf(s)};
		}
		case 'step-progress': {
			const prev = cellOf(stamped, event.node, event.step);
			const base = prev.status === 'running' ? prev : {status: 'running' as const, startedAt: event.at};
			const cell: CellState = {
				...base,
				...(event.bytes !== undefined ? {bytes: event.bytes} : {}),
				...(event.totalBytes !== undefined ? {totalBytes: event.totalBytes} : {}),
				...(event.message !== undefined ? {message: event.message} : {}),
			};
			const s = setCell(stamped, event.node, event.step, cell);
			return event.message !== undefined ? {...s, lastLine: {...s.lastLine, [event.node]: `${event.step}: ${event.message}`}} : s;
		}
		case 'log':
			return appendLog(withNode(stamped, event.node), event.node, event.step, event.line);
		case 'step-unchanged':
			return setCell(stamped, event.node, event.step, {status: 'unchanged', durationMs: event.durationMs});
		case 'step-done':
			return setCell(stamped, event.node, event.step, {status: 'done', durationMs: event.durationMs, changed: event.changed.length});
		case 'step-skipped':
			return setCell(stamped, event.node, event.step, {status: 'skipped', reason: event.reason});
		case 'step-failed': {
			const cell: CellState = {
				status: 'failed',
				durationMs: event.durationMs,
				cause: event.cause,
				...(event.hint !== undefined ? {hint: event.hint} : {}),
				...(event.detail !== undefined ? {detail: event.detail} : {}),
			};
			const s = setCell(stamped, event.node, event.step, cell);
			return {...s, failedNodes: failedNodesOf(s), lastLine: {...s.lastLine, [event.node]: `${event.step}: ${event.cause}`}};
		}
		case 'plan-change': {
			const s = withNode(stamped, event.node);
			const what = event.change.kind === 'restart' ? `would restart ${event.change.service}` : `would ${event.change.kind} ${event.change.path}`;
			return {
				...s,
				plannedChanges: {...s.plannedChanges, [event.node]: (s.plannedChanges[event.node] ?? 0) + 1},
				lastLine: {...s.lastLine, [event.node]: `${event.step}: ${what}`},
			};
		}
		case 'rollout-stopped': {
			const notStarted = Object.fromEntries(event.untouched.map((n) => [n, `not started: rollout stopped at ${event.node}`]));
			const stopped = {node: event.node, step: event.step, untouched: [...event.untouched], ...(event.rolledBack !== undefined ? {rolledBack: event.rolledBack} : {})};
			return {...stamped, rolloutStopped: stopped, lastLine: {...stamped.lastLine, ...notStarted}};
		}
		case 'plan-release':
			// A dry run shows its plan in plain lines; the grid only needs why a change was refused
			// (the whole plan is printed under the grid once it ends: apply-action.ts).
			return event.ok ? stamped : {...stamped, releaseRefused: event.checks.filter((c) => !c.ok).map((c) => `refused: ${c.check}: ${c.detail}`)};
		case 'node-rolled-back':
			return {...stamped, rollback: {line: describeRollback(event), ok: event.ok, ...(event.recovery ? {recovery: event.recovery} : {})}};
		case 'removal-step':
			return {...stamped, removal: reduceRemovalRow(stamped.removal, event)};
		case 'run-finished':
			return {...stamped, runsFinished: (stamped.runsFinished ?? 0) + 1, finished: true, ok: event.ok, durationMs: event.durationMs, failedNodes: [...event.failedNodes]};
		default: {
			// Unknown event types (a newer runner) are ignored, never fatal.
			return state;
		}
	}
}

export function reduceGridAll(events: Iterable<RunEvent>, state: GridState = initialGridState()): GridState {
	let s = state;
	for (const e of events) s = reduceGrid(s, e);
	return s;
}
