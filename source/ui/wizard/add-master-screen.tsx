import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {fieldsOf} from './wizard-state.js';
import type {Issues} from './validate.js';
import {Actions, MasterCountNote, NAME_WIDTH, NodeRow} from './node-row.js';
import {Tone} from '../theme.js';
import {FieldMessage} from './fields.js';

/** The new master's row (the last node: change-rules.ts adds it) under the profile's, which stay as they are. */
export function AddMasterScreen({state, issues, columns, spinnerFrame}: {state: WizardState; issues: Issues; columns: number; spinnerFrame: number}) {
	const fields = fieldsOf(state);
	const focusedKey = fields[state.focus]?.key;
	const nodes = state.draft.nodes;
	const added = nodes.length - 1;
	return (
		<Box flexDirection="column">
			<Text>
				{'     '}
				<Tone tone="dim">{'name'.padEnd(NAME_WIDTH + 2)}ip</Tone>
			</Text>
			{nodes.slice(0, added).map((n, i) => (
				<Text key={i} wrap="truncate">
					<Tone tone="dim">{`  ${String(i + 1).padStart(2)}  ${n.name.trim().padEnd(NAME_WIDTH + 1)} ${n.ip.trim()}`}</Tone>
				</Text>
			))}
			<NodeRow state={state} index={added} focusedKey={focusedKey} issues={issues} columns={columns} spinnerFrame={spinnerFrame} />
			{/* The list's own problem (a stacked etcd refuses an even count), as the nodes screen shows it: one of the ✗ the notice counts. */}
			{state.touched['nodes'] ? <FieldMessage message={issues.get('nodes')} indent={2} width={columns} /> : null}
			<Actions fields={fields} focusedKey={focusedKey} />
			<MasterCountNote count={nodes.length} columns={columns} />
		</Box>
	);
}
