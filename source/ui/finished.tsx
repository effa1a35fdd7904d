import React, {type ReactNode} from 'react';
import {Box, Text, render, useApp, useInput} from 'ink';
import {shellQuote as shellArg} from '../remote/shell.js';
import {ColorProvider, colorsEnabled, Tone} from './theme.js';
import {shellQuote} from '../remote/shell.js';

export interface FinishedProps {
	profileName: string;
	/** Where the admin kubeconfig (O system:masters) was written locally. */
	kubeconfigPath: string;
	ok?: boolean;
	failedNodes?: string[];
	/** The change was refused before anything was written (a lock, a kept key, the version skew policy). */
	refused?: boolean;
	/** The status dashboard (source/status/), rendered below the summary. */
	dashboard?: ReactNode;
	/** How `status` finds this profile again (default `--profile NAME`), e.g. `--profile-file F --state-dir D`. */
	statusArgs?: string;
}

export function nextCommands(profileName: string, kubeconfigPath: string, statusArgs?: string): string[] {
	return [
		`kubectl --kubeconfig ${shellQuote(kubeconfigPath)} get --raw '/readyz?verbose'`,
		`k8s-master-setup status ${statusArgs ?? `--profile ${shellQuote(profileName)}`}`,
	];
}

/**
 * The end-of-run screen: outcome, the admin kubeconfig, then either the next commands and
 * the dashboard (a working control plane) or how to resume (a failed run: the commands
 * for a working cluster would only mislead).
 */
export function Finished({profileName, kubeconfigPath, ok = true, failedNodes = [], refused = false, dashboard, statusArgs}: FinishedProps) {
	return (
		<Box flexDirection="column">
			{ok ? (
				<Tone tone="ok" bold>
					✓ control plane of profile {profileName} installed
				</Tone>
			) : (
				<Tone tone="bad" bold>
					✗{' '}
					{refused
						? `refused on ${failedNodes.join(', ')}: nothing was changed`
						: failedNodes.length > 0
							? `${failedNodes.length} node${failedNodes.length === 1 ? '' : 's'} failed: ${failedNodes.join(', ')}`
							: 'stopped before the end'}
				</Tone>
			)}
			<Text>admin kubeconfig: {kubeconfigPath}</Text>
			{ok ? (
				<Box flexDirection="column" marginTop={1}>
					<Text>next:</Text>
					{nextCommands(profileName, kubeconfigPath, statusArgs).map((c) => (
						<Text key={c}>  {c}</Text>
					))}
				</Box>
			) : (
				<Box flexDirection="column" marginTop={1}>
					<Text>
						{refused
							? 'fix what the lines above name, then run the same command again:'
							: "fix the cause shown above (the grid's details: enter on a ✗ cell), then resume with:"}
					</Text>
					<Text>  k8s-master-setup apply {statusArgs ?? `--profile ${shellQuote(profileName)}`}</Text>
				</Box>
			)}
			{dashboard ? <Box marginTop={1}>{dashboard}</Box> : null}
		</Box>
	);
}

function FinishedInteractive(props: FinishedProps) {
	const {exit} = useApp();
	useInput((input, key) => {
		if (input === 'q' || key.escape || (key.ctrl && input === 'c')) exit();
	});
	return (
		<Box flexDirection="column">
			<Finished {...props} />
			<Tone tone="dim">q quit</Tone>
		</Box>
	);
}

export interface ShowFinishedOptions extends FinishedProps {
	stdout?: NodeJS.WriteStream;
	stdin?: NodeJS.ReadStream;
	env?: NodeJS.ProcessEnv;
}

/**
 * Prints the end screen. Without a dashboard it renders once and returns; with one
 * (a live component) it stays until q / Esc / Ctrl-C, then restores the terminal.
 */
export async function showFinished(options: ShowFinishedOptions): Promise<void> {
	const {stdout, stdin, env, ...props} = options;
	const colors = colorsEnabled(env);
	const interactive = props.dashboard !== undefined;
	const instance = render(<ColorProvider colors={colors}>{interactive ? <FinishedInteractive {...props} /> : <Finished {...props} />}</ColorProvider>, {
		stdout: stdout ?? process.stdout,
		stdin: stdin ?? process.stdin,
		exitOnCtrlC: false,
		patchConsole: false,
	});
	try {
		if (interactive) await instance.waitUntilExit();
	} finally {
		instance.unmount();
		instance.cleanup();
	}
}
