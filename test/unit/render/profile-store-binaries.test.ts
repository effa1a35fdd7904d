import {execFileSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {locateBinaries} from '../../../source/plan/binaries.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {loadProfileByName, loadProfileFile, saveProfile} from '../../../source/profile/load.js';
import {ProfileError, UserError} from '../../../source/errors.js';
import {baseProfile, fakeBinaries, tempDir, workspace} from './fixtures.js';

describe('profile store (conf)', () => {
	const saved = process.env.K8S_MASTER_SETUP_CONFIG_DIR;
	afterEach(() => {
		if (saved === undefined) delete process.env.K8S_MASTER_SETUP_CONFIG_DIR;
		else process.env.K8S_MASTER_SETUP_CONFIG_DIR = saved;
	});

	it('saves a profile by name (0600, paths made absolute) and loads it back', async () => {
		const dir = tempDir();
		fakeBinaries(join(dir, 'bin'));
		process.env.K8S_MASTER_SETUP_CONFIG_DIR = join(dir, 'config');
		const where = await saveProfile(baseProfile(), dir);
		expect(statSync(where).mode & 0o777).toBe(0o600);
		const profile = await loadProfileByName('lab');
		expect(profile.binaries).toBe(join(dir, 'bin'));
		expect(profile.nodes).toHaveLength(3);
		await expect(loadProfileByName('other')).rejects.toThrow(/no saved profile named "other" \(saved: lab\)/);
	});

	it('refuses to save an invalid profile', async () => {
		process.env.K8S_MASTER_SETUP_CONFIG_DIR = join(tempDir(), 'config');
		await expect(saveProfile(baseProfile({nodes: []}))).rejects.toBeInstanceOf(ProfileError);
	});
});

describe('profile file', () => {
	it('resolves relative paths against the profile file and fills defaults', async () => {
		const ws = workspace();
		const profile = await loadProfileFile(ws.file);
		expect(profile.binaries).toBe(join(ws.dir, 'bin'));
		expect(profile.network).toEqual({serviceCidr: '10.254.0.0/16', podCidr: '172.30.0.0/16', nodePortRange: '30000-32767', clusterDomain: 'cluster.local'});
		expect(profile.paths.binDir).toBe('/opt/k8s/bin');
	});
});

describe('binaries', () => {
	it('extracts a kubernetes-server tarball once into the machine\'s cache and reads the release', async () => {
		const dir = tempDir();
		fakeBinaries(join(dir, 'kubernetes', 'server', 'bin'), 'v1.36.3');
		const tarball = join(dir, 'kubernetes-server-linux-amd64.tar.gz');
		execFileSync('tar', ['-czf', tarball, '-C', dir, 'kubernetes']);
		const profile = (await loadProfileFile(workspace(baseProfile({kubernetesVersion: '1.36', binaries: tarball})).file));
		const state = StateDir.open(join(dir, 'state'));
		const cache = join(dir, 'cache');
		const found = await locateBinaries(profile, state, cache);
		expect(found.release).toBe('v1.36.3');
		expect(found.files['kube-apiserver'].localPath.startsWith(join(cache, 'binaries'))).toBe(true);
		expect(found.files.kubectl.sha256).toMatch(/^[0-9a-f]{64}$/);
		expect(existsSync(join(state.path, 'binaries', 'index.json'))).toBe(true);
		expect(await locateBinaries(profile, state, cache)).toEqual(found);
	});

	it('shares what it learned about the binaries with a new state directory on the same machine', async () => {
		const dir = tempDir();
		const bin = fakeBinaries(join(dir, 'bin'), 'v1.35.0');
		// The stand-in kube-apiserver counts how often it is run (--version, --help).
		const runs = join(dir, 'runs');
		writeFileSync(join(bin, 'kube-apiserver'), `#!/bin/sh\necho run >> ${runs}\necho "Kubernetes v1.35.0"\n`);
		const profile = await loadProfileFile(workspace(baseProfile({binaries: bin})).file);
		const cache = join(dir, 'cache');
		const first = await locateBinaries(profile, StateDir.open(join(dir, 'state-a')), cache);
		const ranFirst = readFileSync(runs, 'utf8').split('\n').filter(Boolean).length;
		expect(ranFirst).toBeGreaterThan(0);
		const second = await locateBinaries(profile, StateDir.open(join(dir, 'state-b')), cache);
		expect(second).toEqual(first);
		expect(readFileSync(runs, 'utf8').split('\n').filter(Boolean).length).toBe(ranFirst);
		expect(existsSync(join(dir, 'state-b', 'binaries', 'index.json'))).toBe(true);
		// Without the shared cache, a new state directory learns it all again.
		await locateBinaries(profile, StateDir.open(join(dir, 'state-c')), undefined);
		expect(readFileSync(runs, 'utf8').split('\n').filter(Boolean).length).toBeGreaterThan(ranFirst);
	});

	it('names the missing binary', async () => {
		const dir = tempDir();
		mkdirSync(join(dir, 'empty'));
		const profile = await loadProfileFile(workspace(baseProfile({binaries: join(dir, 'empty')})).file);
		const error = await locateBinaries(profile, StateDir.deferred(join(dir, 'state')), join(dir, 'cache')).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(UserError);
		expect((error as Error).message).toMatch(/binaries: kube-apiserver is missing/);
		expect(existsSync(join(dir, 'state'))).toBe(false);
	});
});
