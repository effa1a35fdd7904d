import React, {useEffect, useMemo, useReducer, useRef, useState} from 'react';
import {Box, Text, useInput, useStdout} from 'ink';
import type {ProfileInput} from '../../profile/schema.js';
import {initialDraft} from './draft.js';
import {reduceWizard} from './reducer.js';
import {currentStep, draftToKeep, initialWizardState, issuesAt, type AcceptedHostKey, type NodeCheckResult} from './wizard-state.js';
import {STEPS, stepOrder, WIZARD_TITLE} from './steps.js';
import type {LocalPathKey} from './validate.js';
import type {SavedDraft} from './saved-draft.js';
import {ResumeScreen} from './resume-screen.js';
import {resumeOrder} from './resume-rules.js';
import {FormScreen} from './form-screen.js';
import {NodesScreen} from './nodes-screen.js';
import {HostKeysScreen} from './hostkeys-screen.js';
import {SummaryScreen} from './summary-screen.js';
import {ChangeScreen} from './change-screen.js';
import {AddMasterScreen} from './add-master-screen.js';
import {RemoveMasterScreen} from './remove-master-screen.js';
import {Tone} from '../theme.js';
import {WrappedText} from '../wrapped-text.js';

export interface NodeToCheck {
	name: string;
	ip: string;
	ssh: {user: string; port: number; identityFile?: string};
}

export interface WizardProps {
	/** Answers to start from: a saved draft or an existing profile. */
	initial?: Partial<ProfileInput>;
	/** Confirmed on the summary screen; the profile passed ProfileSchema. */
	onDone: (profile: ProfileInput, extras: {hostKeys: AcceptedHostKey[]}) => void;
	/** Ctrl-C before the confirm, with the answers to keep (never a pasted encryption key). */
	onCancel: (draft: SavedDraft) => void;
	/** After every screen: the answers to keep, so a later start can resume them. */
	onDraft?: (draft: SavedDraft) => void;
	/** The command's first SIGINT/SIGTERM: cancels as Ctrl-C does (the draft is kept). */
	stopSignal?: AbortSignal;
	/** A draft an earlier run kept: offered first (resume it or start fresh). */
	resume?: SavedDraft;
	/** The name of the saved profile `initial` holds, when editing one. */
	editing?: string;
	/** The saved profile being edited, as stored, and the one a kept draft edits: what the wizard does not ask about is kept. */
	base?: ProfileInput;
	resumeBase?: ProfileInput;
	/** The names of the saved profiles, so replacing one is asked first. */
	loadSavedNames?: () => Promise<readonly string[]>;
	/** Connect to a node and read its host key; called as soon as a node's name and IP are valid. */
	checkNode?: (node: NodeToCheck) => Promise<NodeCheckResult>;
	/** Read the release (e.g. "v1.37.2") from a binaries directory or tarball. */
	readBinariesVersion?: (path: string) => Promise<string>;
	/** Why a local path (binaries, identity file, CA files) is unusable, or undefined; checked on its screen. */
	checkLocalPath?: (key: LocalPathKey, path: string) => string | undefined;
	/**
	 * The final check of the confirmed profile (the loader's: schema, files read); the problems
	 * it returns send the user back to the field, and only none ends the wizard.
	 */
	verify?: (profile: ProfileInput) => Promise<ReadonlyArray<{field: string; message: string}>>;
	columns?: number;
}

const KEYS_HELP: Record<string, string> = {
	form: 'enter next · tab/↓ next field · shift-tab/↑ previous · esc back · ctrl-c cancel',
	nodes: 'enter next · ↑/↓ move · ctrl-n add node · ctrl-d remove node · esc back · ctrl-c cancel',
	hostkeys: 'enter/y accept these host keys · r recheck · c continue without checking · esc back',
	summary: 'enter confirm and save · esc back (answers are kept) · ctrl-c cancel',
	offer: '←/→ choose · enter continue · ctrl-c cancel (the draft stays)',
	change: '↑/↓ choose · enter continue · ctrl-c cancel',
	'remove-master': '↑/↓ choose · enter remove it · esc back · ctrl-c cancel',
};

