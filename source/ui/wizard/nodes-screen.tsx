import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {checkKey, fieldsOf} from './wizard-state.js';
import {issueFor, type Issues} from './validate.js';
import {FieldMessage, TextValue} from './fields.js';
import {CheckDetail, CheckMark} from './check-status.js';
import {Tone} from '../theme.js';

const NAME_WIDTH = 16;
const IP_WIDTH = 17;

/** Master nodes: one row per node (name, IP, SSH check), then "+ add node" and "continue". */
export function NodesScreen({state, issues, columns, spinnerFrame}: {state: WizardState; issues: Issues; columns: number; spinnerFrame: number}) {
	const fields = fieldsOf(state);
	const focusedKey = fields[state.focus]?.key;
	const count = state.draft.nodes.length;
	const inline = Math.max(10, columns - 5 - NAME_WIDTH - IP_WIDTH - 5);
	return (
		<Box flexDirection="column">
			<Text>
				{'     '}
				<Tone tone="dim">{'name'.padEnd(NAME_WIDTH + 2)}ip</Tone>
			</Text>
			{state.draft.nodes.map((n, i) => {
				const nameKey = `nodes.${i}.name`;
				const ipKey = `nodes.${i}.ip`;
				const rowFocused = focusedKey === nameKey || focusedKey === ipKey;
				const nameMsg = state.touched[nameKey] ? issueFor(issues, nameKey) : undefined;
				const ipMsg = state.touched[ipKey] ? issueFor(issues, ipKey) : undefined;
				const check = state.checks[checkKey(state.draft, i)];
				return (
					<Box key={i} flexDirection="column">
						<Box>
							<Text>
								<Tone tone={rowFocused ? 'accent' : 'plain'}>{rowFocused ? '› ' : '  '}</Tone>
								{String(i + 1).padStart(2)}{' '}
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
			})}
			{state.touched['nodes'] ? <FieldMessage message={issues.get('nodes')} indent={2} width={columns} /> : null}
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
			{count % 2 === 0 ? (
				<Box marginTop={1}>
					<Tone tone="warn">
						⚠ {count} masters: an even count tolerates no more failures than {count - 1}; 1, 3, 5 or 7 are suggested
					</Tone>
				</Box>
			) : count > 7 ? (
				<Box marginTop={1}>
					<Tone tone="warn">⚠ {count} masters: more than 7 slows every etcd write; 1, 3, 5 or 7 are suggested</Tone>
				</Box>
			) : null}
		</Box>
	);
}
