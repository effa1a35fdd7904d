import {randomBytes} from 'node:crypto';
import {join} from 'node:path';
import {parse} from 'yaml';
import {describe, expect, it} from 'vitest';
import {keptKeyring} from '../../../source/pki/encryption-keyring.js';
import {keptEncryptionSetting, type EncryptionKeyRef} from '../../../source/pki/encryption-setting.js';
import {renderEncryptionConfig} from '../../../source/render/config-files.js';
import {nextPhase, phaseSetting, ROTATION_PHASES, type RotationPhase} from '../../../source/run/encryption-rotate/rotation-journal.js';
import {keepNewKey, writePhaseState} from '../../../source/run/encryption-rotate/rotation-state.js';
import {StateDir} from '../../../source/state/state-dir.js';
import {tempDir} from '../render/fixtures.js';

const FROM: EncryptionKeyRef = {provider: 'aescbc', keyName: 'key-20261101'};
const TO: EncryptionKeyRef = {provider: 'secretbox', keyName: 'key-20261206'};
const journal = {from: FROM, to: TO};
const name = (k: EncryptionKeyRef) => `${k.provider}:${k.keyName}`;

/** The keys a rendered config holds, in order, as provider:name (identity last). */
function configKeys(config: string): string[] {
	const doc = parse(config) as {resources: Array<{providers: Array<Record<string, {keys?: Array<{name: string}>}>>}>};
	return doc.resources[0]!.providers.flatMap((p) => Object.entries(p).flatMap(([provider, s]) => (s.keys ?? [{name: ''}]).map((k) => (k.name ? `${provider}:${k.name}` : provider))));
}

function freshState(): StateDir {
	const state = StateDir.open(join(tempDir(), 'state'));
	state.write('encryption-key', `${randomBytes(32).toString('base64')}\n`);
	state.write('encryption.json', `${JSON.stringify(FROM)}\n`);
	return state;
}

function renderState(state: StateDir): string {
	const ring = keptKeyring(state, state.read('encryption-key')!.trim())!;
	return renderEncryptionConfig(ring.writer.secret, keptEncryptionSetting(state, true)!, ring.readers);
}

describe('the phases of a rotation', () => {
	it('read-enable adds the new key after the old, write-switch puts it first, drop-old leaves it alone (then identity)', () => {
		const configs = Object.fromEntries(ROTATION_PHASES.map((p) => [p, phaseSetting(journal, p)]));
		expect(configs['read-enable']).toEqual({...FROM, readers: [TO]});
		for (const p of ['write-switch', 'rewrite', 'verify'] as const) expect(configs[p]).toEqual({...TO, readers: [FROM]});
		expect(configs['drop-old']).toEqual(TO);
		expect(nextPhase('verify')).toBe('drop-old');
		expect(nextPhase('drop-old')).toBeUndefined();
	});

	it('a node put back one phase (its previous config) still reads every key written with so far', () => {
		// Before the rotation only the old key wrote; from write-switch on the new one writes too.
		const writtenWith = new Set([name(FROM)]);
		let previous = [name(FROM)];
		for (const phase of ROTATION_PHASES) {
			const setting = phaseSetting(journal, phase);
			writtenWith.add(name(setting));
			// Back to the previous phase's config: it must decrypt every key that ever wrote, up to the last phase's.
			for (const written of writtenWith) if (phase !== 'drop-old') expect(previous, `${phase}: put back, reads ${written}`).toContain(written);
			previous = [name(setting), ...(setting.readers ?? []).map(name)];
		}
	});

	it('the state files of each phase render that phase\'s config; the old key is retired at drop-old and kept', () => {
		const state = freshState();
		const oldSecret = state.read('encryption-key')!.trim();
		const newSecret = randomBytes(32).toString('base64');
		keepNewKey(state, FROM, TO, newSecret);
		// The keys file alone changes nothing the nodes get.
		expect(configKeys(renderState(state))).toEqual([name(FROM), 'identity']);
		for (const phase of ROTATION_PHASES) {
			writePhaseState(state, journal, phase, new Date('2026-12-06T12:00:00Z'));
			const setting = phaseSetting(journal, phase);
			expect(configKeys(renderState(state)), phase).toEqual([name(setting), ...(setting.readers ?? []).map(name), 'identity']);
			expect(state.read('encryption-key')!.trim(), phase).toBe(phase === 'read-enable' ? oldSecret : newSecret);
		}
		const keys = JSON.parse(state.read('encryption-keys.json')!) as {keys: Array<{keyName: string; secret: string; retiredAt?: string}>};
		expect(keys.keys).toEqual([
			{provider: 'aescbc', keyName: FROM.keyName, secret: oldSecret, retiredAt: '2026-12-06T12:00:00.000Z'},
			{provider: 'secretbox', keyName: TO.keyName, secret: newSecret},
		]);
		// Two providers, two provider entries, each with its own secret.
		writePhaseState(state, journal, 'write-switch', new Date());
		const config = renderState(state);
		expect(config).toContain(`      - secretbox:\n          keys:\n            - name: ${TO.keyName}\n              secret: "${newSecret}"\n      - aescbc:\n          keys:\n            - name: ${FROM.keyName}\n              secret: "${oldSecret}"\n      - identity: {}\n`);
		expect(config).toContain(`# Also reads what was written with aescbc ${FROM.keyName} (an encryption rotation in progress).`);
	});

	it('one provider: both keys under it, the writer first', () => {
		const ring = {...TO, readers: [{provider: 'secretbox' as const, keyName: 'key-20261101'}]};
		const config = renderEncryptionConfig('TkVX', ring, [{provider: 'secretbox', keyName: 'key-20261101', secret: 'T0xE'}]);
		expect(config).toContain('      - secretbox:\n          keys:\n            - name: key-20261206\n              secret: "TkVX"\n            - name: key-20261101\n              secret: "T0xE"\n      - identity: {}\n');
	});

	it('killed after any single state write, the state still renders a config whose every key has its own secret', () => {
		const phases: RotationPhase[] = [...ROTATION_PHASES];
		for (let cut = 1; cut <= 12; cut++) {
			const state = freshState();
			const secrets = new Map([[FROM.keyName, state.read('encryption-key')!.trim()], [TO.keyName, randomBytes(32).toString('base64')]]);
			let writes = 0;
			const write = state.write.bind(state);
			state.write = (file: string, content: string | Buffer) => {
				if (++writes > cut) throw new Error('killed');
				write(file, content);
			};
			try {
				keepNewKey(state, FROM, TO, secrets.get(TO.keyName)!);
				for (const phase of phases) writePhaseState(state, journal, phase, new Date());
			} catch {
				// the kill
			}
			const ring = keptKeyring(state, state.read('encryption-key')!.trim())!;
			for (const key of [ring.writer, ...ring.readers]) expect(key.secret, `cut after ${cut} writes: ${key.keyName}`).toBe(secrets.get(key.keyName));
		}
	});
});
