// Before a rotation touches anything: apply's dry run against the state directory, and what
// it found judged here. Every master must be reachable and pass the gate, and nothing may
// differ from the state but, on a resumed rotation, a node's encryption config that is one
// of this rotation's phases (a killed run leaves nodes on two neighbouring phases). Any other
// difference stops the rotation before it starts: a hand-edited encryption config (drift)
// may write Secrets the other apiservers cannot read, and a pending profile change is
// apply's to make, not the rotation's.
import type {PlannedChange} from '../events.js';

export interface DryRunFindings {
	/** Nodes that failed the dry run's gate, with the step and message. */
	failed: Array<{node: string; step: string; message: string; hint?: string}>;
	changes: Array<{node: string; change: PlannedChange}>;
}

export interface RotationPreflightInput {
	findings: DryRunFindings;
	encryptionConfigPath: string;
	/** sha256 of every config a node may hold now: the state's, and on a resume each phase's of this rotation. */
	acceptedConfigs: ReadonlySet<string>;
	resuming: boolean;
}

export interface RotationRefusal {
	node: string;
	message: string;
	hint: string;
}

export function judgeRotationPreflight(input: RotationPreflightInput): RotationRefusal[] {
	// The gate's own message and fix; a master that cannot be reached gets the rotation's reason too.
	const refusals: RotationRefusal[] = input.findings.failed.map((f) => ({
		node: f.node,
		message: f.message.startsWith(f.node) ? f.message : `${f.node}: ${f.step} failed: ${f.message}`,
		hint:
			f.step === 'connect'
				? 'a rotation needs every master serving (each must learn the new key before any writes with it): bring it back, or take it out of the profile with apply, then rotate'
				: (f.hint ?? 'fix it, then rotate'),
	}));
	const byNode = new Map<string, PlannedChange[]>();
	for (const {node, change} of input.findings.changes) byNode.set(node, [...(byNode.get(node) ?? []), change]);
	for (const [node, changes] of byNode) {
		const drift = changes.find((c) => c.kind !== 'restart' && c.path === input.encryptionConfigPath);
		if (drift && drift.kind !== 'restart') {
			const accepted = drift.sha256Before !== undefined && input.acceptedConfigs.has(drift.sha256Before);
			if (!accepted) {
				refusals.push({
					node,
					message: `${node}: its encryption config ${input.encryptionConfigPath} ${drift.kind === 'create' ? 'is missing' : `differs from the state's (sha256 ${drift.sha256Before?.slice(0, 16)}… there): edited by hand, or left by another tool`}`,
					hint: `a node whose config differs may write Secrets the others cannot read: look at the file on ${node}; \`apply\` puts the state's config back (\`apply --dry-run\` shows it), then rotate`,
				});
			}
		}
		const others = changes.filter((c) => c !== drift && !((input.resuming || drift) && c.kind === 'restart' && c.service === 'kube-apiserver'));
		if (others.length > 0) {
			refusals.push({
				node,
				message: `${node}: apply has changes to make first: ${others.map((c) => (c.kind === 'restart' ? `restart ${c.service} (${c.reason})` : `${c.kind} ${c.path}`)).join(', ')}`,
				hint: 'run `apply` with this profile (a rotation changes only the encryption config), then rotate',
			});
		}
	}
	return refusals;
}
