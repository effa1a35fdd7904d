import {terminalText} from './terminal-text.js';

/**
 * Errors that tell the user what to do next. Anything thrown at the user is a
 * UserError: a message that names the field, host or file, and a hint with the fix.
 * Exit codes follow the CLI contract (exit-codes.ts): 2 invalid input or refused.
 */
export class UserError extends Error {
	constructor(
		message: string,
		readonly hint?: string,
		readonly exitCode: number = 2,
	) {
		super(message);
		this.name = 'UserError';
	}
}

/** A profile that fails validation: one line per problem, each naming its field. */
export class ProfileError extends UserError {
	constructor(
		readonly problems: ReadonlyArray<{field: string; message: string}>,
		source: string,
	) {
		super(
			`${source}: invalid profile\n${problems.map((p) => `  ${p.field}: ${p.message}`).join('\n')}`,
			'fix the fields above and run again; nothing was written',
			2,
		);
		this.name = 'ProfileError';
	}
}

/** What the CLI prints for an error; messages may quote what a node printed (terminal-text.ts). */
export function formatError(error: unknown): string {
	if (error instanceof UserError) {
		return terminalText(error.hint ? `error: ${error.message}\nhint: ${error.hint}` : `error: ${error.message}`);
	}
	return terminalText(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
}
