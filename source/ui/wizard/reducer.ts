import type {ProfileInput} from '../../profile/schema.js';
import {getValue, nodeName, setValue, toProfileInput, withBase, type Draft} from './draft.js';
import {STEPS, type FieldSpec, type StepId} from './steps.js';
import {editText, type KeyFlags} from './text-edit.js';
import {savedDraftOf, type SavedDraft} from './saved-draft.js';
import {fieldKeyOf, issueFor, stepIssueKeys, validateDraft, type Issues, type ValidationContext} from './validate.js';

/**
 * The wizard as a pure state machine (ink-ui's select reducer, grown up): key presses
 * and async results in, next state out. The component only renders the state and runs
 * the requests it lists (node checks, reading the binaries' version).
 *
 * Keys: Enter next field / continue · Tab or ↓ next field · Shift-Tab or ↑ previous
 * field · Esc back one screen (answers are kept) · ←/→/space change a choice ·
 * Ctrl-N add a node · Ctrl-D remove the focused node · Ctrl-C cancel.
 */
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

function focusedValue(state: WizardState): string {
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

/** Node I is complete when its name and IP pass the schema (so it is worth connecting to). */
function nodeComplete(state: WizardState, index: number): boolean {
	const issues = issuesAt(state, state.order.indexOf('nodes'));
	const n = state.draft.nodes[index];
	return n !== undefined && n.name.trim() !== '' && issueFor(issues, `nodes.${index}.name`) === undefined && issueFor(issues, `nodes.${index}.ip`) === undefined;
}

function requestCheck(state: WizardState, index: number): WizardState {
	if (!state.canCheck || !nodeComplete(state, index)) return state;
	const id = checkKey(state.draft, index);
	if (state.checks[id]) return state;
	return {...state, checks: {...state.checks, [id]: {status: 'requested'}}};
}

function requestVersion(state: WizardState): WizardState {
	const path = state.draft.values.binaries.trim();
	if (!state.canReadVersion || path === '' || state.version?.path === path) return state;
	return {...state, version: {path, status: 'requested'}};
}

/** Leaving the focused field: show its message from now on; start checks / version reads. */
function leaveField(state: WizardState): WizardState {
	const f = fieldsOf(state)[state.focus];
	if (!f || f.kind === 'action') return state;
	let s: WizardState = {...state, touched: {...state.touched, [f.key]: true}};
	const m = /^nodes\.(\d+)\.(name|ip)$/.exec(f.key);
	if (m) s = requestCheck(s, Number(m[1]));
	if (f.key === 'binaries') s = requestVersion(s);
	return s;
}

function focusTo(state: WizardState, focus: number): WizardState {
	const count = fieldsOf(state).length;
	const next = {...leaveField(state), focus: Math.max(0, Math.min(focus, count - 1))};
	return {...next, cursor: focusedValue(next).length};
}

function gotoStep(state: WizardState, step: number, focus = 0): WizardState {
	const s: WizardState = {...state, step: Math.max(0, Math.min(step, state.order.length - 1)), focus, notice: undefined};
	let next = {...s, cursor: focusedValue(s).length};
	if (currentStep(next) === 'hostkeys') next.draft.nodes.forEach((_, i) => (next = requestCheck(next, i)));
	return next;
}

function tryContinue(state: WizardState): WizardState {
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

function addNode(state: WizardState): WizardState {
	const left = leaveField(state);
	const draft = {...left.draft, nodes: [...left.draft.nodes, {name: nodeName(left.draft.nodes.length), ip: ''}]};
	const s = {...left, draft, focus: (draft.nodes.length - 1) * 2 + 1};
	return {...s, cursor: focusedValue(s).length, notice: undefined};
}

function removeNode(state: WizardState): WizardState {
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

/** The first screen with a problem, every field on it marked; undefined when no screen shows one. */
function toFirstProblem(state: WizardState, issues: Issues): WizardState | undefined {
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

function confirm(state: WizardState): WizardState {
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
function verified(state: WizardState, problems: ReadonlyArray<{field: string; message: string}>): WizardState {
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

/** The draft as it is kept after every screen. */
export function draftToKeep(state: WizardState): SavedDraft {
	return savedDraftOf(state.draft, currentStep(state), state.editing !== undefined ? {editing: state.editing} : {});
}

/** Back to where the kept draft was: its answers, its screen, the screens before it checked. */
function resume(state: WizardState, saved: SavedDraft): WizardState {
	const at = state.order.indexOf(saved.step);
	const base = saved.editing !== undefined ? state.offer?.base : undefined;
	let answers = saved.answers;
	// An edit's draft: the key it never kept is the saved profile's.
	const key = base?.encryption?.key;
	if (key && answers.values['encryption.mode'] === 'paste' && answers.values['encryption.key'] === '') answers = setValue(answers, 'encryption.key', key);
	let s: WizardState = {
		...state,
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

function offerKey(state: WizardState, offer: NonNullable<WizardState['offer']>, input: string, key: KeyFlags): WizardState {
	if (key.return) return offer.choice === 'resume' ? resume(state, offer.saved) : {...state, offer: undefined, notice: undefined};
	if (key.leftArrow || key.rightArrow || key.upArrow || key.downArrow || key.tab || input === ' ') {
		return {...state, offer: {...offer, choice: offer.choice === 'resume' ? 'fresh' : 'resume'}};
	}
	return state;
}

function hostKeysKey(state: WizardState, input: string, key: KeyFlags): WizardState {
	const ids = state.draft.nodes.map((_, i) => checkKey(state.draft, i));
	const results = ids.map((id) => state.checks[id]);
	if (key.escape || (key.shift && key.tab)) return gotoStep(state, state.step - 1);
	if (input === 'r') {
		const checks = {...state.checks};
		ids.forEach((id, i) => {
			const r = results[i];
			if (!r || (r.status === 'done' && !r.ok)) checks[id] = {status: 'requested'};
		});
		return {...state, checks, notice: undefined};
	}
	if (input === 'c') return {...gotoStep(state, state.step + 1), acceptedHostKeys: []};
	if (key.return || input === 'y') {
		if (results.some((r) => !r || r.status !== 'done')) return {...state, notice: 'still checking; wait for every node'};
		const failed = results.filter((r) => r?.status === 'done' && !r.ok).length;
		if (failed > 0) return {...state, notice: `${failed} node${failed === 1 ? '' : 's'} failed the check: r recheck · esc back · c continue without checking`};
		const ssh = sshOf(state.draft);
		const accepted: AcceptedHostKey[] = state.draft.nodes.flatMap((n, i) => {
			const r = results[i];
			return r?.status === 'done' && r.fingerprint ? [{node: n.name.trim(), host: n.ip.trim(), port: ssh.port, ...(r.keyType ? {keyType: r.keyType} : {}), fingerprint: r.fingerprint}] : [];
		});
		return {...gotoStep(state, state.step + 1), acceptedHostKeys: accepted};
	}
	return state;
}

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
