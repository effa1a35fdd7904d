import type {DraftNode} from './draft.js';

// What an edit changes in the masters, said on the summary as what the next `apply` does
// about it (readme: "Adding a master", "Removing a master"). By name, as apply tells them
// apart: a master renamed is one removed and one added.

export function membershipChange(saved: ReadonlyArray<{name: string}>, nodes: readonly DraftNode[]): {added: string[]; removed: string[]} {
	const before = new Set(saved.map((n) => n.name.trim()));
	const after = new Set(nodes.map((n) => n.name.trim()));
	return {added: [...after].filter((n) => !before.has(n)), removed: [...before].filter((n) => !after.has(n))};
}

export function membershipLines(change: {added: readonly string[]; removed: readonly string[]}, profileName: string): string[] {
	return [
		...change.added.map((n) => `apply will add ${n}: preflight, the cluster's release and shared material, its own serving certificate; the other masters are not restarted`),
		...change.removed.map(
			(n) => `apply will remove ${n}: stop its services, wait until it left the kubernetes EndpointSlice and the Leases, remove the tool's files; run \`k8s-master-setup apply --profile ${profileName} --dry-run\` to see it first`,
		),
		...(change.removed.length > 1 ? [`apply removes one master a run and refuses ${change.removed.length} at once: keep all but one, apply, then remove the next`] : []),
	];
}
