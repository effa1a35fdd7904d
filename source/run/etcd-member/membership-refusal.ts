// A stacked etcd's members are the masters: a master added or removed is an etcd member
// added (as a learner, then promoted) or removed (leadership moved, `member remove`) first.
// That part is not built yet, and rendering the new member list into every unit would start
// a new member as a cluster of its own ("--initial-cluster-state new") and restart the others:
// so an apply whose masters differ from the ones this state directory installed is refused
// with a stacked etcd, before anything is written (pure).
import {UserError} from '../../errors.js';
import type {Profile} from '../../profile/schema.js';

export function stackedMembershipRefusal(profile: Pick<Profile, 'etcd' | 'nodes'>, installed: ReadonlyArray<{name: string}>): UserError | undefined {
	if (profile.etcd.mode !== 'stacked' || installed.length === 0) return undefined;
	const wanted = new Set(profile.nodes.map((n) => n.name));
	const had = new Set(installed.map((n) => n.name));
	const added = [...wanted].filter((n) => !had.has(n));
	const removed = [...had].filter((n) => !wanted.has(n));
	if (added.length === 0 && removed.length === 0) return undefined;
	const change = [added.length > 0 ? `adds ${added.join(', ')}` : '', removed.length > 0 ? `removes ${removed.join(', ')}` : ''].filter(Boolean).join(' and ');
	return new UserError(
		`the profile ${change}: with etcd.mode: stacked each master is an etcd member, and adding or removing a member is not built yet`,
		`keep nodes as the installed masters (${[...had].join(', ')}) for now; nothing was changed`,
	);
}

/**
 * A cluster keeps the etcd it was installed with: the state directory holds an etcd CA only
 * when it deployed a stacked etcd. Switching an installed cluster's etcd.mode would start
 * empty members under its apiservers (external → stacked) or leave the tool's members running
 * unmanaged (stacked → external): refused before anything is written (pure).
 */
export function etcdModeSwitchRefusal(profile: Pick<Profile, 'etcd'>, installed: ReadonlyArray<{name: string}>, stateHasEtcdCa: boolean): UserError | undefined {
	if (installed.length === 0) return undefined;
	const stacked = profile.etcd.mode === 'stacked';
	if (stacked === stateHasEtcdCa) return undefined;
	return stacked
		? new UserError(
				'etcd.mode is stacked, but this state directory installed the masters against an external etcd (etcd.endpoints): switching an installed cluster to a stacked etcd is not built (its data would have to move into the new members)',
				'keep etcd.mode: external with its endpoints; nothing was changed',
			)
		: new UserError(
				"etcd.mode is external, but this state directory deployed a stacked etcd on the masters (its CA is in the state directory's etcd/): switching it to an external etcd is not built (the tool's members would keep running, unmanaged)",
				'keep etcd.mode: stacked; nothing was changed',
			);
}
