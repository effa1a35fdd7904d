import type {ServiceName} from '../cluster/services.js';
import type {Selection} from '../status/selection.js';
import type {DashboardViewModel} from '../status/view-model.js';
import {terminalText} from '../terminal-text.js';

/** The journal pane of the dashboard: one unit of one node, while it loads and after. */
export interface JournalView {
	node: string;
	unit: ServiceName;
	state: 'loading' | 'done' | 'error';
	text: string;
}

/** Everything the live dashboard shows that changes: the last view, the selection, the journal pane. */
export interface DashboardState {
	view: DashboardViewModel | null;
	selection: Selection;
	refreshing: boolean;
	/** The last refresh's error, shown until a refresh succeeds. */
	error: string | null;
	journal: JournalView | null;
}

export type DashboardAction =
	| {type: 'refresh-started'}
	| {type: 'refreshed'; view: DashboardViewModel}
	| {type: 'refresh-failed'; message: string}
	| {type: 'refresh-ended'}
	| {type: 'selected'; selection: Selection}
	| {type: 'journal-opened'; node: string; unit: ServiceName}
	/** A journal answer: applied only if that pane is still the open one. */
	| {type: 'journal-answered'; node: string; unit: ServiceName; ok: boolean; text: string}
	| {type: 'journal-closed'};

export const initialDashboardState: DashboardState = {view: null, selection: {row: 0, column: 0}, refreshing: false, error: null, journal: null};

export function reduceDashboard(state: DashboardState, action: DashboardAction): DashboardState {
	switch (action.type) {
		case 'refresh-started':
			return {...state, refreshing: true};
		case 'refreshed':
			return {...state, view: action.view, error: null};
		case 'refresh-failed':
			return {...state, error: action.message};
		case 'refresh-ended':
			return {...state, refreshing: false};
		case 'selected':
			return {...state, selection: action.selection};
		case 'journal-opened':
			return {...state, journal: {node: action.node, unit: action.unit, state: 'loading', text: ''}};
		case 'journal-answered': {
			const open = state.journal;
			if (!open || open.node !== action.node || open.unit !== action.unit) return state;
			// Journal lines and errors come from the node: nothing in them may act on the terminal.
			return {...state, journal: {...open, state: action.ok ? 'done' : 'error', text: terminalText(action.text)}};
		}
		case 'journal-closed':
			return {...state, journal: null};
	}
}
