import React from 'react';
import {Box, Text} from 'ink';
import {getValue} from './draft.js';
import type {WizardState} from './wizard-state.js';
import {fieldsOf} from './wizard-state.js';
import {issueFor, type Issues} from './validate.js';
import {FieldMessage, FieldRow, LABEL_WIDTH, TextValue} from './fields.js';
import {Tone} from '../theme.js';
import {WrappedText} from '../wrapped-text.js';

/** A screen of labelled fields: text inputs and choices, each with its message under it. */
export function FormScreen({state, issues, columns, extra}: {state: WizardState; issues: Issues; columns: number; extra?: Record<string, React.ReactNode>}) {
	const fields = fieldsOf(state);
	return (
		<Box flexDirection="column">
			{fields.map((f, i) => {
				const focused = i === state.focus;
				if (f.kind === 'action') {
					return (
						<Text key={f.key}>
							<Tone tone={focused ? 'accent' : 'dim'}>{focused ? `› [${f.label}]` : `  [${f.label}]`}</Tone>
						</Text>
					);
				}
				const value = getValue(state.draft, f.key);
				const message = state.touched[f.key] ? issueFor(issues, f.key) : undefined;
				// A choice an edit keeps (etcd.mode): the saved answer only, nothing to change.
				const kept = f.kind === 'choice' && f.keptWhenEditing !== undefined && state.base !== undefined;
				return (
					<Box key={f.key} flexDirection="column">
						<FieldRow label={f.label} focused={focused}>
							{kept && f.kind === 'choice' ? (
								<Text>
									<Tone tone="accent" bold>
										{f.options.find((o) => o.value === value)?.label ?? value}
									</Tone>
									<Tone tone="dim"> (kept as saved)</Tone>
								</Text>
							) : f.kind === 'choice' ? (
								<Text>
									{f.options.map((o) => (
										<Tone key={o.value} tone={o.value === value ? 'accent' : 'dim'} bold={o.value === value}>
											{o.value === value ? `(•) ${o.label}  ` : `( ) ${o.label}  `}
										</Tone>
									))}
								</Text>
							) : (
								<TextValue value={value} cursor={state.cursor} focused={focused} masked={f.mask} />
							)}
						</FieldRow>
						<FieldMessage message={message} indent={LABEL_WIDTH + 2} width={columns} />
						{extra?.[f.key] ?? null}
						{focused && f.kind !== 'choice' && f.help && message === undefined ? (
							<WrappedText width={columns} indent={LABEL_WIDTH + 2} tone="dim">
								{f.help}
							</WrappedText>
						) : null}
						{focused && f.kind === 'choice' && !kept ? (
							<Text>
								{' '.repeat(LABEL_WIDTH + 2)}
								<Tone tone="dim">←/→ or space to change</Tone>
							</Text>
						) : null}
					</Box>
				);
			})}
		</Box>
	);
}
