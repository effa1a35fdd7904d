// The grid's part for a master being removed (removal-row.ts): under the nodes' rows, a
// header of the removal's own steps and one row labelled as a removal, then in the footer
// what it does now or, when a step failed, its cause and hint. Not selectable: its steps are
// not the install's, so the details view and `r` (a node's install again) do not apply.
import React from 'react';
import {Box, Text} from 'ink';
import {REMOVAL_STEP_NAMES} from '../run/remove-master/removal-plan.js';
import {failedRemovalStep, removalCellOf, type RemovalRow} from './removal-row.js';
import {CELL_TONE, CELL_WIDTH, cellText, REMOVAL_HEADER, ROW_MARK_WIDTH} from './grid-layout.js';
import {padEnd, truncate} from './format.js';
import {Tone} from './theme.js';
import {WrappedText} from './wrapped-text.js';

export function removalLabel(node: string): string {
	return `${node} (removing)`;
}

export function GridRemoval({removal, columns, spinnerFrame}: {removal: RemovalRow; columns: number; spinnerFrame: number}) {
	const label = removalLabel(removal.node);
	const width = Math.max(8, Math.min(label.length, columns - 1 - ROW_MARK_WIDTH - REMOVAL_STEP_NAMES.length * (CELL_WIDTH + 1)));
	const failed = failedRemovalStep(removal) !== undefined;
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text wrap="truncate">
				<Tone tone="dim">
					{' '.repeat(ROW_MARK_WIDTH)}
					{padEnd('removal', width)}
					{REMOVAL_STEP_NAMES.map((step) => ' ' + padEnd(REMOVAL_HEADER[step], CELL_WIDTH)).join('')}
				</Tone>
			</Text>
			<Text wrap="truncate">
				<Tone tone={failed ? 'bad' : 'plain'}>{' '.repeat(ROW_MARK_WIDTH) + padEnd(truncate(label, width), width)}</Tone>
				{REMOVAL_STEP_NAMES.map((step) => {
					const cell = removalCellOf(removal, step);
					return (
						<Tone key={step} tone={CELL_TONE[cell.status]}>
							{' ' + padEnd(cellText(cell, spinnerFrame), CELL_WIDTH)}
						</Tone>
					);
				})}
			</Text>
		</Box>
	);
}

/** The footer's line for the removal: a failed step's cause and hint (wrapped, whole), else its last line. */
export function RemovalFooter({removal, columns}: {removal: RemovalRow; columns: number}) {
	const failed = failedRemovalStep(removal);
	if (failed) {
		return (
			<Box flexDirection="column">
				<WrappedText width={columns} tone="bad">{`✗ removing ${removal.node}: ${failed.step} failed: ${failed.cell.cause}`}</WrappedText>
				{failed.cell.hint ? <WrappedText width={columns} indent={2}>{`→ ${failed.cell.hint}`}</WrappedText> : null}
			</Box>
		);
	}
	if (removal.lastLine === undefined) return null;
	return (
		<Text wrap="truncate">
			<Tone tone="dim">{truncate(`${removalLabel(removal.node)}: ${removal.lastLine}`, columns - 1)}</Tone>
		</Text>
	);
}
