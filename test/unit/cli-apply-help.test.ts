import {spawnSync} from 'node:child_process';
import {beforeAll, describe, expect, it} from 'vitest';
import {STEP_NAMES} from '../../source/profile/constants.js';
import {INSTALL_STEPS} from '../../source/run/operation.js';
import {cliPath, ensureBuilt} from './render/fixtures.js';

// `apply --help` lists the operation's steps from its table (run/operation.ts), in order,
// each with its summary, within 80 columns: the names --only/--skip take.
describe('apply --help', () => {
	beforeAll(() => ensureBuilt(), 120_000);

	it("lists every step of the operation with the table's summary, in order, within 80 columns", () => {
		const out = spawnSync(process.execPath, [cliPath, 'apply', '--help'], {encoding: 'utf8'}).stdout;
		const lines = out.split('\n');
		const at = lines.indexOf('Steps, in order (for --only/--skip):');
		expect(at).toBeGreaterThan(0);
		const steps = lines.slice(at + 1, at + 1 + STEP_NAMES.length);
		expect(steps.map((l) => l.trim().split(/\s+/)[0])).toEqual([...STEP_NAMES]);
		for (const [i, name] of STEP_NAMES.entries()) {
			expect(steps[i]).toContain(INSTALL_STEPS[name].summary);
			expect([...(steps[i] ?? '')].length, steps[i]).toBeLessThanOrEqual(80);
		}
	});
});
