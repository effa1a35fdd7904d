import {describe, expect, it} from 'vitest';
import {formatBytes, progressReporter} from '../../../source/snapshot/progress-line.js';

// The clock is a variable the test moves: no real time passes.
function reporter(isTTY: boolean) {
	let now = 0;
	const out: string[] = [];
	const r = progressReporter({write: (t) => out.push(t), isTTY, now: () => now});
	return {r, out, at: (ms: number) => (now = ms)};
}
const p = (received: number) => ({received, total: 64 * 1024 * 1024});

describe('snapshot progress', () => {
	it('says nothing for a snapshot over within a second', () => {
		const {r, out, at} = reporter(true);
		for (const t of [0, 300, 600, 999]) {
			at(t);
			r.update('https://e:2379', p(t * 1000));
		}
		r.done();
		expect(out).toEqual([]);
	});

	it('then rewrites one line on a terminal, at most every 250 ms, and ends it', () => {
		const {r, out, at} = reporter(true);
		for (const t of [1000, 1100, 1250, 1300]) {
			at(t);
			r.update('https://e:2379', p(t * 10_000));
		}
		r.done();
		expect(out).toEqual(['\r\x1b[Khttps://e:2379: 9.5 MiB of 64.0 MiB received', '\r\x1b[Khttps://e:2379: 11.9 MiB of 64.0 MiB received', '\n']);
	});

	it('writes a line every 10 s into a log', () => {
		const {r, out, at} = reporter(false);
		for (const t of [500, 1000, 5000, 11_000]) {
			at(t);
			r.update('https://e:2379', p(1024));
		}
		r.done();
		expect(out).toEqual(['https://e:2379: 1.0 KiB of 64.0 MiB received\n', 'https://e:2379: 1.0 KiB of 64.0 MiB received\n']);
	});

	it('formats bytes', () => {
		expect([512, 2048, 5 * 1024 ** 2, 3 * 1024 ** 3].map(formatBytes)).toEqual(['512 B', '2.0 KiB', '5.0 MiB', '3.00 GiB']);
	});
});
