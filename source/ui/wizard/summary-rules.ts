import {getValue, toProfileInput, withBase} from './draft.js';
import {toFirstProblem} from './moves.js';
import {fieldKeyOf} from './validate.js';
import {issuesAt, type WizardState} from './wizard-state.js';

// The summary screen's Enter: every screen's answers checked again, then the caller's final
// check (when it has one), whose problems send the user back to the field they name.

export function confirm(state: WizardState): WizardState {
	const issues = issuesAt(state, state.order.length - 1);
	if (issues.size > 0) {
		const [path, message] = [...issues][0] ?? ['profile', 'invalid'];
		return toFirstProblem(state, issues) ?? {...state, notice: `${path}: ${message}`};
	}
	const profile = withBase(toProfileInput(state.draft), state.base);
	if (state.canVerify) return {...state, verifying: profile, notice: 'checking the profile…'};
	return {...state, outcome: {type: 'done', profile, hostKeys: state.acceptedHostKeys}};
}

/** The final check's answer: done, or back to the first field it named, with its message there. */
export function verified(state: WizardState, problems: ReadonlyArray<{field: string; message: string}>): WizardState {
	const profile = state.verifying;
	if (!profile) return state;
	const s: WizardState = {...state, verifying: undefined, notice: undefined};
	if (problems.length === 0) return {...s, outcome: {type: 'done', profile, hostKeys: state.acceptedHostKeys}};
	const reported = {...state.reported};
	for (const p of problems) {
		const key = fieldKeyOf(p.field);
		reported[key] = {value: getValue(state.draft, key).trim(), message: p.message};
	}
	const next = {...s, reported};
	const first = problems[0]!;
	return toFirstProblem(next, issuesAt(next, next.order.length - 1)) ?? {...next, notice: `${first.field}: ${first.message}`};
}
