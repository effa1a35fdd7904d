import React from 'react';
import {Box, Text} from 'ink';
import {Tone} from '../theme.js';
import {mask as maskText} from '../format.js';
import {WrappedText} from '../wrapped-text.js';

export const LABEL_WIDTH = 16;

/** A text value with its cursor (inverse when colours are on); masked values show bullets only. */
export function TextValue({value, cursor, focused, masked}: {value: string; cursor: number; focused: boolean; masked?: boolean}) {
	const shown = masked ? '•'.repeat(value.length) : value;
	if (!focused) return <Text>{masked ? maskText(value) : shown}</Text>;
	const at = Math.max(0, Math.min(cursor, shown.length));
	return (
		<Text>
			{shown.slice(0, at)}
			<Tone inverse>{shown[at] ?? ' '}</Tone>
			{shown.slice(at + 1)}
		</Text>
	);
}

/** A field's problem under it, wrapped to the terminal: the whole message, never cut. */
export function FieldMessage({message, indent, width}: {message: string | undefined; indent: number; width: number}) {
	if (message === undefined) return null;
	return (
		<WrappedText width={width} indent={indent} tone="bad">
			✗ {message}
		</WrappedText>
	);
}

export function FieldRow({label, focused, children}: {label: string; focused: boolean; children: React.ReactNode}) {
	return (
		<Box>
			<Text>
				<Tone tone={focused ? 'accent' : 'plain'}>{focused ? '› ' : '  '}</Tone>
				{label.padEnd(LABEL_WIDTH)}
			</Text>
			{children}
		</Box>
	);
}
