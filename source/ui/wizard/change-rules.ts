import {nodeName} from './draft.js';
import {gotoStep} from './moves.js';
import {changeOrder, type ChangeChoice} from './steps.js';
import type {KeyFlags} from './text-edit.js';
import {currentStep, type WizardState} from './wizard-state.js';

// Editing a saved profile starts with a choice: add a master (a form for the new node, then
// the summary), remove one (pick it from the profile's masters, then the summary), or every
// answer on the first install's screens. The two short ways change the node list only; going
// back to the choice puts the list back as it was. Keys become intents first (ink-ui's
// select), so the rules below never see a raw key.

export type ChangeIntent = 'previous' | 'next' | 'choose' | 'back';

export const CHANGE_CHOICES: readonly ChangeChoice[] = ['add', 'remove', 'all'];

export function changeIntentOf(input: string, key: KeyFlags): ChangeIntent | undefined {
	if (key.return) return 'choose';
	if (key.escape) return 'back';
	if (key.upArrow || key.leftArrow || (key.shift && key.tab)) return 'previous';
	if (key.downArrow || key.rightArrow || key.tab || input === ' ') return 'next';
	return undefined;
}

/** The change screen and the remove screen (the add screen is a form: reducer.ts). */
export function reduceChange(state: WizardState, intent: ChangeIntent | undefined): WizardState {
	const change = state.change;
	if (!change || intent === undefined) return state;
	const step = currentStep(state);
	if (step === 'change') {
		if (intent === 'back') return {...state, notice: 'first screen; Ctrl-C cancels'};
		if (intent === 'choose') return choose(state, change.choice);
		const i = CHANGE_CHOICES.indexOf(change.choice) + (intent === 'next' ? 1 : -1);
		return {...state, change: {...change, choice: CHANGE_CHOICES[(i + CHANGE_CHOICES.length) % CHANGE_CHOICES.length]!}, notice: undefined};
	}
	if (step !== 'remove-master') return state;
	if (intent === 'back') return backToChoice(state);
	const count = change.from.length;
	if (intent !== 'choose') return {...state, change: {...change, pick: (change.pick + (intent === 'next' ? 1 : -1) + count) % count}, notice: undefined};
	const picked = change.from[change.pick];
	if (!picked) return state;
	if (count === 1) {
		return {
			...state,
			notice: `${picked.name} is the profile's only master: the last master is never removed, the cluster would have no apiserver left. Add the master that replaces it first (add a master), apply, then remove ${picked.name}.`,
		};
	}
	return gotoStep({...state, draft: {...state.draft, nodes: change.from.filter((_, i) => i !== change.pick)}}, state.step + 1);
}

function choose(state: WizardState, choice: ChangeChoice): WizardState {
	const from = state.draft.nodes;
	const order = changeOrder(choice, {checkNodes: state.canCheck});
	const s: WizardState = {...state, order, change: {choice, pick: Math.min(state.change?.pick ?? 0, from.length - 1), from}};
	if (choice !== 'add') return gotoStep(s, 1);
	// The new node goes last, named after the others (lab-m1..3 → lab-m4); the form opens on its name.
	const added = {name: nextNodeName(from.map((n) => n.name.trim())), ip: ''};
	return gotoStep({...s, draft: {...s.draft, nodes: [...from, added]}}, 1);
}

/** Back to the choice from the add or the remove screen: the node list as it was before. */
export function backToChoice(state: WizardState): WizardState {
	const change = state.change;
	if (!change) return gotoStep(state, state.step - 1);
	// Messages are keyed by position: an added node's marks go with it.
	const touched = Object.fromEntries(Object.entries(state.touched).filter(([k]) => !k.startsWith('nodes.'))) as Record<string, true>;
	return gotoStep({...state, draft: {...state.draft, nodes: change.from}, touched}, 0);
}

/** A name for the next master: the last one's with the next free number (lab-m3 → lab-m4), else master<N>. */
export function nextNodeName(names: readonly string[]): string {
	const last = /^(.*?)(\d+)$/.exec(names.at(-1) ?? '');
	if (!last) {
		let n = names.length;
		while (names.includes(nodeName(n))) n++;
		return nodeName(n);
	}
	const prefix = last[1]!;
	const numbers = names.filter((n) => n.startsWith(prefix) && /^\d+$/.test(n.slice(prefix.length))).map((n) => Number(n.slice(prefix.length)));
	let next = Math.max(names.length, ...numbers) + 1;
	while (names.includes(`${prefix}${next}`)) next++;
	return `${prefix}${next}`;
}
