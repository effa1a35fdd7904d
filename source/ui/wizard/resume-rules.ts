import {setValue} from './draft.js';
import {STEPS, type StepId} from './steps.js';
import type {SavedDraft} from './saved-draft.js';
import type {KeyFlags} from './text-edit.js';
import {gotoStep, requestVersion} from './moves.js';
import type {WizardState} from './wizard-state.js';

// The offer of a kept draft before the first screen: resume it (its answers, its screen,
// the screens before it marked checked) or start fresh.

/** The screens a kept draft resumes in: the change screen is an edit's, a new profile's draft has none to go back to. */
export function resumeOrder(order: readonly StepId[], saved: SavedDraft): StepId[] {
	return saved.editing === undefined ? order.filter((id) => id !== 'change') : [...order];
}

/** Back to where the kept draft was: its answers, its screen, the screens before it checked. */
function resume(state: WizardState, saved: SavedDraft): WizardState {
	const order = resumeOrder(state.order, saved);
	const at = order.indexOf(saved.step);
	const base = saved.editing !== undefined ? state.offer?.base : undefined;
	let answers = saved.answers;
	// An edit's draft: the key it never kept is the saved profile's.
	const key = base?.encryption?.key;
	if (key && answers.values['encryption.mode'] === 'paste' && answers.values['encryption.key'] === '') answers = setValue(answers, 'encryption.key', key);
	let s: WizardState = {
		...state,
		order,
		...(saved.editing === undefined ? {change: undefined} : {}),
		offer: undefined,
		draft: answers,
		base,
		editing: saved.editing,
		versionEdited: saved.answers.values.kubernetesVersion !== '',
	};
	const touched: Record<string, true> = {};
	for (const id of s.order.slice(0, Math.max(0, at))) {
		for (const f of STEPS[id].fields(s.draft)) if (f.kind !== 'action') touched[f.key] = true;
		if (id === 'nodes') touched['nodes'] = true;
	}
	s = requestVersion(gotoStep({...s, touched}, Math.max(0, at)));
	const keyGone = s.draft.values['encryption.mode'] === 'paste' && s.draft.values['encryption.key'] === '';
	return {...s, notice: `resumed the draft${keyGone ? '; a pasted encryption key is never kept in it: paste it again on the encryption screen' : ''}`};
}

export function offerKey(state: WizardState, offer: NonNullable<WizardState['offer']>, input: string, key: KeyFlags): WizardState {
	if (key.return) return offer.choice === 'resume' ? resume(state, offer.saved) : {...state, offer: undefined, notice: undefined};
	if (key.leftArrow || key.rightArrow || key.upArrow || key.downArrow || key.tab || input === ' ') {
		return {...state, offer: {...offer, choice: offer.choice === 'resume' ? 'fresh' : 'resume'}};
	}
	return state;
}