export function Wizard({initial, onDone, onCancel, onDraft, stopSignal, resume, editing, base, resumeBase, loadSavedNames, checkNode, readBinariesVersion, checkLocalPath, verify, columns: columnsProp}: WizardProps) {
	const {stdout} = useStdout();
	const columns = columnsProp ?? (stdout.columns || 80);
	const [state, dispatch] = useReducer(reduceWizard, undefined, () =>
		// An edit of a saved profile starts on the change screen (add, remove a master, or every answer).
		initialWizardState(initialDraft(initial), stepOrder({checkNodes: checkNode !== undefined, editing: editing !== undefined && base !== undefined}), {
			canCheck: checkNode !== undefined,
			canReadVersion: readBinariesVersion !== undefined,
			canVerify: verify !== undefined,
			...(resume ? {resume} : {}),
			...(editing !== undefined ? {editing} : {}),
			...(base ? {base} : {}),
			...(resumeBase ? {resumeBase} : {}),
			...(checkLocalPath ? {pathProblem: checkLocalPath} : {}),
		}),
	);
	const [frame, setFrame] = useState(0);
	const reported = useRef(false);

	useInput((input, key) => dispatch({type: 'key', input, key}));
	// A SIGINT/SIGTERM (a Ctrl-C that reached the terminal while no key was read) cancels as
	// the Ctrl-C key does: the answers so far are kept as the draft.
	useEffect(() => {
		if (!stopSignal) return;
		const cancel = () => dispatch({type: 'key', input: 'c', key: {ctrl: true}});
		if (stopSignal.aborted) cancel();
		stopSignal.addEventListener('abort', cancel, {once: true});
		return () => stopSignal.removeEventListener('abort', cancel);
	}, [stopSignal]);

	// Run what the reducer asked for: node checks and version reads.
	useEffect(() => {
		if (!checkNode) return;
		for (const [id, check] of Object.entries(state.checks)) {
			if (check.status !== 'requested') continue;
			dispatch({type: 'check-started', id});
			const [name, ip, user, port, identityFile] = JSON.parse(id) as [string, string, string, number, string];
			checkNode({name, ip, ssh: {user, port, ...(identityFile ? {identityFile} : {})}}).then(
				(result) => dispatch({type: 'check-result', id, result}),
				(error: unknown) => dispatch({type: 'check-result', id, result: {ok: false, error: error instanceof Error ? error.message : String(error)}}),
			);
		}
	}, [state.checks, checkNode]);

	useEffect(() => {
		const v = state.version;
		if (!readBinariesVersion || v?.status !== 'requested') return;
		dispatch({type: 'version-started', path: v.path});
		readBinariesVersion(v.path).then(
			(release) => dispatch({type: 'version-result', path: v.path, release}),
			(error: unknown) => dispatch({type: 'version-result', path: v.path, error: error instanceof Error ? error.message : String(error)}),
		);
	}, [state.version, readBinariesVersion]);

	useEffect(() => {
		loadSavedNames?.().then(
			(names) => dispatch({type: 'saved-names', names}),
			() => undefined,
		);
	}, [loadSavedNames]);

	// A draft after every screen: a change of screen (not the first render) keeps the answers.
	const lastStep = useRef(state.step);
	useEffect(() => {
		if (lastStep.current === state.step || state.outcome) return;
		lastStep.current = state.step;
		onDraft?.(draftToKeep(state));
	}, [state, onDraft]);

	useEffect(() => {
		const profile = state.verifying;
		if (!verify || !profile) return;
		verify(profile).then(
			(problems) => dispatch({type: 'verify-result', problems}),
			(error: unknown) => dispatch({type: 'verify-result', problems: [{field: '(profile)', message: error instanceof Error ? error.message : String(error)}]}),
		);
	}, [state.verifying, verify]);

	useEffect(() => {
		if (!state.outcome || reported.current) return;
		reported.current = true;
		if (state.outcome.type === 'done') onDone(state.outcome.profile, {hostKeys: state.outcome.hostKeys});
		else onCancel(state.outcome.draft);
	}, [state.outcome, onDone, onCancel]);

	const busy = Object.values(state.checks).some((c) => c.status !== 'done') || state.version?.status === 'reading' || state.version?.status === 'requested';
	useEffect(() => {
		if (!busy) return;
		const timer = setInterval(() => setFrame((f) => f + 1), 100);
		return () => clearInterval(timer);
	}, [busy]);

	const step = currentStep(state);
	const issues = useMemo(() => issuesAt(state), [state]);
	const spec = STEPS[step];

	let body: React.ReactNode;
	if (state.offer) body = <ResumeScreen offer={state.offer} order={resumeOrder(state.order, state.offer.saved)} columns={columns} />;
	else if (step === 'change') body = <ChangeScreen state={state} columns={columns} />;
	else if (step === 'add-master') body = <AddMasterScreen state={state} issues={issues} columns={columns} spinnerFrame={frame} />;
	else if (step === 'remove-master') body = <RemoveMasterScreen state={state} />;
	else if (step === 'nodes') body = <NodesScreen state={state} issues={issues} columns={columns} spinnerFrame={frame} />;
	else if (step === 'hostkeys') body = <HostKeysScreen state={state} columns={columns} spinnerFrame={frame} />;
	else if (step === 'summary') body = <SummaryScreen state={state} columns={columns} />;
	else {
		const v = state.version;
		const extra = v
			? {
					binaries: (
						<WrappedText width={columns} indent={18} tone={v.status === 'error' ? 'bad' : v.status === 'ok' ? 'ok' : 'dim'}>
							{v.status === 'ok' ? `found ${v.release ?? ''}` : v.status === 'error' ? `could not read the version: ${v.error ?? ''}` : 'reading the version…'}
						</WrappedText>
					),
				}
			: undefined;
		body = <FormScreen state={state} issues={issues} columns={columns} extra={extra} />;
	}

	if (state.outcome) {
		return (
			<Text>
				{state.outcome.type === 'done' ? <Tone tone="ok">✓ profile {state.outcome.profile.name} confirmed</Tone> : <Tone tone="warn">cancelled; nothing was written to any node</Tone>}
			</Text>
		);
	}

	return (
		<Box flexDirection="column">
			<WrappedText width={columns} tone="accent" bold>
				{state.editing !== undefined ? `k8s-master-setup · editing profile ${state.editing}` : WIZARD_TITLE}
			</WrappedText>
			<WrappedText width={columns} bold>
				{state.offer ? 'Kept answers' : step === 'change' ? spec.title : `step ${state.step + 1}/${state.order.length} · ${spec.title}`}
			</WrappedText>
			{spec.intro && !state.offer ? (
				<Box width={Math.max(20, columns - 1)}>
					<Tone tone="dim">{spec.intro}</Tone>
				</Box>
			) : null}
			<Box marginTop={1} flexDirection="column">
				{body}
			</Box>
			{state.notice ? (
				<Box marginTop={1} width={Math.max(20, columns - 1)}>
					<Text wrap="wrap">
						<Tone tone="warn">{state.notice}</Tone>
					</Text>
				</Box>
			) : null}
			<Box marginTop={1}>
				<WrappedText width={columns} tone="dim">
					{KEYS_HELP[state.offer ? 'offer' : step in KEYS_HELP ? step : 'form'] ?? ''}
				</WrappedText>
			</Box>
		</Box>
	);
}
