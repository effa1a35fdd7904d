// Shell text sent to nodes, quoted by construction. `sh` is a tagged template: the
// template's own text is the command, and every interpolated value is one single-quoted
// shell word, so a space, quote, `$(…)` or `;` in a path, host or URL from a profile can
// never change what runs. Its result is a ShellCommand, the only type Transport.exec and
// the upload paths accept: a hand-built string cannot reach a remote shell without a cast
// (test/unit/shell-construction.test.ts looks for one). Fragments are combined with
// shJoin, whose separators are fixed shell operators.

declare const shellCommandBrand: unique symbol;

/** Text for a POSIX shell in which every value was quoted (made by sh and shJoin only). */
export type ShellCommand = string & {readonly [shellCommandBrand]: true};

type ShellWord = string | number;

/** One argument, single-quoted: `it's` → `'it'\''s'`. Safe for any byte except NUL. */
export function shellQuote(argument: string): string {
	if (argument.includes('\0')) {
		throw new Error('a shell argument cannot contain a NUL byte');
	}
	// Plain words stay readable in logs and error messages.
	if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(argument)) {
		return argument;
	}
	return "'" + argument.replaceAll("'", `'\\''`) + "'";
}

/**
 * sh`mkdir -p ${path}`: each value becomes one quoted word (an array: one word per item,
 * space-separated). A ShellCommand given as a value is quoted too (as for `sh -c ${script}`).
 */
export function sh(strings: TemplateStringsArray, ...values: Array<ShellWord | readonly ShellWord[]>): ShellCommand {
	let text = strings[0] ?? '';
	for (const [index, value] of values.entries()) {
		const words = typeof value === 'string' || typeof value === 'number' ? [value] : value;
		text += words.map((word) => shellQuote(String(word))).join(' ') + (strings[index + 1] ?? '');
	}
	return text as ShellCommand;
}

/** Commands joined by a shell operator (or a space, for a command's parts built apart). */
export function shJoin(parts: readonly ShellCommand[], separator: '\n' | ' && ' | '; ' | ' '): ShellCommand {
	return parts.join(separator) as ShellCommand;
}

