import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {checkKey} from './wizard-state.js';
import type {FieldSpec} from './steps.js';
import {issueFor, type Issues} from './validate.js';
import {FieldMessage, TextValue} from './fields.js';
import {CheckDetail, CheckMark} from './check-status.js';
import {Tone} from '../theme.js';
import {WrappedText} from '../wrapped-text.js';

export const NAME_WIDTH = 16;
export const IP_WIDTH = 17;

/** One node's editable row (name, IP, its SSH check) and its messages: the nodes screen's and the new master's. */
export function NodeRow({state, index, focusedKey, issues, columns, spinnerFrame}: {state: WizardState; index: number; focusedKey: string | undefined; issues: Issues; columns: number; spinnerFrame: number}) {
	const n = state.draft.nodes[index];
	if (!n) return null;
	const inline = Math.max(10, columns - 5 - NAME_WIDTH - IP_WIDTH - 5);
	const nameKey = `nodes.${index}.name`;
	const ipKey = `nodes.${index}.ip`;
	const rowFocused = focusedKey === nameKey || focusedKey === ipKey;
	const nameMsg = state.touched[nameKey] ? issueFor(issues, nameKey) : undefined;
	const ipMsg = state.touched[ipKey] ? issueFor(issues, ipKey) : undefined;
	const check = state.checks[checkKey(state.draft, index)];
	return (
		<Box flexDirection="column">
			<Box>
				<Text>
					<Tone tone={rowFocused ? 'accent' : 'plain'}>{rowFocused ? '› ' : '  '}</Tone>
					{String(index + 1).padStart(2)}{' '}
				</Text>
				<Box width={NAME_WIDTH + 2}>
					<Text>
						<Tone tone={focusedKey === nameKey ? 'accent' : 'dim'}>{focusedKey === nameKey ? '▸' : ' '}</Tone>
					</Text>
					<TextValue value={n.name} cursor={state.cursor} focused={focusedKey === nameKey} />
				</Box>
				<Box width={IP_WIDTH + 2}>
					<Text>
						<Tone tone={focusedKey === ipKey ? 'accent' : 'dim'}>{focusedKey === ipKey ? '▸' : ' '}</Tone>
					</Text>
					<TextValue value={n.ip} cursor={state.cursor} focused={focusedKey === ipKey} />
				</Box>
				{check ? <CheckMark check={check} spinnerFrame={spinnerFrame} width={inline} /> : null}
			</Box>
			{check ? <CheckDetail check={check} inlineWidth={inline} indent={6} columns={columns} /> : null}
			<FieldMessage message={nameMsg === undefined ? undefined : `name ${nameMsg}`} indent={6} width={columns} />
			<FieldMessage message={ipMsg === undefined ? undefined : `ip ${ipMsg}`} indent={6} width={columns} />
		</Box>
	);
}

/** The count warning under the list: an even count, or more than 7. */
export function MasterCountNote({count, columns}: {count: number; columns: number}) {
	if (count % 2 !== 0 && count <= 7) return null;
	return (
		<Box marginTop={1}>
			<WrappedText width={columns} tone="warn">
				{count % 2 === 0
					? `⚠ ${count} masters: an even count tolerates no more failures than ${count - 1}; 1, 3, 5 or 7 are suggested`
					: `⚠ ${count} masters: more than 7 slows every etcd write; 1, 3, 5 or 7 are suggested`}
			</WrappedText>
		</Box>
	);
}

/** The screen's buttons ("+ add node", "continue"). */
export function Actions({fields, focusedKey}: {fields: readonly FieldSpec[]; focusedKey: string | undefined}) {
	return (
		<>
			{fields
				.filter((f) => f.kind === 'action')
				.map((f) => {
					const focused = f.key === focusedKey;
					return (
						<Text key={f.key}>
							<Tone tone={focused ? 'accent' : 'dim'}>{focused ? `› [${f.label}]` : `  [${f.label}]`}</Tone>
						</Text>
					);
				})}
		</>
	);
}
