// The wizard's change screen as a pure reducer (change-rules.ts): intents and keys in, state
// out. Which screens each choice leads to, the new master's row and name, the master picked
// for removal, the last one refused, going back putting the node list back; and what the
// summary says the next apply does (membership-change.ts).
import {describe, expect, it} from 'vitest';
import type {ProfileInput} from '../../source/profile/schema.js';
import {initialDraft} from '../../source/ui/wizard/draft.js';
import {reduceWizard} from '../../source/ui/wizard/reducer.js';
import {changeIntentOf, nextNodeName, reduceChange, type ChangeIntent} from '../../source/ui/wizard/change-rules.js';
import {membershipChange, membershipLines} from '../../source/ui/wizard/membership-change.js';
import {resumeOrder} from '../../source/ui/wizard/resume-rules.js';
import {stepOrder} from '../../source/ui/wizard/steps.js';
import {checkKey, currentStep, draftToKeep, initialWizardState, type WizardState} from '../../source/ui/wizard/wizard-state.js';
import {savedDraftOf} from '../../source/ui/wizard/saved-draft.js';

const saved = {
	name: 'prod',
	kubernetesVersion: '1.37',
	binaries: '/srv/k8s/bin',
	nodes: [
		{name: 'lab-m1', ip: '192.168.31.44'},
		{name: 'lab-m2', ip: '192.168.31.45'},
		{name: 'lab-m3', ip: '192.168.31.46'},
	],
	etcd: {endpoints: ['https://192.168.31.44:2379']},
} satisfies ProfileInput;

function editing(profile: ProfileInput = saved, checkNodes = false): WizardState {
	return initialWizardState(initialDraft(profile), stepOrder({checkNodes, editing: true}), {canCheck: checkNodes, canReadVersion: false, editing: profile.name, base: profile});
}

const apply = (state: WizardState, ...intents: ChangeIntent[]) => intents.reduce(reduceChange, state);
const key = (state: WizardState, input: string, flags: Record<string, boolean> = {}) => reduceWizard(state, {type: 'key', input, key: flags});
const names = (s: WizardState) => s.draft.nodes.map((n) => n.name);

describe('the change screen', () => {
	it('opens an edit, "add a master" chosen; a new profile has none', () => {
		const s = editing();
		expect(currentStep(s)).toBe('change');
		expect(s.change).toEqual({choice: 'add', pick: 0, from: s.draft.nodes});
		const fresh = initialWizardState(initialDraft(), stepOrder({checkNodes: false}), {canCheck: false, canReadVersion: false});
		expect(currentStep(fresh)).toBe('ssh');
		expect(fresh.change).toBeUndefined();
	});

	it('keys become intents; the choice cycles', () => {
		expect(changeIntentOf('', {downArrow: true})).toBe('next');
		expect(changeIntentOf('', {shift: true, tab: true})).toBe('previous');
		expect(changeIntentOf('', {return: true})).toBe('choose');
		expect(changeIntentOf('', {escape: true})).toBe('back');
		expect(changeIntentOf('x', {})).toBeUndefined();
		expect(apply(editing(), 'next').change?.choice).toBe('remove');
		expect(apply(editing(), 'next', 'next').change?.choice).toBe('all');
		expect(apply(editing(), 'previous').change?.choice).toBe('all');
		expect(apply(editing(), 'back').notice).toBe('first screen; Ctrl-C cancels');
	});

	it('each choice leads to its screens', () => {
		expect(apply(editing(), 'choose').order).toEqual(['change', 'add-master', 'summary']);
		expect(apply(editing(undefined, true), 'choose').order).toEqual(['change', 'add-master', 'hostkeys', 'summary']);
		expect(apply(editing(), 'next', 'choose').order).toEqual(['change', 'remove-master', 'summary']);
		const all = apply(editing(), 'previous', 'choose');
		expect(all.order).toEqual(stepOrder({checkNodes: false, editing: true}));
		expect(currentStep(all)).toBe('ssh');
	});
});

