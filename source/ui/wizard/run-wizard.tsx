import React from 'react';
import {render} from 'ink';
import type {ProfileInput} from '../../profile/schema.js';
import {UserError} from '../../errors.js';
import {ColorProvider, colorsEnabled} from '../theme.js';
import {Wizard, type WizardProps} from './wizard.js';
import type {AcceptedHostKey} from './wizard-state.js';
import type {SavedDraft} from './saved-draft.js';

export interface RunWizardOptions extends Pick<WizardProps, 'initial' | 'checkNode' | 'readBinariesVersion' | 'checkLocalPath' | 'verify' | 'onDraft' | 'resume' | 'editing' | 'base' | 'resumeBase' | 'loadSavedNames'> {
	/** Ctrl-C before the confirm: the answers so far (no pasted encryption key), to keep as the draft. */
	onCancel?: (draft: SavedDraft) => void;
	/** Host keys the user accepted on the host-key screen (to write to known_hosts). */
	onHostKeys?: (keys: AcceptedHostKey[]) => void;
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	env?: NodeJS.ProcessEnv;
	/** Aborted by the command's first SIGINT/SIGTERM (cli/shared/stop-signals.ts): the wizard ends, cancelled. */
	signal?: AbortSignal;
}

/**
 * The guided first install's questions. Resolves with the confirmed profile input
 * (valid by ProfileSchema), or undefined when cancelled. Never prompts without a
 * terminal: that is a UserError naming what to give instead.
 */
export async function runWizard(options: RunWizardOptions = {}): Promise<ProfileInput | undefined> {
	const stdin = options.stdin ?? process.stdin;
	if (!stdin.isTTY) {
		throw new UserError(
			'the setup wizard needs an interactive terminal, and stdin is not one',
			'run `k8s-master-setup apply --profile NAME` with a saved profile, or `--file profile.yaml`, to install without questions',
		);
	}
	let outcome: ProfileInput | undefined;
	const instance = render(
		<ColorProvider colors={colorsEnabled(options.env)}>
			<Wizard
				initial={options.initial}
				checkNode={options.checkNode}
				readBinariesVersion={options.readBinariesVersion}
				checkLocalPath={options.checkLocalPath}
				verify={options.verify}
				onDraft={options.onDraft}
				{...(options.signal ? {stopSignal: options.signal} : {})}
				resume={options.resume}
				editing={options.editing}
				base={options.base}
				resumeBase={options.resumeBase}
				loadSavedNames={options.loadSavedNames}
				onDone={(profile, extras) => {
					outcome = profile;
					options.onHostKeys?.(extras.hostKeys);
					setImmediate(() => instance.unmount());
				}}
				onCancel={(draft) => {
					options.onCancel?.(draft);
					setImmediate(() => instance.unmount());
				}}
			/>
		</ColorProvider>,
		{stdout: options.stdout ?? process.stdout, stdin, exitOnCtrlC: false, patchConsole: true, maxFps: 30},
	);
	// A signal cancels through the wizard (stopSignal), which keeps the draft and then unmounts.
	try {
		await instance.waitUntilExit();
	} finally {
		instance.unmount();
		instance.cleanup();
	}
	return outcome;
}
