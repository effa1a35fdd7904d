import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {fieldsOf} from './wizard-state.js';
import type {Issues} from './validate.js';
import {FieldMessage} from './fields.js';
import {Actions, MasterCountNote, NAME_WIDTH, NodeRow} from './node-row.js';
import {Tone} from '../theme.js';

/** Master nodes: one row per node (name, IP, SSH check), then "+ add node" and "continue". */
export function NodesScreen({state, issues, columns, spinnerFrame}: {state: WizardState; issues: Issues; columns: number; spinnerFrame: number}) {
	const fields = fieldsOf(state);
	const focusedKey = fields[state.focus]?.key;
	return (
		<Box flexDirection="column">
			<Text>
				{'     '}
				<Tone tone="dim">{'name'.padEnd(NAME_WIDTH + 2)}ip</Tone>
			</Text>
			{state.draft.nodes.map((_, i) => (
				<NodeRow key={i} state={state} index={i} focusedKey={focusedKey} issues={issues} columns={columns} spinnerFrame={spinnerFrame} />
			))}
			{state.touched['nodes'] ? <FieldMessage message={issues.get('nodes')} indent={2} width={columns} /> : null}
			<Actions fields={fields} focusedKey={focusedKey} />
			<MasterCountNote count={state.draft.nodes.length} columns={columns} />
		</Box>
	);
}
