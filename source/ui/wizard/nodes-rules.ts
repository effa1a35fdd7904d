import {nodeName} from './draft.js';
import {leaveField} from './moves.js';
import {fieldsOf, focusedValue, type WizardState} from './wizard-state.js';

// The nodes screen's own keys: Ctrl-N adds a row (focus on its IP), Ctrl-D removes the focused one.

export function addNode(state: WizardState): WizardState {
	const left = leaveField(state);
	const draft = {...left.draft, nodes: [...left.draft.nodes, {name: nodeName(left.draft.nodes.length), ip: ''}]};
	const s = {...left, draft, focus: (draft.nodes.length - 1) * 2 + 1};
	return {...s, cursor: focusedValue(s).length, notice: undefined};
}

export function removeNode(state: WizardState): WizardState {
	const f = fieldsOf(state)[state.focus];
	const m = f ? /^nodes\.(\d+)\./.exec(f.key) : null;
	if (!m) return state;
	const index = Number(m[1]);
	const nodes = state.draft.nodes.filter((_, i) => i !== index);
	// Messages are keyed by position: forget the touched marks of the rows that moved.
	const touched = Object.fromEntries(Object.entries(state.touched).filter(([k]) => !k.startsWith('nodes.'))) as Record<string, true>;
	const s = {...state, draft: {...state.draft, nodes}, touched, focus: Math.max(0, Math.min(index, nodes.length - 1) * 2)};
	return {...s, cursor: focusedValue(s).length, notice: undefined};
}
