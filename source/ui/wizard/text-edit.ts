/**
 * Editing a one-line text field as a pure function of (value, cursor, key), so the
 * wizard's reducer stays pure and tests need no terminal.
 */
export interface KeyFlags {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	return?: boolean;
	escape?: boolean;
	ctrl?: boolean;
	meta?: boolean;
	shift?: boolean;
	tab?: boolean;
	backspace?: boolean;
	delete?: boolean;
	home?: boolean;
	end?: boolean;
}

export interface TextValue {
	value: string;
	cursor: number;
}

/** The edited value, or undefined when the key is not an editing key. */
export function editText({value, cursor}: TextValue, input: string, key: KeyFlags): TextValue | undefined {
	const at = Math.max(0, Math.min(cursor, value.length));
	if (key.leftArrow) return {value, cursor: Math.max(0, at - 1)};
	if (key.rightArrow) return {value, cursor: Math.min(value.length, at + 1)};
	if (key.home || (key.ctrl && input === 'a')) return {value, cursor: 0};
	if (key.end || (key.ctrl && input === 'e')) return {value, cursor: value.length};
	if (key.ctrl && input === 'u') return {value: value.slice(at), cursor: 0};
	if (key.ctrl && input === 'w') {
		const before = value.slice(0, at).replace(/\S+\s*$/, '');
		return {value: before + value.slice(at), cursor: before.length};
	}
	// Most terminals send DEL (0x7f) for Backspace, which ink reports as `delete`.
	if (key.backspace || key.delete) {
		if (at === 0) return {value, cursor: 0};
		return {value: value.slice(0, at - 1) + value.slice(at), cursor: at - 1};
	}
	// Several Backspaces in one read (a held key, keys sent faster than the screen redraws): ink
	// recognises a single DEL only and hands the run over as text; each one deletes a character.
	if (/^[\u007f\b]+$/.test(input)) {
		const n = Math.min(at, input.length);
		return {value: value.slice(0, at - n) + value.slice(at), cursor: at - n};
	}
	if (key.ctrl || key.meta || key.return || key.tab || key.escape || key.upArrow || key.downArrow) return undefined;
	// Printable text, one key or a paste; control characters are dropped.
	const text = input.replace(/[\u0000-\u001f\u007f]/g, '');
	if (text.length === 0) return undefined;
	return {value: value.slice(0, at) + text + value.slice(at), cursor: at + text.length};
}
