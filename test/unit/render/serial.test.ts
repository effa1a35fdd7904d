import {describe, expect, it} from 'vitest';
import {serialHex} from '../../../source/pki/x509.js';

// forge drops at most one leading 0x00 from the serial, so a serial whose hex starts
// 00 00 was written with illegal padding, which Node refuses to parse: the serial must
// never start with a zero byte, and stay positive.
describe('certificate serial', () => {
	it('is positive and minimal for every possible first random byte', () => {
		for (let first = 0; first < 256; first++) {
			const random = new Uint8Array(16).fill(first);
			random[0] = first;
			random[1] = 0x05;
			const hex = serialHex(random);
			expect(hex).toHaveLength(32);
			const top = Number.parseInt(hex.slice(0, 2), 16);
			expect(top, `first byte ${first}`).toBeGreaterThan(0);
			expect(top, `first byte ${first}`).toBeLessThan(0x80);
		}
	});

	it('keeps the random bits after the first byte', () => {
		const random = Uint8Array.from({length: 16}, (_, i) => i * 17);
		expect(serialHex(random).slice(2)).toBe(Buffer.from(random).toString('hex').slice(2));
	});
});
