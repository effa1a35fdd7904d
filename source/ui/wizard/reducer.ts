import {getValue, setValue} from './draft.js';
import {editText, type KeyFlags} from './text-edit.js';
import {hostKeysKey} from './hostkeys-rules.js';
import {focusTo, gotoStep, leaveField, tryContinue} from './moves.js';
import {addNode, removeNode} from './nodes-rules.js';
import {backToChoice, changeIntentOf, reduceChange} from './change-rules.js';
import {offerKey} from './resume-rules.js';
import {confirm, verified} from './summary-rules.js';
import {currentStep, draftToKeep, fieldsOf, type WizardAction, type WizardState} from './wizard-state.js';

// The wizard as a pure state machine (ink-ui's select reducer, grown up): key presses
// and async results in, next state out. The component only renders the state and runs
// the requests it lists (node checks, reading the binaries' version).
//
// Keys: Enter next field / continue · Tab or ↓ next field · Shift-Tab or ↑ previous
// field · Esc back one screen (answers are kept) · ←/→/space change a choice ·
// Ctrl-N add a node · Ctrl-D remove the focused node · Ctrl-C cancel.
//
// Editing a saved profile starts on the change screen: add a master, remove one, or every
// answer (change-rules.ts).
//
// The rules of each screen are in its own file (change-, nodes-, hostkeys-, summary-, resume-rules.ts),
// moving between fields and screens in moves.ts, the state and its queries in wizard-state.ts.

// The reducer's input and output, for its callers.
export type {NodeCheckResult, WizardAction, WizardState} from './wizard-state.js';

export function reduceWizard(state: WizardState, action: WizardAction): WizardState {
	if (state.outcome) return state;
	switch (action.type) {
		case 'check-started':
			return state.checks[action.id] ? {...state, checks: {...state.checks, [action.id]: {status: 'checking'}}} : state;
		case 'check-result':
			return {...state, checks: {...state.checks, [action.id]: {status: 'done', ...action.result}}};
		case 'version-started':
			return state.version?.path === action.path ? {...state, version: {...state.version, status: 'reading'}} : state;
		case 'version-result': {
			if (state.version?.path !== action.path) return state;
			if (action.error !== undefined || action.release === undefined) {
				return {...state, version: {path: action.path, status: 'error', error: action.error ?? 'no version found'}};
			}
			const minor = /^v?(\d+\.\d+)/.exec(action.release)?.[1];
			const draft = !state.versionEdited && minor ? setValue(state.draft, 'kubernetesVersion', minor) : state.draft;
			const next = {...state, draft, version: {path: action.path, status: 'ok' as const, release: action.release}};
			return next;
		}
		case 'saved-names':
			return {...state, savedNames: new Set(action.names)};
		case 'verify-result':
			return verified(state, action.problems);
		case 'key':
			// While the final check runs only Ctrl-C counts.
			if (state.verifying && !(action.key.ctrl && action.input === 'c')) return state;
			return keyAction(state, action.input, action.key);
	}
}

function keyAction(state: WizardState, input: string, key: KeyFlags): WizardState {
	if (key.ctrl && input === 'c') return {...state, outcome: {type: 'cancelled', draft: state.offer ? state.offer.saved : draftToKeep(state)}};
	if (state.offer) return offerKey(state, state.offer, input, key);
	const step = currentStep(state);
	if (step === 'change' || step === 'remove-master') return reduceChange(state, changeIntentOf(input, key));
	if (step === 'add-master' && key.escape) return backToChoice(state);
	if (step === 'hostkeys') return hostKeysKey(state, input, key);
	if (step === 'summary') {
		if (key.return) return confirm(state);
		if (key.escape || (key.shift && key.tab)) return gotoStep(state, state.step - 1);
		return state;
	}
	const fields = fieldsOf(state);
	const field = fields[state.focus];
	if (key.escape) {
		if (state.step === 0) return {...state, notice: 'first screen; Ctrl-C cancels'};
		const back = gotoStep(leaveField(state), state.step - 1);
		return back;
	}
	if ((key.shift && key.tab) || key.upArrow) return focusTo(state, state.focus - 1);
	if (key.tab || key.downArrow) return focusTo(state, state.focus + 1);
	if (step === 'nodes' && key.ctrl && input === 'n') return addNode(state);
	if (step === 'nodes' && key.ctrl && input === 'd') return removeNode(state);
	if (!field) return state;
	if (key.return) {
		if (field.kind === 'action') return field.key === 'add-node' ? addNode(state) : tryContinue(state);
		const next = fields[state.focus + 1];
		if (next === undefined || (next.kind === 'action' && next.key === 'continue')) return tryContinue(state);
		return focusTo(state, state.focus + 1);
	}
	if (field.kind === 'choice') {
		if (field.keptWhenEditing !== undefined && state.base && (key.leftArrow || key.rightArrow || input === ' ')) return {...state, notice: field.keptWhenEditing};
		const i = field.options.findIndex((o) => o.value === getValue(state.draft, field.key));
		const dir = key.leftArrow ? -1 : key.rightArrow || input === ' ' ? 1 : 0;
		if (dir === 0) return state;
		const option = field.options[(i + dir + field.options.length) % field.options.length];
		return option ? {...state, draft: setValue(state.draft, field.key, option.value), notice: undefined} : state;
	}
	if (field.kind === 'text') {
		const edited = editText({value: getValue(state.draft, field.key), cursor: state.cursor}, input, key);
		if (!edited) return state;
		let s: WizardState = {...state, draft: setValue(state.draft, field.key, edited.value), cursor: edited.cursor, notice: undefined};
		if (field.key === 'kubernetesVersion') s = {...s, versionEdited: true};
		return s;
	}
	return state;
}
