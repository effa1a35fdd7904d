import type {KeyFlags} from './text-edit.js';
import {gotoStep} from './moves.js';
import {checkKey, sshOf, type AcceptedHostKey, type WizardState} from './wizard-state.js';

// The host keys screen: r rechecks the failed nodes, c continues without checking, Enter or
// y accepts every node's key once all checks are done and none failed.

export function hostKeysKey(state: WizardState, input: string, key: KeyFlags): WizardState {
	const ids = state.draft.nodes.map((_, i) => checkKey(state.draft, i));
	const results = ids.map((id) => state.checks[id]);
	if (key.escape || (key.shift && key.tab)) return gotoStep(state, state.step - 1);
	if (input === 'r') {
		const checks = {...state.checks};
		ids.forEach((id, i) => {
			const r = results[i];
			if (!r || (r.status === 'done' && !r.ok)) checks[id] = {status: 'requested'};
		});
		return {...state, checks, notice: undefined};
	}
	if (input === 'c') return {...gotoStep(state, state.step + 1), acceptedHostKeys: []};
	if (key.return || input === 'y') {
		if (results.some((r) => !r || r.status !== 'done')) return {...state, notice: 'still checking; wait for every node'};
		const failed = results.filter((r) => r?.status === 'done' && !r.ok).length;
		if (failed > 0) return {...state, notice: `${failed} node${failed === 1 ? '' : 's'} failed the check: r recheck · esc back · c continue without checking`};
		const ssh = sshOf(state.draft);
		const accepted: AcceptedHostKey[] = state.draft.nodes.flatMap((n, i) => {
			const r = results[i];
			return r?.status === 'done' && r.fingerprint ? [{node: n.name.trim(), host: n.ip.trim(), port: ssh.port, ...(r.keyType ? {keyType: r.keyType} : {}), fingerprint: r.fingerprint}] : [];
		});
		return {...gotoStep(state, state.step + 1), acceptedHostKeys: accepted};
	}
	return state;
}
