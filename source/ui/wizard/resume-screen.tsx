import React from 'react';
import {Box, Text} from 'ink';
import type {WizardState} from './wizard-state.js';
import {STEPS, type StepId} from './steps.js';
import {Tone} from '../theme.js';

/** Before the first screen, when an earlier run kept a draft: resume it, or start fresh. */
export function ResumeScreen({offer, order, columns}: {offer: NonNullable<WizardState['offer']>; order: readonly StepId[]; columns: number}) {
	const {saved} = offer;
	const at = order.indexOf(saved.step);
	const name = saved.answers.values.name.trim();
	const when = /^\d{4}-\d\d-\d\dT(\d\d:\d\d)/.exec(saved.savedAt);
	const what = [
		saved.editing !== undefined ? `editing profile "${saved.editing}"` : name ? `profile "${name}"` : undefined,
		`at step ${at + 1}/${order.length}, ${STEPS[saved.step].title}`,
		when ? `saved ${saved.savedAt.slice(0, 10)} ${when[1]} UTC` : undefined,
	].filter(Boolean);
	const option = (value: 'resume' | 'fresh', label: string) => (
		<Tone tone={offer.choice === value ? 'accent' : 'dim'} bold={offer.choice === value}>
			{offer.choice === value ? `(•) ${label}  ` : `( ) ${label}  `}
		</Tone>
	);
	return (
		<Box flexDirection="column">
			<Box width={Math.max(20, columns - 1)}>
				<Text wrap="wrap">An earlier run kept its answers ({what.join(', ')}).</Text>
			</Box>
			<Box marginTop={1}>
				<Text>
					{'  '}
					{option('resume', 'resume the draft')}
					{option('fresh', 'start fresh')}
				</Text>
			</Box>
		</Box>
	);
}
