import React from 'react';
import {Box, Text} from 'ink';
import type {CheckState} from './wizard-state.js';
import {SPINNER_FRAMES} from '../grid-layout.js';
import {Tone, type ToneName} from '../theme.js';
import {WrappedText} from '../wrapped-text.js';

/**
 * One node's SSH check: a spinner, the host key, or the error and its hint. What fits
 * beside the node stays on its row; anything longer (an error with its hint, a long
 * fingerprint) goes whole on the lines below, wrapped to the terminal, never cut.
 */
function result(check: CheckState): {tone: ToneName; text: string; short: string; hint?: string} | undefined {
	if (check.status !== 'done') return undefined;
	if (!check.ok) return {tone: 'bad', text: `✗ ${check.error ?? 'ssh check failed'}`, short: '✗ ssh check failed (below)', ...(check.hint ? {hint: check.hint} : {})};
	return {tone: 'ok', text: `✓ ${[check.keyType, check.fingerprint].filter(Boolean).join(' ') || 'ssh ok'}`, short: '✓ ssh ok'};
}

function fits(check: CheckState, width: number): boolean {
	const r = result(check);
	return r === undefined || (r.hint === undefined && [...r.text].length <= width);
}

/** On the node's row, in `width` columns. */
export function CheckMark({check, spinnerFrame, width}: {check: CheckState; spinnerFrame: number; width: number}) {
	const r = result(check);
	if (r === undefined) {
		return (
			<Text>
				<Tone tone="warn">{SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length]}</Tone> checking ssh…
			</Text>
		);
	}
	return <Tone tone={r.tone}>{fits(check, width) ? r.text : r.short}</Tone>;
}

/** Below the node's row: the whole result and its hint, when they did not fit on the row. */
export function CheckDetail({check, inlineWidth, indent, columns}: {check: CheckState; inlineWidth: number; indent: number; columns: number}) {
	const r = result(check);
	if (r === undefined || fits(check, inlineWidth)) return null;
	return (
		<Box flexDirection="column">
			<WrappedText width={columns} indent={indent} tone={r.tone}>
				{r.text}
			</WrappedText>
			{r.hint ? (
				<WrappedText width={columns} indent={indent + 2} tone="warn">
					hint: {r.hint}
				</WrappedText>
			) : null}
		</Box>
	);
}
