import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './reducer.js';
import {checkKey} from './reducer.js';
import {CheckStatus} from './check-status.js';
import {padEnd} from '../format.js';

/** Every node's SSH check with its host key, for the user to accept (Enter / y). */
export function HostKeysScreen({state, columns, spinnerFrame}: {state: WizardState; columns: number; spinnerFrame: number}) {
	const nameWidth = Math.min(16, Math.max(4, ...state.draft.nodes.map((n) => n.name.length)));
	return (
		<Box flexDirection="column">
			{state.draft.nodes.map((n, i) => {
				const check = state.checks[checkKey(state.draft, i)];
				return (
					<Box key={i}>
						<Text>
							{'  '}
							{padEnd(n.name, nameWidth)} {padEnd(n.ip, 16)}{' '}
						</Text>
						{check ? <CheckStatus check={check} spinnerFrame={spinnerFrame} width={Math.max(10, columns - nameWidth - 22)} /> : <Text>not checked</Text>}
					</Box>
				);
			})}
		</Box>
	);
}
