// The checks behind every command's options, in one place: commander only collects the raw
// strings (no argument parser validates or exits), and each command's `xOptions(raw)` (beside
// its action) turns them into typed options, reporting problems in the order a user fixes
// them: the profile first, then each option's value, then what the run needs (--yes).
import {STEP_NAMES, type StepName} from '../../profile/constants.js';
import {UserError} from '../../errors.js';

export interface ProfileChoice {
	profileFile?: string;
	profile?: string;
}

/** --profile-file or --profile: the first thing a command that works on a profile needs. */
export function profileChoice(raw: ProfileChoice): ProfileChoice {
	if (raw.profileFile === undefined && raw.profile === undefined) {
		throw new UserError('no profile given', 'pass --profile-file FILE (YAML or JSON) or --profile NAME (saved by the wizard)');
	}
	return raw.profileFile !== undefined ? {profileFile: raw.profileFile} : {profile: raw.profile as string};
}

/** A number of seconds (or days, ...) within [min, max]; `whole` refuses fractions. */
export function numberOption(flag: string, value: string | number, range: {min: number; max?: number; whole?: boolean; unit?: string}): number {
	const n = typeof value === 'number' ? value : value.trim() === '' ? Number.NaN : Number(value);
	const unit = range.unit ? ` ${range.unit}` : '';
	const what = range.whole ? 'a whole number' : 'a number';
	const bounds = range.max !== undefined ? `from ${range.min} to ${range.max}${unit}` : `of at least ${range.min}${unit}`;
	if (!Number.isFinite(n) || n < range.min || (range.max !== undefined && n > range.max) || (range.whole && !Number.isInteger(n))) {
		throw new UserError(`${flag} must be ${what} ${bounds}, not "${value}"`);
	}
	return n;
}

/** Commander's collector for a repeatable comma-separated option: strings only, checked later. */
export function collect(value: string, previous: string[] = []): string[] {
	return [...previous, value];
}

/** --only / --skip: every name one of the steps. */
export function stepsOption(flag: string, values: string[] | undefined): StepName[] | undefined {
	if (values === undefined) return undefined;
	const steps = values.flatMap((v) => v.split(',')).map((s) => s.trim()).filter(Boolean);
	for (const s of steps) {
		if (!(STEP_NAMES as readonly string[]).includes(s)) throw new UserError(`${flag}: unknown step "${s}"`, `steps are: ${STEP_NAMES.join(', ')}`);
	}
	return steps as StepName[];
}

/** --connect-timeout SECONDS (default 10) → milliseconds, for the TCP connect and the SSH handshake. */
export function connectTimeoutMs(raw: {connectTimeout?: unknown}): number {
	return Math.round(numberOption('--connect-timeout', (raw.connectTimeout as string | number | undefined) ?? 10, {min: 0.1, max: 600, unit: 'seconds'}) * 1000);
}
