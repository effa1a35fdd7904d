import {SCALAR_KEYS, type Draft} from './draft.js';
import {STEPS, type StepId} from './steps.js';

/**
 * The wizard's answers kept between runs: written after every screen (and on Ctrl-C), offered
 * on the next start, removed once the profile is saved (cli/shared/wizard-draft.ts does the
 * I/O). The answers are the wizard's own (a half-typed "10.254." and the chosen modes survive),
 * except a pasted encryption key, which never goes to a draft.
 */
export interface SavedDraft {
	kind: 'k8s-master-setup wizard draft';
	version: 1;
	savedAt: string;
	/** The screen the user was on. */
	step: StepId;
	/** The saved profile being edited, when the wizard was opened on one. */
	editing?: string;
	answers: Draft;
}

export function savedDraftOf(draft: Draft, step: StepId, options: {editing?: string; now?: Date} = {}): SavedDraft {
	return {
		kind: 'k8s-master-setup wizard draft',
		version: 1,
		savedAt: (options.now ?? new Date()).toISOString(),
		step,
		...(options.editing !== undefined ? {editing: options.editing} : {}),
		answers: {...draft, values: {...draft.values, 'encryption.key': ''}},
	};
}

/** A draft read back, or undefined when the text is not one this version wrote (it is then ignored). */
export function parseSavedDraft(text: string): SavedDraft | undefined {
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		return undefined;
	}
	const d = data as Partial<SavedDraft> | null;
	if (!d || d.kind !== 'k8s-master-setup wizard draft' || d.version !== 1 || typeof d.step !== 'string' || !(d.step in STEPS)) return undefined;
	const a = d.answers as Partial<Draft> | undefined;
	if (!a || !Array.isArray(a.nodes) || typeof a.values !== 'object' || a.values === null) return undefined;
	// A draft kept before the etcd question was asked always meant an external etcd.
	const values: Record<string, unknown> = {'etcd.mode': 'external', 'etcd.binaries': '', ...(a.values as Record<string, unknown>)};
	if (!SCALAR_KEYS.every((k) => typeof values[k] === 'string')) return undefined;
	if (!a.nodes.every((n) => typeof n?.name === 'string' && typeof n.ip === 'string')) return undefined;
	return {
		kind: d.kind,
		version: 1,
		savedAt: String(d.savedAt ?? ''),
		step: d.step,
		...(typeof d.editing === 'string' ? {editing: d.editing} : {}),
		answers: {nodes: a.nodes, values: values as Draft['values'], etcdEdited: a.etcdEdited === true},
	};
}
