import React from 'react';
import {Box, Text} from 'ink';
import {ROTATION_PHASES, type RotationPhase} from '../run/encryption-rotate/rotation-journal.js';
import {SPINNER_FRAMES} from './grid-layout.js';
import type {CellState, RotationView} from './rotation-state.js';
import {Tone, type ToneName} from './theme.js';

const NAME_WIDTH = 10;
const CELL_WIDTH = 13;

const CELL: Record<CellState, {text: string; tone: ToneName}> = {
	pending: {text: '·', tone: 'dim'},
	waiting: {text: '… waiting', tone: 'dim'},
	running: {text: 'restarting', tone: 'accent'},
	restarted: {text: '✓', tone: 'ok'},
	unchanged: {text: '✓ had it', tone: 'ok'},
	failed: {text: '✗ failed', tone: 'bad'},
	'rolled-back': {text: '↺ put back', tone: 'warn'},
};

function cellText(view: RotationView, phase: RotationPhase, state: CellState, spin: string): {text: string; tone: ToneName} {
	if (phase === 'rewrite' && state === 'running') {
		const r = view.rewrite;
		return {text: `${spin} ${r ? `${r.done}/${r.total ?? '?'}` : 'listing'}`, tone: 'accent'};
	}
	if (phase === 'verify' && state === 'running') return {text: `${spin} etcd`, tone: 'accent'};
	if (state === 'running') return {text: `${spin} ${CELL.running.text}`, tone: 'accent'};
	return CELL[state];
}

/**
 * The rotation as it goes, within 80 columns: a row per master, a column per phase (the
 * header marks the phase running), the rewrite's count, the last lines said, the keys.
 */
export function RotationGrid({view, spinnerFrame}: {view: RotationView; spinnerFrame: number}) {
	const spin = SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length] ?? '*';
	const header = (phase: RotationPhase) => {
		const state = view.phases[phase];
		const tone: ToneName = state === 'passed' ? 'ok' : state === 'failed' ? 'bad' : state === 'running' ? 'accent' : 'dim';
		return (
			<Tone key={phase} tone={tone} bold={state === 'running'}>
				{phase.padEnd(CELL_WIDTH)}
			</Tone>
		);
	};
	return (
		<Box flexDirection="column">
			<Text bold>{view.title}</Text>
			<Box>
				<Text>{''.padEnd(NAME_WIDTH)}</Text>
				{ROTATION_PHASES.map(header)}
			</Box>
			{view.nodes.map((node) => (
				<Box key={node}>
					<Text>{node.slice(0, NAME_WIDTH - 1).padEnd(NAME_WIDTH)}</Text>
					{ROTATION_PHASES.map((phase) => {
						const cell = cellText(view, phase, view.cells[node]![phase], spin);
						return (
							<Tone key={phase} tone={cell.tone}>
								{cell.text.slice(0, CELL_WIDTH - 1).padEnd(CELL_WIDTH)}
							</Tone>
						);
					})}
				</Box>
			))}
			{view.rewrite ? <Text>{`rewrite: ${view.rewrite.done} of ${view.rewrite.total ?? '?'} Secrets written again`}</Text> : null}
			<Box flexDirection="column" marginTop={1}>
				{view.lines.map((line, i) => (
					<Tone key={i} tone="dim">
						{line.length > 78 ? `${line.slice(0, 77)}…` : line}
					</Tone>
				))}
			</Box>
			{view.finished ? (
				<Box flexDirection="column" marginTop={1}>
					{view.finished.lines.map((line, i) => (
						<Tone key={i} tone={i === 0 ? (view.finished!.ok ? 'ok' : 'bad') : 'plain'}>
							{line}
						</Tone>
					))}
				</Box>
			) : (
				<Tone tone="dim">q / Ctrl-C: stop after the step in flight; the same command carries on</Tone>
			)}
		</Box>
	);
}
