import {ensurePki} from '../pki/ensure.js';
import type {Pki, PkiChange} from '../pki/types.js';
import type {Profile} from '../profile/schema.js';
import {StateDir, defaultStateDir} from '../state/state-dir.js';
import {locateBinaries} from './binaries.js';
import {buildPlan} from './build-plan.js';
import {assertFlagsAccepted} from './check-flags.js';
import type {Plan} from './types.js';

export interface PrepareOptions {
	/** A validated profile (loadProfile* has also checked the files it names). */
	profile: Profile;
	/** Default: defaultStateDir(profile.name). */
	stateDir?: string;
	/** Told about every certificate or key created or re-issued (never silent). */
	onPkiChange?: (change: PkiChange) => void;
	now?: Date;
}

/**
 * All the I/O before a plan, in an order that writes nothing on bad input: binaries are
 * located and their version checked first, then the state directory is opened (created
 * once), the PKI loaded or completed, and the pure buildPlan called.
 */
export async function preparePlan(options: PrepareOptions): Promise<Plan> {
	return (await prepare(options)).plan;
}

export async function prepare(options: PrepareOptions): Promise<{plan: Plan; stateDir: string; pki: Pki; pkiChanges: PkiChange[]}> {
	const {profile} = options;
	const stateDirPath = options.stateDir ?? defaultStateDir(profile.name);
	const binaries = await locateBinaries(profile, stateDirPath);
	assertFlagsAccepted(profile, binaries);
	const state = StateDir.open(stateDirPath);
	const {pki, changes} = await ensurePki(profile, state, options.now);
	for (const change of changes) options.onPkiChange?.(change);
	return {plan: buildPlan(profile, pki, binaries), stateDir: stateDirPath, pki, pkiChanges: changes};
}
