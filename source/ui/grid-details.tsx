import React from 'react';
import {Box, Text} from 'ink';
import type {StepName} from '../profile/schema.js';
import type {GridState} from './grid-state.js';
import {cellOf} from './grid-state.js';
import {headerOf} from './grid-layout.js';
import {humanBytes, percent, shortDuration} from './format.js';
import {WrappedText} from './wrapped-text.js';
import {Tone} from './theme.js';

const DETAIL_LINES = 15;

/** Details of one cell: status, cause, hint, command output / journal tail, recent log. */
export function GridDetails({state, node, step, columns, quitting, profileName}: {state: GridState; node: string; step: StepName; columns: number; quitting: boolean; profileName: string}) {
	const cell = cellOf(state, node, step);
	const log = state.logTail[node]?.[step] ?? [];
	let status: string;
	switch (cell.status) {
		case 'pending':
			status = 'pending';
			break;
		case 'running': {
			const pct = percent(cell.bytes, cell.totalBytes);
			status = `running${cell.message ? `: ${cell.message}` : ''}${pct !== undefined && cell.bytes !== undefined ? ` (${humanBytes(cell.bytes)} of ${humanBytes(cell.totalBytes ?? 0)}, ${pct}%)` : ''}`;
			break;
		}
		case 'done':
			status = `done in ${shortDuration(cell.durationMs)}${cell.changed > 0 ? `, ${cell.changed} change${cell.changed === 1 ? '' : 's'}` : ''}`;
			break;
		case 'unchanged':
			status = 'unchanged: already as planned';
			break;
		case 'skipped':
			status = `skipped: ${cell.reason}`;
			break;
		case 'failed':
			status = `failed after ${shortDuration(cell.durationMs)}`;
			break;
	}
	const detail = cell.status === 'failed' && cell.detail ? cell.detail.split('\n').filter((l) => l.length > 0).slice(-DETAIL_LINES) : [];
	// Everything wraps to the terminal (a cause, a hint, a journal line are worth reading whole);
	// output lines keep their "│" gutter with the wrapped rest indented under it.
	const outputLine = (l: string, i: number) => (
		<Box key={i}>
			<Text>{'  │ '}</Text>
			<WrappedText width={columns - 4}>{l}</WrappedText>
		</Box>
	);
	return (
		<Box flexDirection="column">
			<WrappedText width={columns} tone="accent" bold>
				{`${node} · ${step} (${headerOf(step)})`}
			</WrappedText>
			<WrappedText width={columns} tone={cell.status === 'failed' ? 'bad' : cell.status === 'done' ? 'ok' : 'plain'}>
				{status}
			</WrappedText>
			{cell.status === 'failed' ? (
				<>
					<WrappedText width={columns}>{`cause: ${cell.cause}`}</WrappedText>
					{cell.hint ? (
						<WrappedText width={columns} tone="warn">
							{`hint: ${cell.hint}`}
						</WrappedText>
					) : null}
					{detail.length > 0 ? (
						<Box flexDirection="column" marginTop={1}>
							<Tone tone="dim">output / journal tail:</Tone>
							{detail.map(outputLine)}
						</Box>
					) : null}
				</>
			) : null}
			{log.length > 0 ? (
				<Box flexDirection="column" marginTop={1}>
					<Tone tone="dim">log:</Tone>
					{log.slice(-DETAIL_LINES).map(outputLine)}
				</Box>
			) : null}
			<Box marginTop={1}>
				<WrappedText width={columns} tone="dim">
					{quitting ? `stopping… run \`k8s-master-setup apply --profile ${profileName}\` again to resume` : `esc back${cell.status === 'failed' ? ` · r retry ${node}` : ''} · q stop`}
				</WrappedText>
			</Box>
		</Box>
	);
}
