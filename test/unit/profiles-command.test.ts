/**
 * `profiles list|show|rm|path` against a temporary config and state directory
 * (K8S_MASTER_SETUP_CONFIG_DIR, XDG_STATE_HOME): nothing of the user's is read or touched.
 */
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {profilesList, profilesPath, profilesRemove, profilesShow} from '../../source/cli/commands/profiles-action.js';
import {readStoredProfile, writeStoredProfile} from '../../source/profile/store.js';
import {UserError} from '../../source/errors.js';
import type {ProfileInput} from '../../source/profile/schema.js';

const key = Buffer.alloc(32, 3).toString('base64');
const prod = {
	name: 'prod',
	kubernetesVersion: '1.37',
	binaries: '/srv/k8s/bin',
	nodes: [
		{name: 'm1', ip: '192.168.31.44'},
		{name: 'm2', ip: '192.168.31.45'},
		{name: 'm3', ip: '192.168.31.46'},
	],
	etcd: {endpoints: ['https://192.168.31.44:2379']},
	encryption: {key},
} as ProfileInput;
const lab = {...prod, name: 'lab', kubernetesVersion: '1.36', nodes: [{name: 'l1', ip: '198.18.0.11'}], encryption: {}} as ProfileInput;

describe('profiles', () => {
	let dir = '';
	let env: NodeJS.ProcessEnv;
	let out = '';
	let err = '';
	const io = () => ({env, stdout: {write: (s: string) => (out += s)}, stderr: {write: (s: string) => (err += s)}});

	beforeEach(async () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-profiles-'));
		env = {K8S_MASTER_SETUP_CONFIG_DIR: join(dir, 'config'), XDG_STATE_HOME: join(dir, 'state'), XDG_CACHE_HOME: join(dir, 'cache')};
		out = '';
		err = '';
		await writeStoredProfile('prod', prod, env);
		await writeStoredProfile('lab', lab, env);
	});
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	it('list: one line per saved profile, sorted, with its nodes and version', async () => {
		expect(await profilesList(io())).toBe(0);
		expect(out).toBe('lab   1 node  Kubernetes 1.36\nprod  3 nodes  Kubernetes 1.37\n');
	});

	it('list with nothing saved says where it looked and how to save one', async () => {
		env = {...env, K8S_MASTER_SETUP_CONFIG_DIR: join(dir, 'empty')};
		expect(await profilesList(io())).toBe(0);
		expect(out).toBe('');
		expect(err).toContain(join(dir, 'empty', 'profiles.json'));
	});

	it('show: the profile as YAML with the encryption key masked', async () => {
		expect(await profilesShow('prod', io())).toBe(0);
		expect(out).not.toContain(key);
		expect(out).toContain('key: •••••••• (hidden; in the profile store)');
		expect(out).toContain('- name: m3');
		expect(out).toContain(`# state: ${join(dir, 'state', 'k8s-master-setup', 'prod')}`);
		// The store itself still holds the key.
		expect((await readStoredProfile('prod', env))?.encryption?.key).toBe(key);
	});

	it('show of an unknown name is invalid input naming the saved ones', async () => {
		const refused = await profilesShow('prdo', io()).catch((e: unknown) => e);
		expect(refused).toBeInstanceOf(UserError);
		expect((refused as UserError).exitCode).toBe(2);
		expect((refused as UserError).message).toBe('no saved profile named "prdo" (saved: lab, prod)');
	});

	it('rm asks first: a no keeps it, a yes removes it and keeps its state directory', async () => {
		const stateDir = join(dir, 'state', 'k8s-master-setup', 'prod');
		mkdirSync(stateDir, {recursive: true});
		const ask = vi.fn(async () => false);
		expect(await profilesRemove('prod', {yes: false}, {...io(), interactive: true, ask})).toBe(0);
		expect(ask).toHaveBeenCalledWith(expect.stringContaining('remove profile "prod"'));
		expect(await readStoredProfile('prod', env)).toBeDefined();
		ask.mockResolvedValue(true);
		expect(await profilesRemove('prod', {yes: false}, {...io(), interactive: true, ask})).toBe(0);
		expect(await readStoredProfile('prod', env)).toBeUndefined();
		expect(await readStoredProfile('lab', env)).toBeDefined();
		expect(existsSync(stateDir)).toBe(true);
		expect(err).toContain(`its state directory ${stateDir}`);
	});

	it('rm without a terminal needs --yes', async () => {
		const ask = async (): Promise<boolean> => {
			throw new Error('asked without a terminal');
		};
		const refused = await profilesRemove('lab', {yes: false}, {...io(), interactive: false, ask}).catch((e: unknown) => e);
		expect((refused as UserError).hint).toContain('profiles rm lab --yes');
		expect(await readStoredProfile('lab', env)).toBeDefined();
		expect(await profilesRemove('lab', {yes: true}, {...io(), interactive: false})).toBe(0);
		expect(await readStoredProfile('lab', env)).toBeUndefined();
		expect(readFileSync(join(dir, 'config', 'profiles.json'), 'utf8')).not.toContain('"lab"');
	});

	it('path: where profiles, state, the draft and the cache live', async () => {
		expect(await profilesPath(io())).toBe(0);
		expect(out).toBe(
			[
				`profiles: ${join(dir, 'config', 'profiles.json')}`,
				`state:    ${join(dir, 'state', 'k8s-master-setup')}/<profile>`,
				`draft:    ${join(dir, 'state', 'k8s-master-setup', 'wizard-draft.json')}`,
				`cache:    ${join(dir, 'cache', 'k8s-master-setup')}`,
			].join('\n') + '\n',
		);
	});
});
