import {existsSync, mkdirSync, rmSync} from 'node:fs';
import {join} from 'node:path';
import {execa} from 'execa';
import {beforeAll, describe, expect, it} from 'vitest';
import type {RunEvent} from '../../source/run/events.js';
import {cannotRun} from '../require-or-skip.js';
import {applyArgs, canRunLab, cli, e2eWork, labWithCluster, managedFiles, NODES, parseEvents, startApply, unitRuns} from './apply-support.js';

/**
 * The cluster's identity on the lab (issue 24, item 8): `apply` with a state directory that
 * did not build the running cluster (a new laptop) is refused on every node before anything
 * is written, in a dry run and for real; `state recover` rebuilds a state directory from the
 * masters, and a run with it changes nothing on any node.
 */
const skip = cannotRun('e2e cluster identity', canRunLab());

describe.skipIf(skip)('the cluster identity on the lab', () => {
	let env: Record<string, string>;
	const profilePath = join(e2eWork, 'profile.yaml');
	const stateDir = join(e2eWork, 'state');
	const strangerDir = join(e2eWork, 'identity-stranger');
	const recoveredDir = join(e2eWork, 'identity-recovered');
	const allFiles = async () => Object.fromEntries(await Promise.all(NODES.map(async (n) => [n, await managedFiles(n)] as const)));
	const keysOnly = (files: Record<string, string[]>) => Object.fromEntries(Object.entries(files).map(([n, lines]) => [n, lines.filter((l) => l.startsWith('/etc/kubernetes/'))]));

	beforeAll(async () => {
		env = await labWithCluster(profilePath, stateDir);
		rmSync(strangerDir, {recursive: true, force: true});
		rmSync(recoveredDir, {recursive: true, force: true});
	});

	it('a state directory that did not build the cluster is refused (exit 2) on every node, dry run or not, and writes nothing anywhere', async () => {
		const before = await allFiles();
		const runsBefore = await unitRuns();
		for (const extra of [['--dry-run'], []]) {
			const args = applyArgs(env, profilePath, strangerDir).filter((a) => a !== '--yes');
			const run = await startApply([...args, ...extra, ...(extra.length === 0 ? ['--yes'] : [])]);
			expect(run.exitCode, run.all).toBe(2);
			const failed = parseEvents(run.stdout).filter((e): e is Extract<RunEvent, {type: 'step-failed'}> => e.type === 'step-failed');
			expect(failed.map((e) => `${e.node} ${e.step}`).sort()).toEqual(NODES.map((n) => `${n} preflight`));
			for (const e of failed) {
				expect(e.cause).toMatch(new RegExp(`^${e.node} belongs to a cluster this state directory did not build: `));
				// The lab's profile brings its CA (pki.caCert), so a new state directory plans the same
				// CA; everything the state directory made itself differs.
				for (const file of ['/etc/kubernetes/cert/front-proxy-ca.pem', '/etc/kubernetes/cert/sa.pub', '/etc/kubernetes/encryption-config.yaml']) {
					expect(e.cause, `${e.node} names ${file}`).toContain(file);
				}
				expect(e.cause).not.toContain('/etc/kubernetes/cert/ca.pem');
				expect(e.hint).toContain(`state recover --from ${e.node}`);
			}
			// Nothing local either: the new CA and keys it planned with were never committed.
			expect(existsSync(strangerDir), `${extra.join(' ') || 'apply --yes'} left ${strangerDir}`).toBe(false);
		}
		expect(await allFiles()).toEqual(before);
		expect(await unitRuns()).toEqual(runsBefore);
	});

	it('state recover rebuilds the state from the masters, and a run with it changes nothing on any node', async () => {
		mkdirSync(e2eWork, {recursive: true});
		const recover = await execa('node', [cli, 'state', 'recover', '--from', 'lab-m1', '--profile-file', profilePath, '--state-dir', recoveredDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string], {
			reject: false,
			all: true,
		});
		expect(recover.exitCode, recover.all).toBe(0);
		expect(recover.stdout).toContain(`recovered into ${recoveredDir}:`);
		expect(recover.stdout).toMatch(/✓ encryption key \(\/etc\/kubernetes\/encryption-config\.yaml\) from lab-m1/);
		expect(recover.stdout).toMatch(/✓ lab-m3's kube-scheduler certificate/);
		expect(recover.all).not.toContain((await execa('cat', [join(stateDir, 'encryption-key')])).stdout.trim());
		// Again into the same directory: refused, it holds keys now.
		const twice = await execa('node', [cli, 'state', 'recover', '--from', 'lab-m2', '--profile-file', profilePath, '--state-dir', recoveredDir, '--known-hosts', env.LAB_KNOWN_HOSTS as string], {reject: false, all: true});
		expect(twice.exitCode, twice.all).toBe(2);
		expect(twice.stderr).toContain('already holds a cluster');

		const before = await allFiles();
		const runsBefore = await unitRuns();
		const dry = await startApply([...applyArgs(env, profilePath, recoveredDir), '--dry-run']);
		expect(dry.exitCode, dry.all).toBe(0);
		const run = await startApply(applyArgs(env, profilePath, recoveredDir));
		expect(run.exitCode, run.all).toBe(0);
		const done = parseEvents(run.stdout).filter((e): e is Extract<RunEvent, {type: 'step-done'}> => e.type === 'step-done');
		expect(done.flatMap((e) => e.changed)).toEqual([]);
		// The cluster's keys and every certificate on the nodes: byte for byte, the same inodes.
		expect(keysOnly(await allFiles())).toEqual(keysOnly(before));
		expect(await unitRuns()).toEqual(runsBefore);
	});
});
