/**
 * POSIX shell quoting for commands sent to nodes. Every path and value that reaches a
 * remote shell goes through here, so a space, quote or `$` in a path can never change
 * what runs.
 */

/** One argument, single-quoted: `it's` → `'it'\''s'`. Safe for any byte except NUL. */
export function shellQuote(argument: string): string {
	if (argument.includes('\0')) {
		throw new Error('a shell argument cannot contain a NUL byte');
	}
	// Plain words stay readable in logs and error messages.
	if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(argument)) {
		return argument;
	}
	return `'${argument.replaceAll("'", `'\\''`)}'`;
}

/** Several arguments quoted and joined into one command line. */
export function shellJoin(argv: readonly string[]): string {
	return argv.map((argument) => shellQuote(argument)).join(' ');
}
