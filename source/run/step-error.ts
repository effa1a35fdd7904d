import {UserError} from '../errors.js';
import {isTransientSshError} from '../remote/ssh-errors.js';

/** A step failure with what the user sees in the grid's details and the plain line. */
export class StepError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
		/** stderr tail, or the last lines of a service's journal. */
		readonly detail?: string,
	) {
		super(message);
		this.name = 'StepError';
	}
}

/**
 * A step that had begun but cannot go on because an earlier step of its node failed (a
 * service step waiting for its binary): reported as skipped, like a step never begun.
 */
export class StepSkipped extends Error {
	constructor(readonly reason: string) {
		super(reason);
		this.name = 'StepSkipped';
	}
}

export function describeFailure(error: unknown): {cause: string; hint?: string; detail?: string} {
	if (error instanceof StepError) return {cause: error.message, hint: error.hint, detail: error.detail};
	if (error instanceof UserError) return {cause: error.message, hint: error.hint};
	return {cause: error instanceof Error ? error.message : String(error)};
}

/**
 * SSH faults worth a reconnect and another try: the connection dropped or a channel
 * could not be opened. Authentication, host keys and command failures are not.
 */
export function isTransient(error: unknown): boolean {
	if (isTransientSshError(error)) return true;
	if (error instanceof StepError || error instanceof UserError) return false;
	const text = `${(error as {code?: string})?.code ?? ''} ${error instanceof Error ? error.message : String(error)}`;
	return /ECONNRESET|EPIPE|ETIMEDOUT|Not connected|No response from server|Channel open failure|keepalive|socket hang up|connection lost|Connection closed/i.test(
		text,
	);
}

/** The last lines of a command's output, for failure details. */
export function tail(text: string, lines = 15): string {
	return text.trimEnd().split('\n').slice(-lines).join('\n');
}
