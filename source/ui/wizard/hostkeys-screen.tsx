import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {checkKey} from './wizard-state.js';
import {CheckDetail, CheckMark} from './check-status.js';
import {padEnd} from '../format.js';

/** Every node's SSH check with its host key, for the user to accept (Enter / y). */
export function HostKeysScreen({state, columns, spinnerFrame}: {state: WizardState; columns: number; spinnerFrame: number}) {
	const nameWidth = Math.min(16, Math.max(4, ...state.draft.nodes.map((n) => n.name.length)));
	const inline = Math.max(10, columns - nameWidth - 22);
	return (
		<Box flexDirection="column">
			{state.draft.nodes.map((n, i) => {
				const check = state.checks[checkKey(state.draft, i)];
				return (
					<Box key={i} flexDirection="column">
						<Box>
							<Text>
								{'  '}
								{padEnd(n.name, nameWidth)} {padEnd(n.ip, 16)}{' '}
							</Text>
							{check ? <CheckMark check={check} spinnerFrame={spinnerFrame} width={inline} /> : <Text>not checked</Text>}
						</Box>
						{check ? <CheckDetail check={check} inlineWidth={inline} indent={4} columns={columns} /> : null}
					</Box>
				);
			})}
		</Box>
	);
}
