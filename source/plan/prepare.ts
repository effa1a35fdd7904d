import {ensurePki} from '../pki/ensure.js';
import type {Pki, PkiChange} from '../pki/types.js';
import type {Profile} from '../profile/schema.js';
import {StateDir, defaultStateDir} from '../state/state-dir.js';
import {stackedEtcdBinaries} from '../etcd/stacked-binaries.js';
import {locateBinaries} from './binaries.js';
import {buildPlan} from './build-plan.js';
import {assertFlagsAccepted} from './check-flags.js';
import type {Plan} from './types.js';
import {MEMBER_BOOTSTRAP_FILE, parseBootstrapRecord, serializeBootstrapRecord, withBootstraps, type BootstrapRecord} from '../etcd/member-bootstrap.js';
import {readInstalledNodes} from '../state/installed-nodes-file.js';

export interface PrepareOptions {
	/** A validated profile (loadProfile* has also checked the files it names). */
	profile: Profile;
	/** Default: defaultStateDir(profile.name). */
	stateDir?: string;
	/**
	 * Keep what the state directory would gain (a new CA, keys, certificates, the binaries
	 * index) in memory: nothing is written until the returned commit() is called, or ever
	 * (a dry run). Default false: written as soon as every check has passed.
	 */
	defer?: boolean;
	/** Told about every certificate or key created or re-issued (never silent). */
	onPkiChange?: (change: PkiChange) => void;
	now?: Date;
}

export interface Prepared {
	plan: Plan;
	stateDir: string;
	pki: Pki;
	pkiChanges: PkiChange[];
	/** Write what was kept in memory (with `defer`); nothing to do otherwise. */
	commit: () => void;
}

/**
 * All the I/O before a plan, in an order that writes nothing on bad input: binaries are
 * located and their version and flags checked, the PKI loaded or completed, and the pure
 * buildPlan called, all against a deferred state directory (read from disk, written in
 * memory); only then is anything written, and with `defer` only when the caller commits.
 */
export async function preparePlan(options: PrepareOptions): Promise<Plan> {
	return (await prepare(options)).plan;
}

export async function prepare(options: PrepareOptions): Promise<Prepared> {
	const {profile} = options;
	const stateDirPath = options.stateDir ?? defaultStateDir(profile.name);
	const state = StateDir.deferred(stateDirPath);
	const binaries = await locateBinaries(profile, state);
	assertFlagsAccepted(profile, binaries);
	const {pki, changes} = await ensurePki(profile, state, options.now);
	for (const change of changes) options.onPkiChange?.(change);
	// A stacked etcd's binaries: their release judged for the Kubernetes minor before anything is written.
	const etcdBinaries = profile.etcd.mode === 'stacked' ? await stackedEtcdBinaries(profile.etcd.binaries, profile.kubernetesVersion, state) : undefined;
	const bootstraps = etcdBinaries ? memberBootstraps(profile, state) : undefined;
	const plan = buildPlan(profile, pki, binaries, etcdBinaries, bootstraps);
	if (!options.defer) state.commit();
	return {plan, stateDir: stateDirPath, pki, pkiChanges: changes, commit: () => state.commit()};
}

/**
 * A stacked etcd's recorded first starts (etcd/members.json), completed for the profile's
 * masters and written with the rest of what the state directory gains (so a dry run records
 * nothing): the next run renders every member's unit the same.
 */
function memberBootstraps(profile: Profile, state: StateDir): BootstrapRecord {
	const text = state.read(MEMBER_BOOTSTRAP_FILE);
	const before = parseBootstrapRecord(text, state.file(MEMBER_BOOTSTRAP_FILE));
	const installed = text === undefined ? readInstalledNodes(state.path) : [];
	const record = withBootstraps(before, profile.nodes, installed);
	const serialized = serializeBootstrapRecord(record);
	if (serialized !== text) state.write(MEMBER_BOOTSTRAP_FILE, serialized);
	return record;
}
