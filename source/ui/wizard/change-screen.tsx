import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import type {ChangeChoice} from './steps.js';
import {CHANGE_CHOICES} from './change-rules.js';
import {Tone} from '../theme.js';
import {WrappedText} from '../wrapped-text.js';

const LABEL: Record<ChangeChoice, string> = {add: 'add a master', remove: 'remove a master', all: 'edit every answer'};

function what(choice: ChangeChoice, count: number): string {
	if (choice === 'add') return 'its name and address, then the summary';
	if (choice === 'remove') return `pick one of the ${count}, then the summary`;
	return 'every screen, as on a first install';
}

/** Editing a saved profile: what to change (change-rules.ts). */
export function ChangeScreen({state, columns}: {state: WizardState; columns: number}) {
	const change = state.change;
	if (!change) return null;
	const names = change.from.map((n) => n.name.trim());
	return (
		<Box flexDirection="column">
			<WrappedText width={columns}>{`Profile ${state.editing ?? ''} has ${names.length === 1 ? '1 master' : `${names.length} masters`}: ${names.join(', ')}.`}</WrappedText>
			<Box marginTop={1} flexDirection="column">
				{CHANGE_CHOICES.map((choice) => {
					const on = change.choice === choice;
					return (
						<Text key={choice} wrap="truncate">
							<Tone tone={on ? 'accent' : 'plain'} bold={on}>
								{`${on ? '› (•)' : '  ( )'} ${LABEL[choice].padEnd(19)}`}
							</Tone>
							<Tone tone="dim">{what(choice, names.length)}</Tone>
						</Text>
					);
				})}
			</Box>
		</Box>
	);
}
