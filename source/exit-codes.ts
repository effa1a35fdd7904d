// The exit codes every command uses, with one meaning each (documented in the readme and in
// every command's --help). `status` is the only command that reports "degraded".
export const EXIT = {
	ok: 0,
	/** A node, step or component failed (status: something is down). */
	failed: 1,
	/** Invalid input (options, profile) or a refusal: nothing was changed. */
	invalid: 2,
	/** status only: serving, with problems (a node, a Lease, a certificate close to expiry). */
	degraded: 3,
	/** Stopped by Ctrl-C, SIGINT or SIGTERM (or `q` in the grid while a run was going on). */
	interrupted: 130,
} as const;

/** The line every --help ends with. */
export const EXIT_CODES_HELP =
	'Exit codes: 0 ok, 1 a node or component failed, 2 invalid input or refused, 3 degraded (status only), 130 interrupted (Ctrl-C, SIGINT or SIGTERM).';
