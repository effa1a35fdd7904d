import {existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {loadWizardDraft, removeWizardDraft, saveWizardDraft} from '../../source/cli/shared/wizard-draft.js';
import {initialDraft, setValue, toProfileInput, withBase} from '../../source/ui/wizard/draft.js';
import {savedDraftOf} from '../../source/ui/wizard/saved-draft.js';

describe("a cancelled wizard's draft", () => {
	let dir = '';
	afterEach(() => rmSync(dir, {recursive: true, force: true}));

	it('goes to the state directory, 0600, replacing (not following) whatever is at its name', () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-draft-'));
		const env = {XDG_STATE_HOME: join(dir, 'state')};
		const base = join(dir, 'state', 'k8s-master-setup');
		// Someone planted a symlink at the draft's name, pointing at a file of the user's.
		mkdirSync(base, {recursive: true});
		const victim = join(dir, 'victim');
		writeFileSync(victim, 'precious\n');
		symlinkSync(victim, join(base, 'wizard-draft.json'));

		const path = saveWizardDraft({name: 'lab', nodes: [{name: 'm1', ip: '198.18.0.11'}]} as never, env);
		expect(path).toBe(join(base, 'wizard-draft.json'));
		expect(lstatSync(path).isSymbolicLink()).toBe(false);
		expect(statSync(path).mode & 0o777).toBe(0o600);
		expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({name: 'lab'});
		expect(readFileSync(victim, 'utf8')).toBe('precious\n');
	});

	it('makes the state directory 0700 when there is none', () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-draft-'));
		const path = saveWizardDraft({name: 'x'} as never, {XDG_STATE_HOME: join(dir, 'new', 'state')});
		expect(existsSync(path)).toBe(true);
		expect(statSync(join(dir, 'new', 'state', 'k8s-master-setup')).mode & 0o777).toBe(0o700);
	});

	it('reads back what was saved, and is gone once removed', () => {
		dir = mkdtempSync(join(tmpdir(), 'k8s-draft-'));
		const env = {XDG_STATE_HOME: join(dir, 'state')};
		expect(loadWizardDraft(env)).toBeUndefined();
		const kept = savedDraftOf(initialDraft({name: 'lab'}), 'network');
		saveWizardDraft(kept, env);
		expect(loadWizardDraft(env)).toEqual(kept);
		removeWizardDraft(env);
		expect(loadWizardDraft(env)).toBeUndefined();
		removeWizardDraft(env);
	});
});

describe('an edited profile (init --edit)', () => {
	it("keeps the profile's encryption.provider, which the wizard does not ask, and drops a key no longer pasted", () => {
		const base = {name: 'prod', nodes: [{name: 'm1', ip: '10.0.0.1'}], encryption: {provider: 'aescbc' as const, key: Buffer.alloc(32, 9).toString('base64')}};
		const generated = toProfileInput(initialDraft(base));
		expect(generated.encryption).toEqual({key: base.encryption.key});
		const draft = setValue(initialDraft(base), 'encryption.mode', 'generate');
		expect(withBase(toProfileInput(draft), base as never).encryption).toEqual({provider: 'aescbc'});
		expect(withBase(toProfileInput(initialDraft(base)), base as never).encryption).toEqual(base.encryption);
	});
});
