import React from 'react';
import {Box, Text} from 'ink';
import type {GridState, CellState} from './grid-state.js';
import {progressOf} from './grid-state.js';
import type {GridView} from './grid-keys.js';
import {CELL_TONE, CELL_WIDTH, cellText, headerOf, nodeColumnWidth, ROW_MARK_WIDTH} from './grid-layout.js';
import {clock, padEnd, truncate} from './format.js';
import {Tone} from './theme.js';
import {GridDetails} from './grid-details.js';
import {GridRemoval, RemovalFooter} from './grid-removal.js';
import {describeRolloutStop} from '../run/events.js';

export interface GridProps {
	state: GridState;
	view: GridView;
	/** Terminal width; rows are laid out to fit it (80 → no wrapping). */
	columns: number;
	/** Milliseconds since the run started (the live wrapper passes a clock). */
	elapsedMs: number;
	spinnerFrame: number;
	profileName: string;
}

/** The node × step grid with its footer, or the details of the selected cell. */
export function Grid({state, view, columns, elapsedMs, spinnerFrame, profileName}: GridProps) {
	const width = Math.max(40, columns);
	if (view.mode === 'details') {
		const node = state.nodes[view.row];
		const step = state.steps[view.col];
		if (node !== undefined && step !== undefined) {
			return <GridDetails state={state} node={node} step={step} columns={width} quitting={view.quitting} profileName={profileName} />;
		}
	}
	const nodeWidth = nodeColumnWidth(state.nodes, state.steps.length, width);
	return (
		<Box flexDirection="column">
			<Text wrap="truncate">
				{' '.repeat(ROW_MARK_WIDTH)}
				{padEnd('node', nodeWidth)}
				{state.steps.map((step, c) => (
					<Tone key={step} tone={c === view.col ? 'accent' : 'dim'} bold={c === view.col}>
						{' ' + padEnd(headerOf(step), CELL_WIDTH)}
					</Tone>
				))}
			</Text>
			{state.nodes.map((node, r) => {
				const cells = state.cells[node];
				const running = state.steps.some((step) => cells?.[step]?.status === 'running');
				return (
					<GridRow
						key={node}
						node={node}
						cells={cells}
						steps={state.steps}
						nodeWidth={nodeWidth}
						selectedCol={r === view.row ? view.col : -1}
						failed={state.failedNodes.includes(node)}
						spinnerFrame={running ? spinnerFrame : 0}
					/>
				);
			})}
			{state.removal ? <GridRemoval removal={state.removal} columns={width} spinnerFrame={spinnerFrame} /> : null}
			<GridFooter state={state} view={view} columns={width} elapsedMs={elapsedMs} profileName={profileName} />
		</Box>
	);
}

interface GridRowProps {
	node: string;
	cells: GridState['cells'][string] | undefined;
	steps: GridState['steps'];
	nodeWidth: number;
	/** The selected column when this row is selected, else -1. */
	selectedCol: number;
	failed: boolean;
	spinnerFrame: number;
}

/**
 * One node's row: a handful of Text nodes, re-rendered only when its cells, the
 * selection or (while a cell runs) the spinner change.
 */
const GridRow = React.memo(function GridRow({node, cells, steps, nodeWidth, selectedCol, failed, spinnerFrame}: GridRowProps) {
	const selected = selectedCol >= 0;
	return (
		<Text wrap="truncate">
			<Tone tone={failed ? 'bad' : selected ? 'accent' : 'plain'} bold={selected}>
				{(selected ? '› ' : '  ') + padEnd(node, nodeWidth)}
			</Tone>
			{steps.map((step, c) => {
				const cell = cells?.[step] ?? PENDING;
				const here = c === selectedCol;
				return (
					<Tone key={step} tone={CELL_TONE[cell.status]} inverse={here}>
						{(here ? '>' : ' ') + padEnd(cellText(cell, spinnerFrame), CELL_WIDTH)}
					</Tone>
				);
			})}
		</Text>
	);
});

const PENDING: CellState = {status: 'pending'};

export function resumeCommand(profileName: string): string {
	return `k8s-master-setup apply --profile ${profileName}`;
}

function GridFooter({state, view, columns, elapsedMs, profileName}: {state: GridState; view: GridView; columns: number; elapsedMs: number; profileName: string}) {
	const p = progressOf(state);
	const line = (s: string) => truncate(s, columns - 1);
	const node = state.nodes[view.row];
	const last = node === undefined ? '' : (state.lastLine[node] ?? '');
	const removed = state.removal ? `, ${state.removal.node} removed` : '';
	const status = state.finished
		? state.ok
			? `done in ${clock(state.durationMs ?? elapsedMs)}: all ${state.nodes.length} nodes ok${removed}`
			: `finished in ${clock(state.durationMs ?? elapsedMs)}: ${state.failedNodes.length} failed (${state.failedNodes.join(', ')})`
		: `elapsed ${clock(elapsedMs)}`;
	const dry = state.dryRun ? ' · dry run' : '';
	return (
		<Box flexDirection="column" marginTop={1}>
			<Text wrap="truncate">
				<Tone tone={p.failed > 0 ? 'bad' : state.finished ? 'ok' : 'plain'}>
					{line(`${p.finished}/${p.total} steps${p.failed > 0 ? ` · ${p.failed} failed` : ''} · ${status}${dry}`)}
				</Tone>
			</Text>
			{state.rolloutStopped ? (
				<Box width={columns - 1}>
					<Text wrap="wrap">
						<Tone tone="warn">{describeRolloutStop(state.rolloutStopped)}</Tone>
					</Text>
				</Box>
			) : null}
			{state.releaseRefused ? (
				<Box width={columns - 1} flexDirection="column">
					{state.releaseRefused.map((l) => (
						<Text key={l} wrap="wrap">
							<Tone tone="bad">{l}</Tone>
						</Text>
					))}
				</Box>
			) : null}
			{state.removal ? <RemovalFooter removal={state.removal} columns={columns} /> : null}
			{state.rollback ? (
				<Box width={columns - 1} flexDirection="column">
					<Text wrap="wrap">
						<Tone tone={state.rollback.ok ? 'warn' : 'bad'}>{state.rollback.line}</Tone>
					</Text>
					{state.rollback.recovery ? <Text wrap="wrap">{`put it back by hand: ${state.rollback.recovery}`}</Text> : null}
				</Box>
			) : null}
			<Text wrap="truncate">
				<Tone tone="dim">{line(node === undefined ? 'waiting for the run to start…' : `${node}: ${last || '—'}`)}</Tone>
			</Text>
			{view.quitting ? (
				<>
					<Tone tone="warn">{line('stopping safely: in-flight files finish or are discarded whole…')}</Tone>
					<Text wrap="truncate">{line(`run \`${resumeCommand(profileName)}\` again to resume`)}</Text>
				</>
			) : (
				<Text wrap="truncate">
					<Tone tone="dim">
						{line(view.notice ?? `↑↓←→ select · enter details${state.failedNodes.some((n) => state.nodes.includes(n)) ? ' · r retry node' : ''} · q stop`)}
					</Tone>
				</Text>
			)}
		</Box>
	);
}
