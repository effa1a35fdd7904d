import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';
import stringWidth8 from 'string-width';
import {describe, expect, it} from 'vitest';
import {isNarrowText, NARROW_RANGES} from '../../source/ui/narrow-text.js';

// wrap-ansi brings its own string-width 7; the bundle's stand-in answers for both.
const require = createRequire(import.meta.url);
const wrapAnsiDir = require.resolve('wrap-ansi').replace(/index\.js$/, '');
const stringWidth7 = ((await import(pathToFileURL(`${wrapAnsiDir}node_modules/string-width/index.js`).href)) as {default: (s: string) => number}).default;

describe('narrow text (the bundle measures it without string-width)', () => {
	it('is one column per code point for every character it accepts, as both string-width versions say', () => {
		const wrong: string[] = [];
		let accepted = 0;
		for (const [from, to] of NARROW_RANGES) {
			for (let cp = from; cp <= to; cp++) {
				const ch = String.fromCodePoint(cp);
				if (!isNarrowText(ch)) continue; // an emoji-ish one, left to string-width
				accepted++;
				if (stringWidth8(ch) !== 1 || stringWidth7(ch) !== 1) wrong.push(`U+${cp.toString(16)} ${ch}: ${stringWidth8(ch)}/${stringWidth7(ch)}`);
			}
		}
		expect(wrong).toEqual([]);
		expect(accepted).toBeGreaterThan(800);
	});

	it('sends everything else to string-width: wide, zero-width, combining, emoji, control and escape sequences', () => {
		for (const s of ['界', 'a\u0301', 'x\u200Bx', '✅', '👍', '\u001B[31mred\u001B[39m', 'tab\there', '\u00AD', '◽', '©', '▶', '✔']) {
			expect(isNarrowText(s), JSON.stringify(s)).toBe(false);
		}
		expect(isNarrowText('step 1/10 · SSH access › user • ↑ ↓ ─ ✓ ✗ ⠋')).toBe(true);
	});
});
