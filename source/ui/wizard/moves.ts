import {getValue} from './draft.js';
import {STEPS} from './steps.js';
import {stepIssueKeys, issueFor, type Issues} from './validate.js';
import {currentStep, checkKey, fieldsOf, focusedValue, issuesAt, type WizardState} from './wizard-state.js';

// Moving through the wizard: leaving a field (its message shown, node checks and the
// version read started), focus within a screen, and between screens (continue only
// when the screen's fields pass, or to the first screen with a problem).

/** Node I is complete when its name and IP pass the schema (so it is worth connecting to). */
function nodeComplete(state: WizardState, index: number): boolean {
	// Checked as of the screen that edits the node list (the nodes screen, or the new master's).
	const issues = issuesAt(state, state.order.findIndex((id) => STEPS[id].owns.includes('nodes')));
	const n = state.draft.nodes[index];
	return n !== undefined && n.name.trim() !== '' && issueFor(issues, `nodes.${index}.name`) === undefined && issueFor(issues, `nodes.${index}.ip`) === undefined;
}

export function requestCheck(state: WizardState, index: number): WizardState {
	if (!state.canCheck || !nodeComplete(state, index)) return state;
	const id = checkKey(state.draft, index);
	if (state.checks[id]) return state;
	return {...state, checks: {...state.checks, [id]: {status: 'requested'}}};
}

export function requestVersion(state: WizardState): WizardState {
	const path = state.draft.values.binaries.trim();
	if (!state.canReadVersion || path === '' || state.version?.path === path) return state;
	return {...state, version: {path, status: 'requested'}};
}

/** Leaving the focused field: show its message from now on; start checks / version reads. */
export function leaveField(state: WizardState): WizardState {
	const f = fieldsOf(state)[state.focus];
	if (!f || f.kind === 'action') return state;
	let s: WizardState = {...state, touched: {...state.touched, [f.key]: true}};
	const m = /^nodes\.(\d+)\.(name|ip)$/.exec(f.key);
	if (m) s = requestCheck(s, Number(m[1]));
	if (f.key === 'binaries') s = requestVersion(s);
	return s;
}

export function focusTo(state: WizardState, focus: number): WizardState {
	const count = fieldsOf(state).length;
	const next = {...leaveField(state), focus: Math.max(0, Math.min(focus, count - 1))};
	return {...next, cursor: focusedValue(next).length};
}

export function gotoStep(state: WizardState, step: number, focus = 0): WizardState {
	const s: WizardState = {...state, step: Math.max(0, Math.min(step, state.order.length - 1)), focus, notice: undefined};
	let next = {...s, cursor: focusedValue(s).length};
	if (currentStep(next) === 'hostkeys') next.draft.nodes.forEach((_, i) => (next = requestCheck(next, i)));
	return next;
}

export function tryContinue(state: WizardState): WizardState {
	const left = leaveField(state);
	const step = currentStep(left);
	const issues = issuesAt(left);
	const keys = stepIssueKeys(issues, step, left.draft);
	if (keys.length > 0) {
		const touched = {...left.touched};
		for (const f of fieldsOf(left)) if (f.kind !== 'action') touched[f.key] = true;
		touched['nodes'] = true;
		const fields = fieldsOf(left);
		const firstBad = fields.findIndex((f) => keys.includes(f.key));
		const focus = firstBad >= 0 ? firstBad : left.focus;
		const s = {...left, touched, focus, notice: `fix ${keys.length === 1 ? 'the field' : `${keys.length} fields`} marked ✗ to continue`};
		return {...s, cursor: focusedValue(s).length};
	}
	if (step === 'name') {
		const name = getValue(left.draft, 'name').trim();
		if (left.savedNames.has(name) && name !== left.editing && left.replaceAsked !== name) {
			return {...left, replaceAsked: name, notice: `a saved profile is named "${name}": enter again replaces it (its state directory is reused); change the name to keep both`};
		}
	}
	return gotoStep(left, left.step + 1);
}

/** The first screen with a problem, every field on it marked; undefined when no screen shows one. */
export function toFirstProblem(state: WizardState, issues: Issues): WizardState | undefined {
	for (let i = 0; i < state.order.length; i++) {
		const id = state.order[i];
		if (id === undefined) continue;
		const keys = stepIssueKeys(issues, id, state.draft);
		if (keys.length === 0) continue;
		const s = gotoStep(state, i);
		const touched: Record<string, true> = {...s.touched, nodes: true};
		const fields = fieldsOf(s);
		for (const f of fields) if (f.kind !== 'action') touched[f.key] = true;
		const focus = Math.max(0, fields.findIndex((f) => keys.includes(f.key)));
		const next = {...s, touched, focus, notice: `fix ${keys.length === 1 ? 'the field' : `the ${keys.length} fields`} marked ✗, then continue to the summary again`};
		return {...next, cursor: focusedValue(next).length};
	}
	return undefined;
}
