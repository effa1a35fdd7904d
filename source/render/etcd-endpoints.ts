import {stackedMembers} from '../etcd/members.js';
import type {Profile, ProfileNode} from '../profile/schema.js';

/**
 * The etcd endpoints a node's kube-apiserver is given (--etcd-servers).
 *
 * `etcd.apiserverEndpoints: local` (the default): a node that hosts an etcd member (an
 * endpoint whose host is the node's IP or name) gives its apiserver that member only, as
 * kubeadm's stacked control plane does; a node without one gets every endpoint. Why: the
 * apiserver opens one etcd client per resource (69 on 1.37, kubernetes#111622), each with a
 * TLS connection to every endpoint it is given, so three endpoints mean 207 handshakes per
 * apiserver start instead of 69. On the lab, 3 apiservers starting together needed 12.7 CPU-s
 * (apiservers and etcd) and 7.5-7.8 s to ready with their own member, 16.9-18.3 CPU-s and
 * 10.5-14.4 s with all three. The price: an apiserver whose own member is down is not
 * ready until it is back (its clients go to the other apiservers), where with every
 * endpoint it would carry on through another member.
 * `all`: every apiserver gets every endpoint (the guide).
 *
 * Stacked etcd (etcd.mode: stacked) has a member on every master: `local` gives the node's
 * own member only; `all` (the stacked default) its own member first, then the others in
 * node order, so the apiserver stays ready while its own member restarts (a rolling etcd
 * change), at the handshake cost above.
 */
export function apiserverEtcdEndpoints(profile: Profile, node: ProfileNode): string[] {
	if (profile.etcd.mode === 'stacked') {
		const members = stackedMembers(profile.nodes);
		const own = members.filter((m) => m.name === node.name);
		if (profile.etcd.apiserverEndpoints === 'local') return own.map((m) => m.clientUrl);
		return [...own, ...members.filter((m) => m.name !== node.name)].map((m) => m.clientUrl);
	}
	const all = profile.etcd.endpoints;
	if (profile.etcd.apiserverEndpoints === 'all') return all;
	const own = all.filter((url) => {
		const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
		return host === node.ip || host === node.name;
	});
	return own.length > 0 ? own : all;
}
