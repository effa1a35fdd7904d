/**
 * Text that string-width measures as one column per code point (with its default
 * options): printable ASCII and the narrow symbols this UI draws (· › • … ─ │ ↑ ↓ ✓ ✗, the
 * braille of spinners, ...). No control characters or escape sequences, no combining or
 * zero-width marks, nothing with an emoji presentation. The bundle's string-width
 * stand-in (scripts/bundle/lazy-string-width.ts) answers such text itself; a unit test
 * checks every code point accepted here against both string-width versions ink uses.
 */
const NARROW =
	/^[\u0020-\u007E\u00A0-\u00AC\u00AE-\u00FF\u2010-\u2027\u2030-\u205E\u2190-\u21FF\u2500-\u25FC\u2713\u2714\u2717\u2718\u2800-\u28FF]*$/;

export const NARROW_RANGES: ReadonlyArray<readonly [number, number]> = [
	[0x20, 0x7e],
	[0xa0, 0xac],
	[0xae, 0xff],
	[0x2010, 0x2027],
	[0x2030, 0x205e],
	[0x2190, 0x21ff],
	[0x2500, 0x25fc],
	[0x2713, 0x2714],
	[0x2717, 0x2718],
	[0x2800, 0x28ff],
];

/** © ® ‼ ↔ ▶ ✔ ...: string-width 7 (emoji-regex) counts these two columns wide, 8 one. */
const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;

export function isNarrowText(text: string): boolean {
	return NARROW.test(text) && !PICTOGRAPHIC.test(text);
}
