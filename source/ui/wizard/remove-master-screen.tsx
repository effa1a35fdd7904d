import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {NAME_WIDTH} from './node-row.js';
import {Tone} from '../theme.js';

/** The profile's masters, one to pick for removal (change-rules.ts refuses the last one). */
export function RemoveMasterScreen({state}: {state: WizardState}) {
	const change = state.change;
	if (!change) return null;
	return (
		<Box flexDirection="column">
			{change.from.map((n, i) => {
				const on = i === change.pick;
				return (
					<Text key={i} wrap="truncate">
						<Tone tone={on ? 'accent' : 'plain'} bold={on}>
							{`${on ? '› (•)' : '  ( )'} ${n.name.trim().padEnd(NAME_WIDTH)} ${n.ip.trim()}`}
						</Tone>
					</Text>
				);
			})}
			{change.from.length === 1 ? (
				<Box marginTop={1}>
					<Tone tone="dim">the last master is never removed: add its replacement first</Tone>
				</Box>
			) : null}
		</Box>
	);
}
