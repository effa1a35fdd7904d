// Where a cancelled wizard keeps its answers: in the user's state directory
// ($XDG_STATE_HOME/k8s-master-setup/wizard-draft.json, beside the profiles' state), 0600,
// written to a temporary name and renamed. Not in /tmp: a predictable name there lets
// another user plant a symlink that the write would follow, or read the answers.
import {dirname, join} from 'node:path';
import {makeDirectory} from '../../make-directory.js';
import type {ProfileInput} from '../../profile/schema.js';
import {defaultStateDir, writeFileAtomic} from '../../state/state-dir.js';

export function wizardDraftPath(env: NodeJS.ProcessEnv = process.env): string {
	// defaultStateDir(name) is <base>/k8s-master-setup/<name>: the draft sits in <base>/k8s-master-setup.
	return join(dirname(defaultStateDir('draft', env)), 'wizard-draft.json');
}

/** Saves the draft (it never holds a pasted encryption key: the wizard leaves it out) and returns where. */
export function saveWizardDraft(draft: ProfileInput, env: NodeJS.ProcessEnv = process.env): string {
	const path = wizardDraftPath(env);
	makeDirectory(dirname(path), 0o700, 'state directory');
	writeFileAtomic(path, `${JSON.stringify(draft, null, 2)}\n`, 0o600, {durable: true, dirMode: 0o700});
	return path;
}
