import {X509Certificate, randomBytes} from 'node:crypto';
import {readFileSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {UserError} from '../../../source/errors.js';
import {ensurePki} from '../../../source/pki/ensure.js';
import {generateEcKeyPair} from '../../../source/pki/keys.js';
import {createCaCertificate} from '../../../source/pki/x509.js';
import {ProfileSchema, type ProfileInput} from '../../../source/profile/schema.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {baseProfile, tempDir} from './fixtures.js';

/** Every file of a state directory with its content, to show a refusal changed nothing. */
function contents(dir: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const e of readdirSync(dir, {withFileTypes: true, recursive: true})) {
		if (e.isFile()) out[join(e.parentPath, e.name)] = readFileSync(join(e.parentPath, e.name), 'utf8');
	}
	return out;
}

async function refusal(profile: ProfileInput, state: StateDir): Promise<UserError> {
	const error = await ensurePki(ProfileSchema.parse(profile), state).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(UserError);
	return error as UserError;
}

function broughtCa(dir: string, name: string, key = generateEcKeyPair().privateKey) {
	const cert = createCaCertificate('user-ca', key, 3650);
	writeFileSync(join(dir, `${name}.pem`), cert);
	writeFileSync(join(dir, `${name}-key.pem`), key);
	return {caCert: join(dir, `${name}.pem`), caKey: join(dir, `${name}-key.pem`), cert, key};
}

describe('the kept encryption key', () => {
	it('is never replaced by a different encryption.key: refused (exit 2) naming the field, the state unchanged', async () => {
		const state = StateDir.open(join(tempDir(), 'state'));
		const first = await ensurePki(ProfileSchema.parse(baseProfile()), state);
		const before = contents(state.path);
		const error = await refusal(baseProfile({encryption: {key: randomBytes(32).toString('base64')}}), state);
		expect(error.exitCode).toBe(2);
		expect(error.message).toMatch(/^encryption\.key: differs from the key kept in .*encryption-key; the kept key stays/);
		expect(error.hint).toContain('remove encryption.key from the profile to keep using the kept key');
		expect(error.message + error.hint).not.toContain(first.pki.encryptionKey);
		expect(contents(state.path)).toEqual(before);
	});

	it('accepts encryption.key equal to the kept key', async () => {
		const state = StateDir.open(join(tempDir(), 'state'));
		const first = await ensurePki(ProfileSchema.parse(baseProfile()), state);
		const again = await ensurePki(ProfileSchema.parse(baseProfile({encryption: {key: first.pki.encryptionKey}})), state);
		expect(again.pki.encryptionKey).toBe(first.pki.encryptionKey);
		expect(again.changes).toEqual([]);
	});

	it('keeps a key first given in the profile, so removing it from the profile later keeps it', async () => {
		const state = StateDir.open(join(tempDir(), 'state'));
		const key = randomBytes(32).toString('base64');
		const first = await ensurePki(ProfileSchema.parse(baseProfile({encryption: {key}})), state);
		expect(first.pki.encryptionKey).toBe(key);
		expect(readFileSync(state.file('encryption-key'), 'utf8').trim()).toBe(key);
		const later = await ensurePki(ProfileSchema.parse(baseProfile()), state);
		expect(later.pki.encryptionKey).toBe(key);
	});
});

describe('the CA a state directory was built with', () => {
	it('refuses a brought CA that differs from the one it recorded, with both SHA-256 fingerprints', async () => {
		const dir = tempDir();
		const state = StateDir.open(join(dir, 'state'));
		const first = broughtCa(dir, 'ca');
		await ensurePki(ProfileSchema.parse(baseProfile({pki: {caCert: first.caCert, caKey: first.caKey}})), state);
		const before = contents(state.path);
		const other = broughtCa(dir, 'other');
		const error = await refusal(baseProfile({pki: {caCert: other.caCert, caKey: other.caKey}}), state);
		expect(error.exitCode).toBe(2);
		expect(error.message).toMatch(/^pki\.caCert: /);
		expect(error.message).toContain(new X509Certificate(other.cert).fingerprint256);
		expect(error.message).toContain(new X509Certificate(first.cert).fingerprint256);
		expect(contents(state.path)).toEqual(before);
	});

	it('refuses a brought CA for a state directory whose CA the tool created', async () => {
		const dir = tempDir();
		const state = StateDir.open(join(dir, 'state'));
		const created = await ensurePki(ProfileSchema.parse(baseProfile()), state);
		const before = contents(state.path);
		const other = broughtCa(dir, 'other');
		const error = await refusal(baseProfile({pki: {caCert: other.caCert, caKey: other.caKey}}), state);
		expect(error.message).toContain(new X509Certificate(created.pki.ca.cert).fingerprint256);
		expect(contents(state.path)).toEqual(before);
	});

	it('refuses to create a new CA when the certificates were issued by a brought one', async () => {
		const dir = tempDir();
		const state = StateDir.open(join(dir, 'state'));
		const first = broughtCa(dir, 'ca');
		await ensurePki(ProfileSchema.parse(baseProfile({pki: {caCert: first.caCert, caKey: first.caKey}})), state);
		const before = contents(state.path);
		const error = await refusal(baseProfile(), state);
		expect(error.message).toMatch(/^pki\.caCert: is not given, but the certificates in .* were issued by the CA brought before/);
		expect(contents(state.path)).toEqual(before);
	});

	it('refuses a brought CA that did not issue the certificates of a state directory made before the CA was recorded', async () => {
		const dir = tempDir();
		const state = StateDir.open(join(dir, 'state'));
		const first = broughtCa(dir, 'ca');
		await ensurePki(ProfileSchema.parse(baseProfile({pki: {caCert: first.caCert, caKey: first.caKey}})), state);
		rmSync(state.file('brought-ca.pem'));
		const other = broughtCa(dir, 'other');
		const error = await refusal(baseProfile({pki: {caCert: other.caCert, caKey: other.caKey}}), state);
		expect(error.message).toMatch(/did not issue the certificates in/);
	});

	it('accepts the same CA renewed with its own key (a new fingerprint), re-issuing nothing', async () => {
		const dir = tempDir();
		const state = StateDir.open(join(dir, 'state'));
		const first = broughtCa(dir, 'ca');
		await ensurePki(ProfileSchema.parse(baseProfile({pki: {caCert: first.caCert, caKey: first.caKey}})), state);
		const renewed = broughtCa(dir, 'renewed', first.key);
		expect(new X509Certificate(renewed.cert).fingerprint256).not.toBe(new X509Certificate(first.cert).fingerprint256);
		const {changes} = await ensurePki(ProfileSchema.parse(baseProfile({pki: {caCert: renewed.caCert, caKey: renewed.caKey}})), state);
		expect(changes).toEqual([]);
	});
});
