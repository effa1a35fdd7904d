import React from 'react';
import {Text} from 'ink';
import type {CheckState} from './reducer.js';
import {SPINNER_FRAMES} from '../grid-layout.js';
import {Tone} from '../theme.js';
import {truncate} from '../format.js';

/** One node's SSH check: spinner, host key fingerprint, or the error. */
export function CheckStatus({check, spinnerFrame, width}: {check: CheckState; spinnerFrame: number; width: number}) {
	if (check.status !== 'done') {
		return (
			<Text>
				<Tone tone="warn">{SPINNER_FRAMES[spinnerFrame % SPINNER_FRAMES.length]}</Tone> checking ssh…
			</Text>
		);
	}
	if (!check.ok) return <Tone tone="bad">{truncate(`✗ ${check.error ?? 'ssh check failed'}`, width)}</Tone>;
	return <Tone tone="ok">{truncate(`✓ ${[check.keyType, check.fingerprint].filter(Boolean).join(' ') || 'ssh ok'}`, width)}</Tone>;
}