describe('add a master', () => {
	it('appends the new node, named after the others, the form on its name', () => {
		const s = apply(editing(), 'choose');
		expect(currentStep(s)).toBe('add-master');
		expect(s.draft.nodes.at(-1)).toEqual({name: 'lab-m4', ip: ''});
		expect(s.focus).toBe(0);
		expect(s.cursor).toBe('lab-m4'.length);
	});

	it('the nodes screen’s rules: a duplicate address keeps the form, naming the field', () => {
		let s = apply(editing(), 'choose');
		s = key(s, '', {return: true}); // name → ip
		s = key(s, '192.168.31.45');
		s = key(s, '', {return: true}); // → continue
		expect(currentStep(s)).toBe('add-master');
		expect(s.notice).toBe('fix the field marked ✗ to continue');
		s = key(s, 'u', {ctrl: true});
		s = key(s, '192.168.31.47');
		s = key(s, '', {return: true});
		expect(currentStep(s)).toBe('summary');
		expect(s.draft.nodes.at(-1)).toEqual({name: 'lab-m4', ip: '192.168.31.47'});
	});

	it('with node checks: the host-key screen checks every master, the new one and the profile’s', () => {
		let s = apply(editing(undefined, true), 'choose');
		s = key(s, '', {return: true});
		s = key(s, '192.168.31.47');
		s = key(s, '', {return: true});
		expect(currentStep(s)).toBe('hostkeys');
		expect(s.draft.nodes.map((_, i) => s.checks[checkKey(s.draft, i)]?.status)).toEqual(['requested', 'requested', 'requested', 'requested']);
	});

	it('esc goes back to the choice with the node list as it was', () => {
		const s = key(apply(editing(), 'choose'), '', {escape: true});
		expect(currentStep(s)).toBe('change');
		expect(names(s)).toEqual(['lab-m1', 'lab-m2', 'lab-m3']);
	});

	it('names: the next free number after the last, else master<N>', () => {
		expect(nextNodeName(['lab-m1', 'lab-m2', 'lab-m3'])).toBe('lab-m4');
		expect(nextNodeName(['m1', 'm3'])).toBe('m4');
		expect(nextNodeName(['cp-a', 'cp-b'])).toBe('master3');
		expect(nextNodeName(['master3', 'x', 'y'])).toBe('master4');
	});
});

describe('remove a master', () => {
	it('picks one of the profile’s masters, then the summary without it; back from the summary keeps the pick', () => {
		let s = apply(editing(), 'next', 'choose');
		expect(currentStep(s)).toBe('remove-master');
		s = apply(s, 'next', 'choose');
		expect(currentStep(s)).toBe('summary');
		expect(names(s)).toEqual(['lab-m1', 'lab-m3']);
		s = key(s, '', {escape: true});
		expect(currentStep(s)).toBe('remove-master');
		expect(s.change?.pick).toBe(1);
		s = apply(s, 'previous', 'choose');
		expect(names(s)).toEqual(['lab-m2', 'lab-m3']);
	});

	it('esc goes back to the choice with every master', () => {
		const s = apply(editing(), 'next', 'choose', 'next', 'choose');
		const back = apply(key(s, '', {escape: true}), 'back');
		expect(currentStep(back)).toBe('change');
		expect(names(back)).toEqual(['lab-m1', 'lab-m2', 'lab-m3']);
	});

	it('the last master is refused, saying why', () => {
		const s = apply(editing({...saved, nodes: [saved.nodes[0]]}), 'next', 'choose', 'choose');
		expect(currentStep(s)).toBe('remove-master');
		expect(names(s)).toEqual(['lab-m1']);
		expect(s.notice).toMatch(/^lab-m1 is the profile's only master: the last master is never removed, the cluster would have no apiserver left\. Add the master that replaces it first/);
	});
});

describe('the draft and the summary', () => {
	it('a master added or removed on its own screen is kept as the nodes screen’s', () => {
		expect(draftToKeep(apply(editing(), 'choose')).step).toBe('nodes');
		expect(draftToKeep(apply(editing(), 'next', 'choose')).step).toBe('nodes');
		expect(draftToKeep(editing()).step).toBe('change');
	});

	it('a new profile’s kept draft resumes without the change screen', () => {
		const order = stepOrder({checkNodes: false, editing: true});
		expect(resumeOrder(order, savedDraftOf(initialDraft(), 'nodes'))[0]).toBe('ssh');
		expect(resumeOrder(order, savedDraftOf(initialDraft(), 'nodes', {editing: 'prod'}))[0]).toBe('change');
	});

	it('what the next apply does, by name', () => {
		const change = membershipChange(saved.nodes, [{name: 'lab-m2', ip: '192.168.31.45'}, {name: 'lab-m3', ip: '192.168.31.46'}, {name: 'lab-m4', ip: '192.168.31.47'}]);
		expect(change).toEqual({added: ['lab-m4'], removed: ['lab-m1']});
		expect(membershipLines(change, 'prod')).toEqual([
			"apply will add lab-m4: preflight, the cluster's release and shared material, its own serving certificate; the other masters are not restarted",
			"apply will remove lab-m1: stop its services, wait until it left the kubernetes EndpointSlice and the Leases, remove the tool's files; run `k8s-master-setup apply --profile prod --dry-run` to see it first",
		]);
		expect(membershipLines({added: [], removed: ['a', 'b']}, 'prod').at(-1)).toBe('apply removes one master a run and refuses 2 at once: keep all but one, apply, then remove the next');
	});
});
