import {afterEach, describe, expect, it, vi} from 'vitest';
import {cannotRun, inCi} from '../require-or-skip.js';

describe('a suite that cannot run', () => {
	afterEach(() => vi.unstubAllEnvs());

	it('runs when nothing is missing, in CI or not', () => {
		vi.stubEnv('CI', 'true');
		expect(cannotRun('zstd', undefined)).toBe(false);
	});

	it('fails in CI, naming the suite and the reason', () => {
		vi.stubEnv('K8S_TEST_CI', undefined);
		vi.stubEnv('CI', 'true');
		expect(() => cannotRun('zstd-copies.test.ts', 'the zstd command is not installed')).toThrow('zstd-copies.test.ts cannot run in CI: the zstd command is not installed');
	});

	it('skips outside CI, printing why', () => {
		vi.stubEnv('K8S_TEST_CI', undefined);
		vi.stubEnv('CI', 'false');
		const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
		expect(cannotRun('zstd-copies.test.ts', 'the zstd command is not installed')).toBe(true);
		expect(warn).toHaveBeenCalledWith('zstd-copies.test.ts skipped: the zstd command is not installed');
		warn.mockRestore();
	});

	it('takes CI from K8S_TEST_CI where the ui project has set CI=false for ink', () => {
		vi.stubEnv('CI', 'false');
		vi.stubEnv('K8S_TEST_CI', 'true');
		expect(inCi()).toBe(true);
		vi.stubEnv('K8S_TEST_CI', '');
		vi.stubEnv('CI', 'true');
		expect(inCi()).toBe(false);
	});
});
