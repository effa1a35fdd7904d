import React from 'react';
import {Box, Text} from 'ink';
import {Tone, type ToneName} from './theme.js';

/**
 * A message that wraps to the terminal instead of being cut: every line starts after
 * `indent` columns and ends before `width` (the terminal's columns; the last one is left
 * free, as everywhere in this UI, so a full line never makes the terminal scroll). Words
 * break at spaces; only a word longer than a line (a path, a URL) is split.
 */
export function WrappedText({width, indent = 0, tone, bold, children}: {width: number; indent?: number; tone?: ToneName; bold?: boolean; children: React.ReactNode}) {
	return (
		<Box paddingLeft={indent} width={Math.max(indent + 10, width - 1)} flexShrink={0}>
			<Text wrap="wrap">
				<Tone tone={tone} bold={bold}>
					{children}
				</Tone>
			</Text>
		</Box>
	);
}
