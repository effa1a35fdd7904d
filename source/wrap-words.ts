// Plain lines for a terminal of `width` columns, words kept whole: a command's plan or
// report printed before a question, where a line wrapped by the terminal mid-word reads
// badly at 80 columns. Pure.

/** Joins two words so that wrapWords never breaks between them. */
export const NBSP = '\u00a0';

/**
 * Words packed into lines of at most `width` columns (a longer word stays whole; a
 * no-break space joins two words into one); the text's leading spaces stay on its first
 * line, later lines start with `indent`.
 */
export function wrapWords(text: string, width: number, indent: string): string[] {
	const lead = /^ */.exec(text)?.[0] ?? '';
	const lines: string[] = [];
	let current = lead;
	for (const word of text.slice(lead.length).split(' ')) {
		const start = lines.length === 0 ? lead : indent;
		if (current.length > start.length && current.length + 1 + word.length > width) {
			lines.push(current);
			current = indent + word;
		} else current = current.length > start.length ? `${current} ${word}` : current + word;
	}
	lines.push(current);
	return lines.map((l) => l.replaceAll(NBSP, ' '));
}
