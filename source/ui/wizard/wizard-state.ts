import type {ProfileInput} from '../../profile/schema.js';
import {getValue, type Draft, type DraftNode} from './draft.js';
import {STEPS, type ChangeChoice, type FieldSpec, type StepId} from './steps.js';
import {savedDraftOf, type SavedDraft} from './saved-draft.js';
import type {KeyFlags} from './text-edit.js';
import {validateDraft, type Issues, type ValidationContext} from './validate.js';

// The wizard's state and the questions every rule asks of it (the screen, its fields,
// the node checks' keys, the issues so far). The rules that change it: reducer.ts and the
// files it dispatches to (moves.ts and one file per screen).

export interface NodeCheckResult {
	ok: boolean;
	fingerprint?: string;
	keyType?: string;
	error?: string;
	/** What to do about the error (shown under it). */
	hint?: string;
}

export type CheckState = {status: 'requested'} | {status: 'checking'} | ({status: 'done'} & NodeCheckResult);

export interface AcceptedHostKey {
	node: string;
	host: string;
	port: number;
	keyType?: string;
	fingerprint: string;
}

export interface WizardState {
	order: StepId[];
	step: number;
	focus: number;
	cursor: number;
	draft: Draft;
	/** Fields whose messages are shown (left once, or a continue was tried). */
	touched: Readonly<Record<string, true>>;
	/** Node checks, keyed by checkKey(). */
	checks: Readonly<Record<string, CheckState>>;
	version?: {path: string; status: 'requested' | 'reading' | 'ok' | 'error'; release?: string; error?: string};
	versionEdited: boolean;
	acceptedHostKeys: AcceptedHostKey[];
	canCheck: boolean;
	canReadVersion: boolean;
	/** Whether local paths exist (the caller's I/O edge); see validate.ts. */
	pathProblem?: ValidationContext['pathProblem'];
	/** Whether the confirmed profile goes through the caller's final check before it is done. */
	canVerify: boolean;
	/** The confirmed profile while the final check runs. */
	verifying?: ProfileInput;
	/** What the final check reported, by field key, for the value each field had then. */
	reported: Readonly<Record<string, {value: string; message: string}>>;
	/** The saved profile these answers edit (its name), if the wizard was opened on one. */
	editing?: string;
	/** The saved profile being edited, as stored: what the wizard does not ask about is kept from it. */
	base?: ProfileInput;
	/** The names of the saved profiles (to ask before replacing one). */
	savedNames: ReadonlySet<string>;
	/** The name the user was told is taken; a second continue with it replaces that profile. */
	replaceAsked?: string;
	/**
	 * Editing a saved profile (the change screen first): the choice, the master picked to
	 * remove, and the nodes the choice started from, put back when the user goes back to it.
	 */
	change?: {choice: ChangeChoice; pick: number; from: DraftNode[]};
	/** A kept draft offered before the first screen: resume it or start fresh. */
	offer?: {saved: SavedDraft; choice: 'resume' | 'fresh'; base?: ProfileInput};
	notice?: string;
	outcome?: {type: 'done'; profile: ProfileInput; hostKeys: AcceptedHostKey[]} | {type: 'cancelled'; draft: SavedDraft};
}

export type WizardAction =
	| {type: 'key'; input: string; key: KeyFlags}
	| {type: 'check-started'; id: string}
	| {type: 'check-result'; id: string; result: NodeCheckResult}
	| {type: 'version-started'; path: string}
	| {type: 'version-result'; path: string; release?: string; error?: string}
	| {type: 'verify-result'; problems: ReadonlyArray<{field: string; message: string}>}
	| {type: 'saved-names'; names: readonly string[]};

export interface WizardOptions {
	canCheck: boolean;
	canReadVersion: boolean;
	canVerify?: boolean;
	pathProblem?: ValidationContext['pathProblem'];
	editing?: string;
	base?: ProfileInput;
	/** A draft kept by an earlier run, offered first; with the saved profile it edits, if any. */
	resume?: SavedDraft;
	resumeBase?: ProfileInput;
}

export function initialWizardState(draft: Draft, order: StepId[], options: WizardOptions): WizardState {
	const s: WizardState = {
		order,
		step: 0,
		focus: 0,
		cursor: 0,
		draft,
		touched: {},
		checks: {},
		versionEdited: draft.values.kubernetesVersion !== '',
		acceptedHostKeys: [],
		canCheck: options.canCheck,
		canReadVersion: options.canReadVersion,
		canVerify: options.canVerify ?? false,
		reported: {},
		...(options.pathProblem ? {pathProblem: options.pathProblem} : {}),
		...(options.editing !== undefined ? {editing: options.editing} : {}),
		...(options.resume ? {offer: {saved: options.resume, choice: 'resume' as const, ...(options.resumeBase ? {base: options.resumeBase} : {})}} : {}),
		...(options.base ? {base: options.base} : {}),
		...(order[0] === 'change' ? {change: {choice: 'add' as const, pick: 0, from: draft.nodes}} : {}),
		savedNames: new Set(),
	};
	return {...s, cursor: focusedValue(s).length};
}

export function currentStep(state: WizardState): StepId {
	return state.order[state.step] ?? 'summary';
}

export function fieldsOf(state: WizardState): FieldSpec[] {
	return STEPS[currentStep(state)].fields(state.draft);
}


/** The focused field's value (the cursor goes to its end when focus moves). */
export function focusedValue(state: WizardState): string {
	const f = fieldsOf(state)[state.focus];
	return f && f.kind !== 'action' ? getValue(state.draft, f.key) : '';
}

export function sshOf(draft: Draft): {user: string; port: number; identityFile?: string} {
	const port = Number(draft.values['ssh.port']);
	const identity = draft.values['ssh.auth'] === 'file' ? draft.values['ssh.identityFile'].trim() : '';
	return {user: draft.values['ssh.user'].trim(), port: Number.isInteger(port) ? port : 22, ...(identity ? {identityFile: identity} : {})};
}

export function checkKey(draft: Draft, index: number): string {
	const n = draft.nodes[index];
	const ssh = sshOf(draft);
	return JSON.stringify([n?.name.trim(), n?.ip.trim(), ssh.user, ssh.port, ssh.identityFile ?? '']);
}

/** Every issue of the answers up to step `upTo` (default: the current one): schema, local paths, release, final check. */
export function issuesAt(state: WizardState, upTo = state.step): Issues {
	const v = state.version;
	return validateDraft(state.draft, state.order, upTo, {
		...(state.pathProblem ? {pathProblem: state.pathProblem} : {}),
		...(v?.status === 'ok' && v.release ? {release: {path: v.path, release: v.release}} : {}),
		reported: state.reported,
	});
}

/**
 * The draft as it is kept after every screen. A master added or removed on its own screen
 * is kept as the nodes screen's: resumed, the node list is there as it was left.
 */
export function draftToKeep(state: WizardState): SavedDraft {
	const step = currentStep(state);
	return savedDraftOf(state.draft, step === 'add-master' || step === 'remove-master' ? 'nodes' : step, state.editing !== undefined ? {editing: state.editing} : {});
}
