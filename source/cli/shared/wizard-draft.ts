// Where the wizard keeps its answers between runs: in the user's state directory
// ($XDG_STATE_HOME/k8s-master-setup/wizard-draft.json, beside the profiles' state), 0600,
// written to a temporary name and renamed, after every screen and on Ctrl-C; offered on the
// next start; removed once the profile is saved. Not in /tmp: a predictable name there lets
// another user plant a symlink that the write would follow, or read the answers.
import {readFileSync, rmSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {makeDirectory} from '../../make-directory.js';
import {defaultStateDir, writeFileAtomic} from '../../state/state-dir.js';
import {parseSavedDraft, type SavedDraft} from '../../ui/wizard/saved-draft.js';

export function wizardDraftPath(env: NodeJS.ProcessEnv = process.env): string {
	// defaultStateDir(name) is <base>/k8s-master-setup/<name>: the draft sits in <base>/k8s-master-setup.
	return join(dirname(defaultStateDir('draft', env)), 'wizard-draft.json');
}

/** Saves the draft (it never holds a pasted encryption key: the wizard leaves it out) and returns where. */
export function saveWizardDraft(draft: object, env: NodeJS.ProcessEnv = process.env): string {
	const path = wizardDraftPath(env);
	makeDirectory(dirname(path), 0o700, 'state directory');
	writeFileAtomic(path, `${JSON.stringify(draft, null, 2)}\n`, 0o600, {durable: true, dirMode: 0o700});
	return path;
}

/** The kept draft, or undefined when there is none (or it is not one this version can resume). */
export function loadWizardDraft(env: NodeJS.ProcessEnv = process.env): SavedDraft | undefined {
	let text: string;
	try {
		text = readFileSync(wizardDraftPath(env), 'utf8');
	} catch {
		return undefined;
	}
	return parseSavedDraft(text);
}

export function removeWizardDraft(env: NodeJS.ProcessEnv = process.env): void {
	rmSync(wizardDraftPath(env), {force: true});
}
