// The wizard's "do you run an etcd cluster already?": the draft's etcd.mode, the fields the
// etcd screen shows for each answer, the profile written from the draft (parsed by
// ProfileSchema into the expected mode), the summary's etcd line, an edit that keeps the
// mode, and a draft kept before the question existed.
import {mkdirSync, mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {ProfileSchema, type ProfileInput} from '../../source/profile/schema.js';
import {localPathProblem} from '../../source/cli/shared/wizard-checks.js';
import {initialDraft, setValue, toProfileInput, withBase, type Draft} from '../../source/ui/wizard/draft.js';
import {reduceWizard} from '../../source/ui/wizard/reducer.js';
import {parseSavedDraft, savedDraftOf} from '../../source/ui/wizard/saved-draft.js';
import {STEPS, stepOrder} from '../../source/ui/wizard/steps.js';
import {etcdLines} from '../../source/ui/wizard/summary-screen.js';
import {validateDraft} from '../../source/ui/wizard/validate.js';
import {fieldsOf, initialWizardState, type WizardState} from '../../source/ui/wizard/wizard-state.js';

const work = mkdtempSync(join(tmpdir(), 'k8s-wizard-etcd-'));
afterAll(() => rmSync(work, {recursive: true, force: true}));

const answered = (draft: Draft, values: Record<string, string>): Draft => Object.entries(values).reduce((d, [k, v]) => setValue(d, k, v), draft);
const base: Partial<ProfileInput> = {name: 'lab', binaries: '/srv/k8s/bin', kubernetesVersion: '1.37', nodes: [{name: 'm1', ip: '192.168.31.44'}]};
const fieldKeys = (draft: Draft) => STEPS.etcd.fields(draft).map((f) => f.key);
const order = stepOrder({checkNodes: false});
const atEtcd = (state: WizardState): WizardState => ({...state, step: state.order.indexOf('etcd'), focus: 0});
const key = (state: WizardState, k: Record<string, boolean>, input = '') => reduceWizard(state, {type: 'key', input, key: k});

describe('the etcd question', () => {
	it('a new profile defaults to "no" (stacked): the etcd binaries are asked, the endpoints are not', () => {
		const draft = initialDraft();
		expect(draft.values['etcd.mode']).toBe('stacked');
		expect(fieldKeys(draft)).toEqual(['etcd.mode', 'etcd.binaries']);
		expect(fieldKeys(setValue(draft, 'etcd.mode', 'external'))).toEqual(['etcd.mode', 'etcd.endpoints']);
	});

	it('"no" writes a stacked profile, "yes" an external one; both parse into that mode', () => {
		const stacked = ProfileSchema.parse(toProfileInput(answered(initialDraft(base), {'etcd.binaries': '/srv/etcd-v3.6.5-linux-amd64.tar.gz'})));
		expect(stacked.etcd).toEqual({mode: 'stacked', binaries: '/srv/etcd-v3.6.5-linux-amd64.tar.gz', apiserverEndpoints: 'all', dataDir: '/var/lib/etcd', quotaBackendBytes: 8 * 1024 ** 3, autoCompactionRetention: '1h', allowEvenMembers: false});
		const external = ProfileSchema.parse(toProfileInput(answered(initialDraft(base), {'etcd.mode': 'external', 'etcd.binaries': '/left/over'})));
		// The endpoints follow the node IPs; a binaries path typed before the answer changed is not written.
		expect(external.etcd).toEqual({mode: 'external', endpoints: ['https://192.168.31.44:2379'], apiserverEndpoints: 'local'});
	});

	it('stacked without binaries is refused on the etcd screen, with the schema message', () => {
		const issues = validateDraft(initialDraft(base), order, order.indexOf('etcd'));
		expect(issues.get('etcd.binaries')).toBe('is required');
	});

	it('the binaries are checked as the Kubernetes binaries are: they must exist (a directory or a tarball)', () => {
		const pathProblem = (k: Parameters<typeof localPathProblem>[0], p: string) => localPathProblem(k, p);
		const missing = join(work, 'etcd-v3.6.5-linux-amd64.tar.gz');
		const draft = answered(initialDraft(base), {'etcd.binaries': missing});
		expect(validateDraft(draft, order, order.indexOf('etcd'), {pathProblem}).get('etcd.binaries')).toBe(`${missing} does not exist on this machine`);
		mkdirSync(join(work, 'etcd-dir'));
		expect(validateDraft(setValue(draft, 'etcd.binaries', join(work, 'etcd-dir')), order, order.indexOf('etcd'), {pathProblem}).has('etcd.binaries')).toBe(false);
		// With "yes" the binaries field is not shown, so not checked.
		expect(validateDraft(setValue(draft, 'etcd.mode', 'external'), order, order.indexOf('etcd'), {pathProblem}).has('etcd.binaries')).toBe(false);
	});

	it('the screens before the etcd question are not held up by the stacked rule on an even number of masters', () => {
		const two = answered(initialDraft({...base, nodes: [{name: 'm1', ip: '192.168.31.44'}, {name: 'm2', ip: '192.168.31.45'}]}), {'etcd.binaries': '/srv/etcd'});
		expect(validateDraft(two, order, order.indexOf('nodes')).has('nodes')).toBe(false);
		expect(validateDraft(two, order, order.length - 1).get('nodes')).toMatch(/each runs an etcd member \(etcd.mode: stacked\)/);
	});

	it('←/→ on a new profile switches the answer; on an edit it stays, with the reason', () => {
		let s = atEtcd(initialWizardState(initialDraft(base), order, {canCheck: false, canReadVersion: false}));
		s = key(s, {rightArrow: true});
		expect(s.draft.values['etcd.mode']).toBe('external');
		expect(fieldsOf(s).map((f) => f.key)).toEqual(['etcd.mode', 'etcd.endpoints']);
		const saved = {...base, etcd: {endpoints: ['https://192.168.31.44:2379']}} as ProfileInput;
		let e = atEtcd(initialWizardState(initialDraft(saved), stepOrder({checkNodes: false, editing: true}), {canCheck: false, canReadVersion: false, base: saved, editing: 'lab'}));
		e = key(e, {leftArrow: true});
		expect(e.draft.values['etcd.mode']).toBe('external');
		expect(e.notice).toMatch(/^etcd.mode is kept as saved: apply refuses to switch an installed cluster/);
	});

	it('an edited profile keeps its mode and the etcd settings the wizard does not ask about', () => {
		const external = {...base, etcd: {endpoints: ['https://10.0.0.1:2379'], caFile: '/srv/etcd-ca.pem'}} as ProfileInput;
		expect(initialDraft(external).values['etcd.mode']).toBe('external');
		expect(ProfileSchema.parse(withBase(toProfileInput(initialDraft(external)), external)).etcd).toEqual({mode: 'external', endpoints: ['https://10.0.0.1:2379'], caFile: '/srv/etcd-ca.pem', apiserverEndpoints: 'local'});
		const stacked = {...base, etcd: {mode: 'stacked', binaries: '/srv/etcd', quotaBackendBytes: 1024}} as ProfileInput;
		expect(initialDraft(stacked).values['etcd.binaries']).toBe('/srv/etcd');
		expect(ProfileSchema.parse(withBase(toProfileInput(initialDraft(stacked)), stacked)).etcd).toMatchObject({mode: 'stacked', binaries: '/srv/etcd', quotaBackendBytes: 1024});
	});

	it('the summary line: stacked with the release a tarball names, or external with its endpoints (≤ 80 columns)', () => {
		const d = initialDraft(base);
		expect(etcdLines(setValue(d, 'etcd.binaries', '/srv/etcd-v3.6.5-linux-amd64.tar.gz'))).toEqual([['etcd', 'stacked, one member per master (etcd 3.6.5 from /srv/etcd-v3.6.5-linux-amd64.tar.gz)']]);
		expect(etcdLines(setValue(d, 'etcd.binaries', '/opt/etcd'))).toEqual([['etcd', 'stacked, one member per master (etcd from /opt/etcd)']]);
		expect(etcdLines(answered(d, {'etcd.mode': 'external', 'etcd.endpoints': 'https://10.0.0.1:2379, https://10.0.0.2:2379'}))).toEqual([
			['etcd', 'external, 2 endpoints'],
			['', 'https://10.0.0.1:2379'],
			['', 'https://10.0.0.2:2379'],
		]);
	});

	it('a draft kept before the question existed resumes as external (the old wizard always wrote endpoints)', () => {
		const kept = savedDraftOf(initialDraft(base), 'network');
		const {['etcd.mode']: _mode, ['etcd.binaries']: _bin, ...old} = kept.answers.values;
		const parsed = parseSavedDraft(JSON.stringify({...kept, answers: {...kept.answers, values: old}}));
		expect(parsed?.answers.values['etcd.mode']).toBe('external');
		expect(parsed?.answers.values['etcd.binaries']).toBe('');
		// A current draft keeps its answer.
		expect(parseSavedDraft(JSON.stringify(kept))?.answers.values['etcd.mode']).toBe('stacked');
	});
});
