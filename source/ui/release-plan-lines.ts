// The release plan of a dry run (or of a refused change) as plain lines that fit 80
// columns: per node and component the release now → after, each skew check with its
// verdict, then the restart order. ✓/✗ on a colour terminal, ok/FAIL in logs (a grep
// for FAIL finds a refusal; a log viewer may not show the symbols).
import type {ChangeKind, ReleaseChange, ReleasePlan} from '../run/release-plan.js';
import {NBSP, wrapWords as wrap} from '../wrap-words.js';

const KIND: Record<ChangeKind, string> = {
	'first-install': 'first install, every node side by side',
	rolling: 'rolling change, node by node, each gated',
	'minor-upgrade': 'minor upgrade, component by component, each gated',
};

const CHANGE: Record<ReleaseChange, string> = {
	none: 'no change',
	'patch-up': 'patch up',
	'patch-down': 'patch down',
	'minor-up': 'minor up',
	'minor-skip': 'skips a minor',
	'minor-down': 'minor down',
	install: 'install',
	unknown: 'not read',
};

export function releasePlanLines(plan: ReleasePlan, options: {symbols?: boolean; width?: number} = {}): string[] {
	const width = options.width ?? 80;
	const [pass, fail] = options.symbols ? ['✓', '✗'] : ['ok  ', 'FAIL'];
	const nodeWidth = Math.max(...plan.nodes.map((n) => n.node.length));
	const serviceWidth = Math.max(...plan.nodes.flatMap((n) => n.components.map((c) => c.service.length)));
	const currentWidth = Math.max(1, ...plan.nodes.flatMap((n) => n.components.map((c) => (c.current ?? '-').length)));
	const lines = wrap(`release ${plan.target}: ${KIND[plan.kind]}`, width, '  ');
	for (const {node, components} of plan.nodes) {
		components.forEach((c, i) => {
			const name = (i === 0 ? node : '').padEnd(nodeWidth);
			lines.push(`  ${name}  ${c.service.padEnd(serviceWidth)}  ${(c.current ?? '-').padEnd(currentWidth)} → ${c.target}  (${CHANGE[c.change]})`);
		});
	}
	lines.push('checks:');
	for (const c of plan.checks) lines.push(...wrap(`  ${c.ok ? pass : fail} ${c.check}: ${c.detail}`, width, '      '));
	lines.push(...wrap(restartOrder(plan), width, '  '));
	return lines;
}

/**
 * The restarts in order; a run of restarts that go together (a minor upgrade's
 * controller-managers, then its schedulers) as one entry: `controller-manager on m1, m2,
 * m3 (one that does not lead first, then the rest together)`.
 */
function groups(restarts: ReleasePlan['restarts']): string[] {
	const out: string[] = [];
	for (let i = 0; i < restarts.length; ) {
		const r = restarts[i]!;
		let j = i + 1;
		while (r.together && j < restarts.length && restarts[j]!.together && restarts[j]!.service === r.service) j++;
		if (j - i > 1) {
			const names = restarts.slice(i, j).map((x) => x.node);
			out.push(`${short(r.service)}${NBSP}on${NBSP}${names.join(`,${NBSP}`)} (one that does not lead first, then the rest together)`);
		} else out.push(step(r));
		i = j;
	}
	return out;
}

/** `m1 apiserver`, kept on one line when the order wraps. */
const step = (r: {node: string; service: string}) => `${r.node}${NBSP}${short(r.service)}`;
const short = (service: string) => service.replace(/^kube-/, '');

function restartOrder(plan: ReleasePlan): string {
	if (!plan.ok) return 'restart order: none, the change is refused (see the checks above)';
	if (plan.restarts.length === 0) return 'restart order: nothing to restart';
	if (plan.kind !== 'first-install') return `restart order: ${groups(plan.restarts).join(', ')}`;
	const perNode = plan.nodes
		.map(({node}) => ({node, services: plan.restarts.filter((r) => r.node === node).map((r) => short(r.service)).join(', ')}))
		.filter((n) => n.services.length > 0);
	const same = perNode.every((n) => n.services === perNode[0]?.services);
	return same
		? `start order: side by side on ${perNode.map((n) => n.node).join(', ')}; on each: ${perNode[0]?.services}`
		: `start order: side by side; ${perNode.map((n) => `${n.node}: ${n.services}`).join('; ')}`;
}
