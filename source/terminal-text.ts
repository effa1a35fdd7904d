// Text from nodes (stderr, journal lines, Lease holder names, HTTP bodies) on its way to a
// terminal. A node can print anything: an escape sequence would recolour, move the cursor,
// clear the screen, set the window title or, on some terminals, answer back into the input;
// a bidirectional override would show a line other than it is. Such characters are shown
// escaped (ESC → "\x1b"), so the text stays readable and nothing in it acts on the terminal.
// Newlines stay (details are multi-line); a tab becomes a space (column layouts).

// C0 controls (\n kept, \t a space), DEL, C1 controls, and the bidirectional marks and overrides.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function terminalText(text: string): string {
	return text.replace(UNSAFE, (c) => {
		if (c === '\n') return c;
		if (c === '\t') return ' ';
		const code = c.charCodeAt(0);
		return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
	});
}

/** Every string in a plain JSON-like value (an event, a status snapshot) made terminal-safe. */
export function terminalSafe<T>(value: T): T {
	if (typeof value === 'string') return terminalText(value) as T;
	if (Array.isArray(value)) return value.map((v) => terminalSafe(v)) as T;
	if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
		return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, terminalSafe(v)])) as T;
	}
	return value;
}
