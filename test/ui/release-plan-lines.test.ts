import {describe, expect, test} from 'vitest';
import type {ServiceName} from '../../source/plan/types.js';
import type {RunEvent} from '../../source/run/events.js';
import {CHECKS, type ReleaseChange} from '../../source/run/release-plan.js';
import {createPlainReporter} from '../../source/ui/plain-reporter.js';

const SERVICES: ServiceName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
const NODES = ['master1', 'master2', 'master3'];

function planEvent(current: string | undefined, change: ReleaseChange, extra: Partial<Extract<RunEvent, {type: 'plan-release'}>> = {}): RunEvent {
	return {
		type: 'plan-release',
		at: 0,
		target: 'v1.37.2',
		kind: 'minor-upgrade',
		nodes: NODES.map((node) => ({node, components: SERVICES.map((service) => ({service, ...(current ? {current} : {}), target: 'v1.37.2', change}))})),
		checks: [
			{check: CHECKS.skip, ok: true, detail: 'every component is at most one minor below v1.37.2'},
			{check: CHECKS.downgrade, ok: true, detail: 'no component runs a minor above v1.37.2'},
			{check: CHECKS.apiservers, ok: true, detail: '1.36 and 1.37 side by side during the change'},
			{check: CHECKS.order, ok: true, detail: 'before and after every restart in the order'},
		],
		ok: true,
		restarts: SERVICES.flatMap((service, p) => NODES.map((node) => ({node, service, ...(p > 0 ? {together: true as const} : {})}))),
		...extra,
	};
}

function render(event: RunEvent, symbols = false): string[] {
	let out = '';
	createPlainReporter((s) => (out += s), {symbols})(event);
	return out.trimEnd().split('\n');
}

describe('the release plan in plain lines', () => {
	test('a minor upgrade: a row per component, the checks, the restart order, all within 80 columns', () => {
		const lines = render(planEvent('v1.36.3', 'minor-up'));
		expect(lines[0]).toBe('release v1.37.2: minor upgrade, component by component, each gated');
		expect(lines).toContain('  master1  kube-apiserver           v1.36.3 → v1.37.2  (minor up)');
		expect(lines).toContain('           kube-scheduler           v1.36.3 → v1.37.2  (minor up)');
		expect(lines.filter((l) => l.includes('→'))).toHaveLength(9);
		expect(lines).toContain('  ok   no minor skipped: every component is at most one minor below v1.37.2');
		expect(lines).toContain('  ok   controller-manager, scheduler not newer than an apiserver: before and');
		// Wrapped between the steps, never inside one.
		expect(lines.slice(lines.findIndex((l) => l.startsWith('restart order: ')))).toEqual([
			'restart order: master1 apiserver, master2 apiserver, master3 apiserver,',
			'  controller-manager on master1, master2, master3 (one that does not lead first,',
			'  then the rest together), scheduler on master1, master2, master3 (one that does',
			'  not lead first, then the rest together)',
		]);
		for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
	});

	test('a refusal: ✗ on a colour terminal (FAIL without), its detail wrapped, and nothing restarts', () => {
		const refused = planEvent('v1.35.4', 'minor-skip', {
			ok: false,
			restarts: [],
			checks: [{check: CHECKS.skip, ok: false, detail: 'master2 runs kube-apiserver v1.35.4: kubernetesVersion v1.37.2 skips 1.36'}],
		});
		const lines = render(refused, true);
		expect(lines).toContain('  master2  kube-apiserver           v1.35.4 → v1.37.2  (skips a minor)');
		expect(lines).toContain('  ✗ no minor skipped: master2 runs kube-apiserver v1.35.4: kubernetesVersion');
		expect(lines).toContain('      v1.37.2 skips 1.36');
		expect(lines.at(-1)).toBe('restart order: none, the change is refused (see the checks above)');
		expect(render(refused, false)).toContain('  FAIL no minor skipped: master2 runs kube-apiserver v1.35.4: kubernetesVersion');
		for (const l of lines) expect(l.length).toBeLessThanOrEqual(80);
	});

	test('a first install: nothing installed yet, every node started side by side', () => {
		const lines = render(planEvent(undefined, 'install', {kind: 'first-install', restarts: NODES.flatMap((node) => SERVICES.map((service) => ({node, service})))}));
		expect(lines[0]).toBe('release v1.37.2: first install, every node side by side');
		expect(lines).toContain('  master1  kube-apiserver           - → v1.37.2  (install)');
		expect(lines.slice(-2)).toEqual(['start order: side by side on master1, master2, master3; on each: apiserver,', '  controller-manager, scheduler']);
	});
});
