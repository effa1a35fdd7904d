import {execFileSync, spawnSync} from 'node:child_process';
import {generateKeyPairSync} from 'node:crypto';
import {existsSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {ProfileError} from '../../../source/errors.js';
import {caKeyTypeProblem} from '../../../source/pki/ca-key-type.js';
import {loadProfileFile} from '../../../source/profile/load.js';
import {cannotRun} from '../../require-or-skip.js';
import {baseProfile, cliPath, ensureBuilt, hasOpenssl, workspace} from './fixtures.js';

/**
 * A brought CA whose key cannot sign (issue 27): refused where the profile's files are
 * checked, naming pki.caKey and the key types that work, before anything is written;
 * not deep in signing with a stack trace.
 */
const noOpenssl = () => cannotRun('ca-key-type.test.ts', hasOpenssl() ? undefined : 'the openssl command is not installed (Debian package openssl)');

/** A workspace whose profile brings a self-signed CA made by openssl with `newkey` (e.g. ed25519, ec:...). */
function workspaceWithCa(newkey: string[]) {
	const ws = workspace(baseProfile({pki: {caCert: './ca.pem', caKey: './ca-key.pem', certValidityDays: 20}}));
	execFileSync('openssl', ['req', '-x509', ...newkey, '-keyout', join(ws.dir, 'ca-key.pem'), '-out', join(ws.dir, 'ca.pem'), '-days', '30', '-nodes', '-subj', '/CN=test'], {stdio: 'pipe'});
	return ws;
}

describe('which CA keys can sign', () => {
	it('RSA and ECDSA on P-256, P-384, P-521 can; Ed25519, Ed448, RSA-PSS, other curves cannot', () => {
		expect(caKeyTypeProblem(generateKeyPairSync('rsa', {modulusLength: 2048}).privateKey)).toBeUndefined();
		for (const namedCurve of ['P-256', 'P-384', 'P-521']) expect(caKeyTypeProblem(generateKeyPairSync('ec', {namedCurve}).privateKey)).toBeUndefined();
		expect(caKeyTypeProblem(generateKeyPairSync('ed25519').privateKey)).toMatch(/type ed25519.*RSA, or ECDSA on P-256, P-384 or P-521/);
		expect(caKeyTypeProblem(generateKeyPairSync('ed448').privateKey)).toMatch(/type ed448/);
		expect(caKeyTypeProblem(generateKeyPairSync('rsa-pss', {modulusLength: 2048}).privateKey)).toMatch(/type rsa-pss/);
		expect(caKeyTypeProblem(generateKeyPairSync('ec', {namedCurve: 'secp256k1'}).privateKey)).toMatch(/curve secp256k1/);
	});
});

describe.skipIf(noOpenssl())('a brought Ed25519 CA', () => {
	beforeAll(() => ensureBuilt(), 180_000);

	it('is refused when the profile is loaded, at pki.caKey', async () => {
		const ws = workspaceWithCa(['-newkey', 'ed25519']);
		const error = await loadProfileFile(ws.file).then(
			() => undefined,
			(e: unknown) => e,
		);
		expect(error).toBeInstanceOf(ProfileError);
		const problems = (error as ProfileError).problems;
		expect(problems).toEqual([{field: 'pki.caKey', message: expect.stringMatching(/ca-key\.pem is a key of type ed25519, which cannot sign .*RSA, or ECDSA on P-256, P-384 or P-521/)}]);
		expect((error as ProfileError).exitCode).toBe(2);
	});

	it('an ECDSA P-384 CA from openssl loads', async () => {
		const ws = workspaceWithCa(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384']);
		expect((await loadProfileFile(ws.file)).pki.caKey).toBe(join(ws.dir, 'ca-key.pem'));
	});

	it.each([['render', '--out', 'out'], ['apply', '--dry-run']])('the built CLI `%s`: exit 2 naming pki.caKey, no stack trace, nothing written', (...args) => {
		const ws = workspaceWithCa(['-newkey', 'ed25519']);
		const env = {...process.env, HOME: join(ws.dir, 'home'), XDG_STATE_HOME: join(ws.dir, 'xdg-state'), XDG_CACHE_HOME: join(ws.dir, 'xdg-cache')};
		const r = spawnSync(process.execPath, [cliPath, ...args, '--profile-file', ws.file, '--state-dir', ws.stateDir], {cwd: ws.dir, encoding: 'utf8', env, timeout: 60_000});
		expect(r.status, r.stderr).toBe(2);
		expect(r.stderr).toContain('pki.caKey: ');
		expect(r.stderr).toContain('type ed25519');
		expect(r.stderr).toContain('RSA, or ECDSA on P-256, P-384 or P-521');
		expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
		expect(existsSync(ws.stateDir)).toBe(false);
		expect(existsSync(join(ws.dir, 'xdg-state'))).toBe(false);
		expect(existsSync(join(ws.dir, 'out'))).toBe(false);
	});
});
